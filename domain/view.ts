import type { DealEvent } from './deal-events';
import type { AlertType, DealState, DealStatus, Delivery, Health, Instant } from './deal-state';
import { healthOf } from './health';
import type { Rule } from './rules';
import type { Sop } from './sop-schema';
import type { StoredTimelinePage } from './timeline-pages';

/** `GET /v1/deals/:dealId`, exactly as `CONTRACT.md` lists it. */
export interface DealView {
  dealId: string;
  status: DealStatus;
  sop: { id: string; version: number };
  owner: string;
  team: Record<string, string>;
  customer: DealState['customer'];
  amount: number;
  currency: string;
  attributes: DealState['attributes'];
  health: Health | null;
  paused: boolean;
  /** Since when nobody has worked the deal in its stage, once `deal.idle` has fired (`CONTRACT.md` v2.4); else null. */
  idleSince: Instant | null;
  /** What the current stage asks for since it turned yellow or red, by when, and whether it was answered; null when nothing. */
  response: { require: 'cause' | 'plan'; within: string; dueBy: Instant; answeredAt: Instant | null; overdue: boolean } | null;
  stage: {
    id: string;
    name: string;
    enteredAt: Instant;
    deliverables: { required: string[]; submitted: string[] };
    warnAt: Instant | null;
    breachAt: Instant | null;
  } | null;
  skipped: Array<{ stage: string; rule: Rule }>;
  history: Array<{ stage: string; enteredAt: Instant; completedAt: Instant }>;
  requests: Array<{
    requestId: string;
    summary: string | null;
    openedAt: Instant;
    answeredAt: Instant | null;
    warnAt: Instant | null;
    breachAt: Instant | null;
  }>;
  risks: Array<{
    riskId: string;
    summary: string;
    owner: string;
    dueBy: Instant | null;
    raisedAt: Instant;
    resolvedAt: Instant | null;
    /** The playbook it was raised with (`CONTRACT.md` v2.4), and its steps as tasks; none without one. */
    playbook: string | null;
    tasks: Array<{
      taskId: string;
      summary: string;
      owner: string | null;
      role: string;
      dueBy: Instant;
      doneAt: Instant | null;
      overdue: boolean;
    }>;
  }>;
  revisions: Record<string, number>;
  escalations: Array<{
    id: string;
    type: AlertType;
    stage: string | null;
    requestId: string | null;
    level: number | null;
    occurrence: number | null;
    firedAt: Instant;
    delivery: Delivery;
  }>;
  createdAt: Instant;
  closedAt: Instant | null;
}

export interface TimelineEntry {
  at: Instant;
  type: DealEvent['type'];
  actor: string;
  data: DealEvent['data'];
}

/** The timeline as a deal holds it: where its pages are, then its latest events, from timeline index `from`. */
export interface TimelineTail {
  readonly from: number;
  readonly pages: readonly StoredTimelinePage[];
  readonly events: TimelineEntry[];
}

/**
 * What a deal's workflow returns once the deal is won or lost and its last deliveries and facts are
 * in: the deal and its whole timeline, so a closed deal is read from its history's close event
 * without a worker replaying the history. Deals closed before the timeline was added return the
 * view alone.
 */
export interface ClosedDeal extends DealView {
  /** The events the deal still held when it closed: the whole timeline, unless `timelinePages` say where the older ones are. */
  timeline?: TimelineEntry[];
  /** Where the deal's older events went (`TimelineTail`), when it moved any to pages; `timeline` then begins at `from`. */
  timelinePages?: { readonly from: number; readonly pages: readonly StoredTimelinePage[] };
}

/** While paused, every SLA clock stands still, so no deadline can be named. */
export function dealView(state: DealState, sop: Sop): DealView {
  const paused = state.paused !== null;
  const running = (instant: Instant | null) => (paused ? null : instant);
  const stageDef = state.stage && sop.stages.find((s) => s.id === state.stage?.id);
  return {
    dealId: state.dealId,
    status: state.status,
    sop: state.sop,
    owner: state.owner,
    team: { ...state.team },
    customer: state.customer,
    amount: state.amount,
    currency: state.currency,
    attributes: state.attributes,
    health: healthOf(state),
    paused,
    idleSince:
      state.status === 'open' && state.stage && (state.stage.idleFired ?? 0) > 0 ? (state.stage.touchedAt ?? state.stage.enteredAt) : null,
    response: state.stage?.response
      ? (({ require, within, dueBy, answeredAt, overdue }) => ({ require, within, dueBy, answeredAt, overdue }))(state.stage.response)
      : null,
    stage:
      state.stage && stageDef
        ? {
            id: state.stage.id,
            name: stageDef.name,
            enteredAt: state.stage.enteredAt,
            deliverables: { required: [...stageDef.deliverables], submitted: Object.keys(state.stage.submitted) },
            warnAt: running(state.stage.warnAt),
            breachAt: running(state.stage.breachAt),
          }
        : null,
    skipped: state.skipped.map((s) => ({ ...s })),
    history: state.history.map((h) => ({ ...h })),
    requests: state.requests.map(({ requestId, summary, openedAt, answeredAt, warnAt, breachAt }) => ({
      requestId,
      summary,
      openedAt,
      answeredAt,
      warnAt: answeredAt ? null : running(warnAt),
      breachAt: answeredAt ? null : running(breachAt),
    })),
    risks: state.risks.map(({ riskId, summary, owner, dueBy, raisedAt, resolvedAt, playbook, tasks }) => ({
      riskId,
      summary,
      owner,
      dueBy,
      raisedAt,
      resolvedAt,
      playbook: playbook ?? null,
      tasks: (tasks ?? []).map(({ taskId, summary: task, owner: holder, role, dueBy: due, doneAt, overdue }) => ({
        taskId,
        summary: task,
        owner: holder,
        role,
        dueBy: due,
        doneAt,
        overdue,
      })),
    })),
    revisions: { ...state.revisions },
    escalations: state.alerts.map(({ id, type, stage, requestId, level, occurrence, firedAt, delivery }) => ({
      id,
      type,
      stage,
      requestId,
      level,
      occurrence,
      firedAt,
      delivery,
    })),
    createdAt: state.createdAt,
    closedAt: state.closedAt,
  };
}

export function timelineEntry(event: DealEvent): TimelineEntry {
  return { at: event.at, type: event.type, actor: event.actor, data: event.data };
}
