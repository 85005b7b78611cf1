import type { ActionType } from './action-schema';
import type { AlertSubject } from './alerts';
import { dueEvents } from './deadlines';
import { isAlertEvent, type DealEvent } from './deal-events';
import type { Actor } from './deal-schema';
import type { AlertPayload, DealState, Instant } from './deal-state';
import { completion, decide } from './decide';
import { MAX_DURATION_MS } from './duration';
import { evolve } from './evolve';
import { migrateDeal } from './migration';
import { initialState, openDeal } from './open-deal';
import type { RecordedDeal, RecordedStep } from './recorded-deal';
import { isRejection } from './rejection';
import type { Sop } from './sop-schema';
import { NO_VISIT, trackVisit, visitNow, type VisitTracker } from './stage-visit';

/** An alert as the what-if compares it: what fired, for which deadline. */
export type SimulatedAlert = Pick<AlertSubject, 'type' | 'deadline' | 'stage' | 'requestId' | 'riskId' | 'level' | 'occurrence'>;

/** An action the simulated SOP would have refused, with the rejection's code. */
export interface BlockedAction {
  readonly at: Instant;
  readonly type: ActionType;
  readonly code: string;
  /** The stage the deal was in. */
  readonly stage: string | null;
}

export interface Simulation {
  readonly state: DealState;
  readonly events: DealEvent[];
  readonly alerts: SimulatedAlert[];
  readonly blocked: BlockedAction[];
  /** Stages the SOP's fast lanes skipped, in the order they were skipped. */
  readonly skipped: string[];
}

/**
 * Which SOP the replay runs on. `own`: the deal's own versions, following its migrations (the
 * baseline, which must give the alerts the deal really fired). `draft`: one SOP throughout, every
 * migration ignored (the proposal).
 */
export type SimulatedSop = { readonly own: (version: number) => Sop | null } | { readonly draft: Sop };

/** A replayed action was accepted when it happened, by whoever could: the replay asks only the SOP. */
const asTaken = (subject: string): Actor => ({ subject, role: 'system' });
/** The deal took its reopen, so the window was open; the replay does not ask again. */
const ALWAYS_REOPENABLE = MAX_DURATION_MS;

export function alertOf(payload: AlertPayload): SimulatedAlert {
  const { type, deadline, stage, requestId, riskId, level, occurrence } = payload;
  return { type, deadline, stage: stage?.id ?? null, requestId, riskId, level, occurrence };
}

/** One line per alert, for comparing two runs: equal lines, the same alert. */
export function alertKey(alert: SimulatedAlert): string {
  return [
    alert.type,
    alert.stage ?? '',
    alert.requestId ?? '',
    alert.riskId ?? '',
    alert.level ?? '',
    alert.occurrence ?? '',
    alert.deadline,
  ].join('|');
}

/**
 * Replays a recorded deal through the same `decide` / `evolve` / `dueEvents` the deal workflow
 * runs: time passes to each step's instant (every deadline due by then fires first, as the
 * workflow's catch-up does), then the step is decided on the simulated deal, and at the end time
 * passes to `until`. Pure: no clock, no Temporal.
 *
 * An action the SOP refuses is listed in `blocked` and, for a `complete_stage` that lacks
 * deliverables, applied as if it had been accepted (the rep would have had to supply them); any
 * other refused action names something that SOP lacks (a stage, a deliverable), so it is left out.
 */
export function simulateDeal(deal: RecordedDeal, on: SimulatedSop, until: Instant): Simulation {
  let sop = 'draft' in on ? on.draft : on.own(deal.sop.version);
  if (!sop) throw new Error(`SOP ${deal.sop.id} v${deal.sop.version} is not known`);
  const { events: opened } = openDeal(deal.opening, sop, asTaken(deal.openedBy), deal.openedAt);
  let state = initialState(deal.opening, sop, deal.openedAt);
  let visits: VisitTracker = NO_VISIT;
  const events: DealEvent[] = [];
  const blocked: BlockedAction[] = [];
  const apply = (more: readonly DealEvent[]): void => {
    for (const event of more) {
      state = evolve(state, event);
      visits = trackVisit(visits, event);
      events.push(event);
    }
  };
  const passTo = (at: Instant): void => apply(dueEvents(state, sop as Sop, at));

  apply(opened);
  for (const step of deal.steps) {
    if (step.at > until) break;
    passTo(step.at);
    if (step.kind === 'migration') {
      if ('draft' in on) continue;
      const to = on.own(step.toVersion);
      if (!to) throw new Error(`SOP ${deal.sop.id} v${step.toVersion} is not known`);
      const plan = { migrationId: step.migrationId, stageMap: { [step.fromStage]: step.toStage } };
      const decision = migrateDeal(state, visitNow(visits), sop, to, plan, step.at, step.actor);
      apply(decision.events);
      if (decision.events.length > 0) sop = to;
      continue;
    }
    apply(decided(state, sop, step, blocked));
  }
  passTo(until);
  return {
    state,
    events,
    alerts: events.flatMap((event) => (isAlertEvent(event) ? [alertOf(event.data.alert)] : [])),
    blocked,
    skipped: events.flatMap((event) => (event.type === 'stage_skipped' ? [event.data.stage] : [])),
  };
}

function decided(state: DealState, sop: Sop, step: RecordedStep & { kind: 'action' }, blocked: BlockedAction[]): DealEvent[] {
  const { action, at, actor } = step;
  const outcome = decide(state, action, { now: at, actor: asTaken(actor), sop, reopenWindowMs: ALWAYS_REOPENABLE });
  if (!isRejection(outcome)) return outcome;
  blocked.push({ at, type: action.type, code: outcome.code, stage: state.stage?.id ?? null });
  if (action.type === 'complete_stage' && outcome.code === 'missing_deliverables') {
    return completion(state, sop, action.stage, action.note ?? null, at, actor);
  }
  return [];
}

/**
 * Does the replay under the deal's own versions give exactly the alerts the deal fired? Compared
 * up to the deal's last event, when the deal had last caught up with time (a deadline after it may
 * be due without its timer having fired yet).
 */
export function reproduces(deal: RecordedDeal, baseline: Simulation): boolean {
  const fired = deal.alerts.map((alert) => alertKey(alertOf(alert))).sort();
  const replayed = baseline.alerts
    .filter((alert) => alert.deadline <= deal.lastEventAt)
    .map(alertKey)
    .sort();
  return fired.length === replayed.length && fired.every((key, i) => key === replayed[i]);
}
