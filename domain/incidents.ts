import type { DealState } from './deal-state';
import { stableDigest } from './stable-id';

/** What names an incident: the deal, the stage visit (null outside one), the kind, the request or risk. */
export interface IncidentSubject {
  readonly deal: { readonly dealId: string };
  readonly stage: { readonly id: string; readonly enteredAt: string } | null;
  readonly type: string;
  readonly requestId: string | null;
  readonly riskId: string | null;
}

/**
 * The incident an alert belongs to on an on-call tool (PagerDuty's `dedup_key`): one per deal,
 * stage visit and event kind, so a breach and its repeats are one incident, resolved when the
 * visit ends. Request and risk alerts have no stage: theirs is one per deal, request or risk and kind,
 * resolved when the deal closes. Readable when it fits PagerDuty's 255 characters, a digest otherwise.
 */
export function incidentKey(alert: IncidentSubject): string {
  const scope = alert.stage ? `${alert.stage.id}@${alert.stage.enteredAt}` : (alert.requestId ?? alert.riskId ?? 'deal');
  const key = `${alert.deal.dealId}/${scope}/${alert.type}`;
  return key.length <= 255 ? key : `${alert.deal.dealId.slice(0, 64)}/${stableDigest(key)}`;
}

/**
 * The incidents that end with a change of the deal from `before` to `after`: those of the stage
 * visit it left (completed, moved, reopened elsewhere, closed), and, once it closes, those of its
 * requests and risks. Only alerts it fired can have opened one; an on-call endpoint resolves the
 * keys it triggered and ignores the rest.
 */
export function endedIncidents(before: DealState, after: DealState): string[] {
  const visit = before.stage;
  const left = visit !== null && (after.stage?.id !== visit.id || after.stage.enteredAt !== visit.enteredAt || after.status !== 'open');
  const closed = before.status === 'open' && after.status !== 'open';
  if (!left && !closed) return [];
  const deal = { dealId: before.dealId };
  const keys = before.alerts.flatMap((alert) => {
    if (alert.stage !== null) {
      const inVisit = left && visit !== null && alert.stage === visit.id && alert.firedAt >= visit.enteredAt;
      return inVisit ? [incidentKey({ ...alert, deal, stage: { id: visit.id, enteredAt: visit.enteredAt } })] : [];
    }
    return closed ? [incidentKey({ ...alert, deal, stage: null })] : [];
  });
  return [...new Set(keys)];
}
