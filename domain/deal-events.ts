import type { Attributes, Customer } from './deal-schema';
import type { AlertPayload, CadenceCursor, CadenceMiss, Delivery, EscalationClock, Instant, StageResponse } from './deal-state';

/** A task's deadline as a clock event starts or moves it. */
export interface TaskDeadline {
  readonly riskId: string;
  readonly taskId: string;
  readonly dueBy: Instant;
}
import type { Rule } from './rules';

/** Deadlines a clock event starts or moves, as absolute instants. */
export interface StageDeadlines {
  readonly warnAt: Instant | null;
  readonly breachAt: Instant | null;
  readonly escalations: readonly EscalationClock[];
}
export interface RequestDeadlines {
  readonly requestId: string;
  readonly warnAt: Instant | null;
  readonly breachAt: Instant | null;
}

interface Shape<T extends string, D> {
  readonly type: T;
  readonly at: Instant;
  /** The caller's subject, or `system` for what time produced. */
  readonly actor: string;
  readonly data: D;
}

export type DealEvent =
  | Shape<
      'deal_created',
      {
        dealId: string;
        sop: { id: string; version: number };
        owner: string;
        team: Record<string, string>;
        customer: Customer;
        amount: number;
        currency: string;
        attributes: Attributes;
      }
    >
  /** `restarted`: entered by a move or a reopen, so its alerts are told apart from an earlier visit's. */
  | Shape<'stage_entered', { stage: string; restarted?: true } & StageDeadlines>
  | Shape<'stage_moved', { from: string | null; to: string; reason: string }>
  | Shape<'deal_reopened', { reason: string; stage: string; requests: RequestDeadlines[] }>
  | Shape<'stage_skipped', { stage: string; rule: Rule }>
  | Shape<'deliverable_submitted', { stage: string; deliverable: string; ref: string | null }>
  | Shape<'stage_completed', { stage: string; note: string | null }>
  | Shape<'activity_logged', { kind: string; note: string | null }>
  | Shape<'request_opened', { requestId: string; summary: string | null; warnAt: Instant | null; breachAt: Instant | null }>
  | Shape<'request_answered', { requestId: string; note: string | null }>
  | Shape<'revision_requested', { stage: string; reason: string; revision: number }>
  | Shape<'paused', { reason: string }>
  /** `tasks`: the open risks' tasks moved later; absent when there were none. */
  /** `stage.idlePausedMs`: the idle clock's paused time so far, when the stage has one. */
  | Shape<
      'resumed',
      {
        pausedMs: number;
        stage: (StageDeadlines & { idlePausedMs?: number; responseDueBy?: Instant; cadence?: Array<CadenceCursor | null> }) | null;
        requests: RequestDeadlines[];
        tasks?: TaskDeadline[];
      }
    >
  | Shape<'reassigned', { from: string; to: string }>
  | Shape<'deal_updated', { amount?: number; customer?: Customer; team?: Record<string, string>; attributes?: Attributes }>
  | Shape<
      'risk_raised',
      {
        riskId: string;
        summary: string;
        owner: string;
        dueBy: Instant | null;
        /** With a playbook: its id, and its steps as tasks. */
        playbook?: string;
        tasks?: Array<{ taskId: string; summary: string; role: string; owner: string | null; dueBy: Instant }>;
      }
    >
  | Shape<'task_completed', { riskId: string; taskId: string; note: string | null }>
  | Shape<'risk_resolved', { riskId: string; note: string | null }>
  | Shape<'deal_won', Record<string, never>>
  | Shape<'deal_lost', { reason: string }>
  /** `response`: what the stage now asks for (`onYellow` / `onRed`), absent when it asks nothing. */
  | Shape<'sla_warning', { stage: string; alert: AlertPayload; response?: StageResponse }>
  | Shape<'sla_breached', { stage: string; alert: AlertPayload; response?: StageResponse }>
  | Shape<'response_overdue', { stage: string; response: { require: 'cause' | 'plan'; within: string }; alert: AlertPayload }>
  | Shape<'delay_explained', { stage: string; cause: string }>
  /** `rule`: the index in the stage's `cadence`; `next`: where judging that rule goes on. */
  | Shape<'cadence_missed', { stage: string; rule: number; cadence: CadenceMiss; next: CadenceCursor; alert: AlertPayload }>
  | Shape<'plan_submitted', { stage: string; summary: string; owner: string; dueBy: Instant | null }>
  | Shape<'escalation_fired', { stage: string; level: number; occurrence: number; nextAt: Instant | null; alert: AlertPayload }>
  | Shape<'request_warning', { requestId: string; alert: AlertPayload }>
  | Shape<'request_breached', { requestId: string; alert: AlertPayload }>
  | Shape<'risk_overdue', { riskId: string; alert: AlertPayload }>
  | Shape<'task_overdue', { riskId: string; taskId: string; alert: AlertPayload }>
  | Shape<'deal_idle', { stage: string; occurrence: number; alert: AlertPayload }>
  /** An alert sent again by hand (`POST …/alerts/:alertId/redeliver`), under its own webhook id. */
  | Shape<'alert_redelivered', { alertId: string }>
  | Shape<'delivery_recorded', { alertId: string; delivery: Exclude<Delivery, 'pending'>; error: string | null }>
  | Shape<
      'sop_migrated',
      {
        migrationId: string;
        fromVersion: number;
        toVersion: number;
        fromStage: string;
        toStage: string;
        /** The visit's deadlines on the new version, and the submitted deliverables it keeps. */
        stage: StageDeadlines & { deliverables: string[] };
        requests: RequestDeadlines[];
      }
    >
  | Shape<'action_rejected', { action: string; code: string; message: string }>;

export type DealEventType = DealEvent['type'];
export type EventOf<T extends DealEventType> = Extract<DealEvent, { type: T }>;
/** The events time produces; each carries the webhook it sends. */
export type AlertEvent = EventOf<
  | 'sla_warning'
  | 'sla_breached'
  | 'escalation_fired'
  | 'request_warning'
  | 'request_breached'
  | 'risk_overdue'
  | 'task_overdue'
  | 'deal_idle'
  | 'response_overdue'
  | 'cadence_missed'
>;

/** Whether time produced `event`: an alert event carries the webhook it sends. */
export function isAlertEvent(event: DealEvent): event is AlertEvent {
  return 'alert' in event.data;
}
