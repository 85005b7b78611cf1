import type { Attributes, Customer } from './deal-schema';
import type { Rule } from './rules';
import type { ClockKind } from './sop-schema';

/** Every time in state and events is an ISO string as `Date.prototype.toISOString()` writes it. */
export type Instant = string;
export type Health = 'green' | 'yellow' | 'red';
export type DealStatus = 'open' | 'won' | 'lost';
export type Delivery = 'pending' | 'delivered' | 'failed' | 'skipped';
/** Every alert a deal fires: the webhook events of `CONTRACT.md`. */
export const ALERT_TYPES = [
  'deal.sla.warning',
  'deal.sla.breached',
  'deal.escalated',
  'deal.request.warning',
  'deal.request.breached',
  'deal.risk.overdue',
  'deal.task.overdue',
  'deal.idle',
  'deal.response.overdue',
  'deal.cadence.missed',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** The next firing of one entry of a stage's escalation ladder. */
export interface EscalationClock {
  readonly level: number;
  readonly occurrence: number;
  /** null once an escalation without `repeatEvery` has fired. */
  readonly nextAt: Instant | null;
}

export interface StageRun {
  readonly id: string;
  readonly enteredAt: Instant;
  readonly submitted: Readonly<Record<string, { readonly ref: string | null; readonly at: Instant }>>;
  readonly warnAt: Instant | null;
  readonly breachAt: Instant | null;
  readonly health: Health;
  readonly escalations: readonly EscalationClock[];
  /** Entered by `move_to_stage` or `reopen`: the stage may have been visited before. */
  readonly restarted?: true;
  /** The last action by a person in the stage (absent: none since `enteredAt`): the idle clock counts from it. */
  readonly touchedAt?: Instant;
  /** `deal.idle` alerts fired since then, and the time the idle clock stood still for pauses (on the stage's clock). */
  readonly idleFired?: number;
  readonly idlePausedMs?: number;
  /** The visit went idle at least once, and how many cadence periods it missed (for analytics). */
  readonly wentIdle?: true;
  readonly cadenceMissed?: number;
  /** What the stage asks of the deal since it turned yellow or red (`onYellow` / `onRed`), until answered. */
  readonly response?: StageResponse;
  /** Activities logged in the stage (the latest `ACTIVITIES_KEPT`), for its cadence. */
  readonly logged?: ReadonlyArray<{ readonly kind: string; readonly at: Instant }>;
  /** Per cadence rule, the first period not yet judged (absent: the first, from `enteredAt`). */
  readonly cadence?: ReadonlyArray<CadenceCursor | null>;
}

export interface RequestRun {
  readonly requestId: string;
  readonly summary: string | null;
  readonly openedAt: Instant;
  readonly answeredAt: Instant | null;
  readonly warnAt: Instant | null;
  readonly breachAt: Instant | null;
  readonly health: Health;
  /**
   * The pauses the request lived through while open, so its deadlines can be computed again on
   * another SLA (a migration). Absent on requests from before it was kept: none known.
   */
  readonly pauses?: ReadonlyArray<{ readonly from: Instant; readonly to: Instant }>;
  /** When its SLA clock last started afresh (a reopened deal); absent: `openedAt`. */
  readonly clockFrom?: Instant;
}

/** Where a cadence rule's judging stands: the index and start of its next period to judge. */
export interface CadenceCursor {
  readonly index: number;
  readonly start: Instant;
}

/** What a missed cadence alert says of the period (`deal.cadence.missed`). */
export interface CadenceMiss {
  readonly kinds: readonly string[];
  readonly atLeast: number;
  readonly counted: number;
  readonly periodStart: Instant;
  readonly periodEnd: Instant;
}

/** A cause or a plan a stage asks for, counted from the warning or breach that asked. */
export interface StageResponse {
  /** Asked by the stage turning yellow (`onYellow`) or red (`onRed`). */
  readonly asked: 'yellow' | 'red';
  readonly require: 'cause' | 'plan';
  readonly within: string;
  /** The clock `within` runs on; absent: the stage's. */
  readonly clock?: ClockKind;
  readonly notify: readonly string[];
  /** The deadline of the alert that asked: the response's clock counts from it. */
  readonly from: Instant;
  readonly dueBy: Instant;
  readonly answeredAt: Instant | null;
  readonly overdue: boolean;
}

/** A step of the playbook a risk was raised with, as the deal's task. */
export interface RiskTask {
  readonly taskId: string;
  readonly summary: string;
  /** The step's role, and the subject it resolved to on the deal when the risk was raised (null: nobody holds it). */
  readonly role: string;
  readonly owner: string | null;
  readonly dueBy: Instant;
  readonly doneAt: Instant | null;
  readonly overdue: boolean;
}

export interface RiskRecord {
  readonly riskId: string;
  readonly summary: string;
  readonly owner: string;
  readonly dueBy: Instant | null;
  readonly raisedAt: Instant;
  readonly resolvedAt: Instant | null;
  readonly overdue: boolean;
  /** The playbook it was raised with, and its steps as tasks; absent without one. */
  readonly playbook?: string;
  readonly tasks?: readonly RiskTask[];
  /** The pauses its tasks' clocks stood still for (for explaining their deadlines). */
  readonly pauses?: ReadonlyArray<{ readonly from: Instant; readonly to: Instant }>;
}

/** Chat ids and the name of a person, from the people directory (`domain/people.ts`). */
export interface Contact {
  readonly name?: string;
  readonly email?: string;
  readonly wecom?: string;
  readonly feishu?: string;
  readonly dingtalk?: string;
  readonly slack?: string;
}

/**
 * Who a `notify` entry reaches. A path up the line (`manager.manager`) names in `via` the people it
 * went through, and its `subject` is resolved from the people directory when the alert is sent;
 * the contact fields come from the directory too.
 */
export interface Recipient extends Contact {
  readonly role: string;
  readonly subject: string | null;
  readonly via?: readonly string[];
}

/** The signed webhook body of `CONTRACT.md`, built once when the alert fires. */
export interface AlertPayload {
  readonly id: string;
  readonly type: AlertType;
  readonly occurredAt: Instant;
  readonly deadline: Instant;
  readonly deal: {
    readonly dealId: string;
    readonly owner: string;
    readonly status: DealStatus;
    readonly health: Health | null;
    readonly customer: Customer;
    readonly amount: number;
    readonly currency: string;
    readonly sop: { readonly id: string; readonly version: number };
  };
  readonly stage: { readonly id: string; readonly name: string; readonly enteredAt: Instant } | null;
  readonly requestId: string | null;
  readonly riskId: string | null;
  readonly level: number | null;
  readonly occurrence: number | null;
  readonly notify: readonly string[];
  readonly recipients: readonly Recipient[];
  /** A risk's task that fell overdue (`deal.task.overdue` only). */
  readonly taskId?: string;
  /** The period that fell short (`deal.cadence.missed` only). */
  readonly cadence?: CadenceMiss;
  /** What was asked and not answered in time (`deal.response.overdue` only). */
  readonly response?: { readonly require: 'cause' | 'plan'; readonly within: string };
}

/** A warning, breach or escalation recorded on the deal, with the state of its webhook delivery. */
export interface AlertRecord {
  readonly id: string;
  readonly type: AlertType;
  readonly stage: string | null;
  readonly requestId: string | null;
  readonly riskId: string | null;
  readonly level: number | null;
  readonly occurrence: number | null;
  readonly taskId?: string;
  readonly firedAt: Instant;
  readonly delivery: Delivery;
  /** The webhook body: kept while the delivery is pending (a new run sends it again) and once it failed or was skipped (to send it by hand). */
  readonly payload: AlertPayload | null;
}

export interface DealState {
  readonly dealId: string;
  readonly status: DealStatus;
  readonly sop: { readonly id: string; readonly version: number };
  readonly owner: string;
  readonly team: Readonly<Record<string, string>>;
  readonly customer: Customer;
  readonly amount: number;
  readonly currency: string;
  readonly attributes: Attributes;
  readonly createdAt: Instant;
  readonly closedAt: Instant | null;
  readonly lostReason: string | null;
  readonly paused: { readonly since: Instant; readonly reason: string } | null;
  readonly stage: StageRun | null;
  readonly history: ReadonlyArray<{ readonly stage: string; readonly enteredAt: Instant; readonly completedAt: Instant }>;
  readonly skipped: ReadonlyArray<{ readonly stage: string; readonly rule: Rule }>;
  readonly requests: readonly RequestRun[];
  readonly risks: readonly RiskRecord[];
  readonly revisions: Readonly<Record<string, number>>;
  readonly alerts: readonly AlertRecord[];
  /** How many times the deal was reopened after being lost; absent: never. */
  readonly reopens?: number;
  /** The latest migrations applied to the deal (`MIGRATIONS_KEPT`), so applying one again changes nothing. */
  readonly migrations?: readonly string[];
}
