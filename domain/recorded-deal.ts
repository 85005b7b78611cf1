import type { Action } from './action-schema';
import { isAlertEvent, type DealEvent } from './deal-events';
import type { AlertPayload, Instant } from './deal-state';
import type { DealOpening } from './open-deal';

/** Something a person did to the deal, at the instant the deal took it. */
export interface RecordedAction {
  readonly kind: 'action';
  readonly at: Instant;
  readonly actor: string;
  readonly action: Action;
}

/** The deal moved to another version of its SOP by a migration (`sop_migrated`). */
export interface RecordedMigration {
  readonly kind: 'migration';
  readonly at: Instant;
  readonly actor: string;
  readonly migrationId: string;
  readonly toVersion: number;
  readonly fromStage: string;
  readonly toStage: string;
}

export type RecordedStep = RecordedAction | RecordedMigration;

/** A deal as its timeline recorded it: how it opened, what people did, what time fired. */
export interface RecordedDeal {
  readonly opening: DealOpening;
  readonly sop: { readonly id: string; readonly version: number };
  readonly openedAt: Instant;
  readonly openedBy: string;
  readonly steps: RecordedStep[];
  /** The alerts the deal really fired, in order. */
  readonly alerts: AlertPayload[];
  /** Its last event: until then the deal had caught up with time, so every alert due by then has fired. */
  readonly lastEventAt: Instant;
}

/**
 * The action that caused `event`, when a person's action leads with it. Events that follow from
 * an action (the stage entered after a completion, the deal won) and events time or the system
 * produced (alerts, deliveries, refusals) give none.
 */
function actionOf(event: DealEvent): Action | null {
  switch (event.type) {
    case 'deliverable_submitted': {
      const { stage, deliverable, ref } = event.data;
      return { type: 'submit_deliverable', stage, deliverable, ...(ref !== null && { ref }) };
    }
    case 'stage_completed':
      return { type: 'complete_stage', stage: event.data.stage, ...(event.data.note !== null && { note: event.data.note }) };
    case 'activity_logged':
      return { type: 'log_activity', kind: event.data.kind as never, ...(event.data.note !== null && { note: event.data.note }) };
    case 'request_opened': {
      const { requestId, summary } = event.data;
      return { type: 'open_request', requestId, ...(summary !== null && { summary }) };
    }
    case 'request_answered': {
      const { requestId, note } = event.data;
      return { type: 'answer_request', requestId, ...(note !== null && { note }) };
    }
    case 'revision_requested':
      return { type: 'request_revision', stage: event.data.stage, reason: event.data.reason };
    case 'paused':
      return { type: 'pause', reason: event.data.reason };
    case 'resumed':
      return { type: 'resume' };
    case 'reassigned':
      return { type: 'reassign', owner: event.data.to };
    case 'deal_updated':
      return { type: 'update_deal', ...event.data };
    case 'risk_raised': {
      const { riskId, summary, owner, dueBy, playbook } = event.data;
      return { type: 'raise_risk', riskId, summary, owner, ...(dueBy !== null && { dueBy }), ...(playbook !== undefined && { playbook }) };
    }
    case 'delay_explained':
      return { type: 'explain_delay', cause: event.data.cause };
    case 'plan_submitted': {
      const { summary, owner, dueBy } = event.data;
      return { type: 'submit_plan', summary, owner, ...(dueBy !== null && { dueBy }) };
    }
    case 'task_completed': {
      const { riskId, taskId, note } = event.data;
      return { type: 'complete_task', riskId, taskId, ...(note !== null && { note }) };
    }
    case 'risk_resolved': {
      const { riskId, note } = event.data;
      return { type: 'resolve_risk', riskId, ...(note !== null && { note }) };
    }
    case 'deal_lost':
      return { type: 'mark_lost', reason: event.data.reason };
    case 'stage_moved':
      return { type: 'move_to_stage', stage: event.data.to, reason: event.data.reason };
    case 'deal_reopened':
      return { type: 'reopen', reason: event.data.reason };
    default:
      return null;
  }
}

/** Reads a whole timeline (oldest first, from `deal_created`) back into what happened to the deal. */
export function recordedDeal(events: readonly DealEvent[]): RecordedDeal {
  const created = events[0];
  if (created?.type !== 'deal_created') throw new Error('A deal timeline starts with deal_created');
  const { sop, dealId, owner, team, customer, amount, currency, attributes } = created.data;
  const steps: RecordedStep[] = [];
  const alerts: AlertPayload[] = [];
  for (const event of events.slice(1)) {
    if (isAlertEvent(event)) {
      alerts.push(event.data.alert);
      continue;
    }
    if (event.type === 'sop_migrated') {
      const { migrationId, toVersion, fromStage, toStage } = event.data;
      steps.push({ kind: 'migration', at: event.at, actor: event.actor, migrationId, toVersion, fromStage, toStage });
      continue;
    }
    const action = actionOf(event);
    if (action) steps.push({ kind: 'action', at: event.at, actor: event.actor, action });
  }
  return {
    opening: { dealId, owner, team, customer, amount, currency, attributes },
    sop,
    openedAt: created.at,
    openedBy: created.actor,
    steps,
    alerts,
    lastEventAt: events[events.length - 1].at,
  };
}
