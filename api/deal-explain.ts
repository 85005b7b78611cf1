import { currentVisit, explainDeal, recordedDeal, replayDeal, type DealEvent, type Explanation, type Sop } from '../domain';
import { problems } from './problem';

/**
 * `GET /v1/deals/:dealId/explain` from the deal's whole timeline: its state and stage visit folded
 * from the events as the deal itself folds them, its deadlines and alerts explained on the version
 * it runs on (each alert on the version it fired under).
 */
export async function explainTimeline(
  events: readonly DealEvent[],
  sopOf: (id: string, version: number) => Promise<Sop | null>,
): Promise<Explanation> {
  const recorded = recordedDeal(events);
  const wanted = new Set([recorded.sop.version, ...recorded.alerts.map((alert) => alert.deal.sop.version)]);
  for (const step of recorded.steps) if (step.kind === 'migration') wanted.add(step.toVersion);
  const versions = new Map<number, Sop>();
  for (const version of wanted) {
    const sop = await sopOf(recorded.sop.id, version);
    if (!sop)
      throw problems.unavailable(`SOP "${recorded.sop.id}" version ${version}, which the deal ran on, cannot be read from the registry.`);
    versions.set(version, sop);
  }
  const opened = versions.get(recorded.sop.version) as Sop;
  const state = replayDeal(events, opened);
  const sop = versions.get(state.sop.version) ?? opened;
  return explainDeal(state, sop, currentVisit(events), recorded.alerts, (version) => versions.get(version) ?? null);
}
