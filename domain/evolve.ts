import type { AlertEvent, DealEvent, RequestDeadlines } from './deal-events';
import type {
  AlertRecord,
  CadenceCursor,
  DealState,
  Health,
  RequestRun,
  RiskRecord,
  RiskTask,
  StageResponse,
  StageRun,
} from './deal-state';

/** What a person does on a deal that counts as working it: each starts the stage's idle clock again. */
export const TOUCHES = new Set<DealEvent['type']>([
  'deliverable_submitted',
  'activity_logged',
  'request_opened',
  'request_answered',
  'revision_requested',
  'deal_updated',
  'risk_raised',
  'risk_resolved',
  'task_completed',
  'delay_explained',
  'plan_submitted',
]);

/** The only way a deal's state changes: apply one event. Pure; the event carries every instant. */
export function evolve(state: DealState, event: DealEvent): DealState {
  const next = apply(state, event);
  return TOUCHES.has(event.type) && next.stage
    ? { ...next, stage: { ...next.stage, touchedAt: event.at, idleFired: 0, idlePausedMs: 0 } }
    : next;
}

function apply(state: DealState, event: DealEvent): DealState {
  switch (event.type) {
    case 'deal_created':
      return state;
    case 'stage_entered': {
      const { stage, warnAt, breachAt, escalations, restarted } = event.data;
      // Reopened in the stage it was lost in (still `state.stage`): the deliverables submitted stay.
      const submitted = restarted && state.stage?.id === stage ? state.stage.submitted : {};
      const run: StageRun = { id: stage, enteredAt: event.at, submitted, warnAt, breachAt, health: 'green', escalations };
      return { ...state, stage: restarted ? { ...run, restarted } : run };
    }
    case 'stage_moved':
      return { ...state, stage: null };
    case 'deal_reopened':
      return reopened(state, event.data, event.at);
    case 'stage_skipped':
      return { ...state, skipped: [...state.skipped, { stage: event.data.stage, rule: event.data.rule }] };
    case 'deliverable_submitted':
      return withStage(state, (stage) => ({
        ...stage,
        submitted: { ...stage.submitted, [event.data.deliverable]: { ref: event.data.ref, at: event.at } },
      }));
    case 'stage_completed':
      return state.stage
        ? {
            ...state,
            stage: null,
            history: [...state.history, { stage: state.stage.id, enteredAt: state.stage.enteredAt, completedAt: event.at }],
          }
        : state;
    case 'request_opened': {
      const { requestId, summary, warnAt, breachAt } = event.data;
      const request: RequestRun = { requestId, summary, openedAt: event.at, answeredAt: null, warnAt, breachAt, health: 'green' };
      return { ...state, requests: [...state.requests, request] };
    }
    case 'request_answered':
      return withOpenRequest(state, event.data.requestId, (request) => ({ ...request, answeredAt: event.at }));
    case 'revision_requested':
      return { ...state, revisions: { ...state.revisions, [event.data.stage]: event.data.revision } };
    case 'paused':
      return { ...state, paused: { since: event.at, reason: event.data.reason } };
    case 'resumed':
      return resumed(state, event.data, event.at);
    case 'reassigned':
      return { ...state, owner: event.data.to };
    case 'deal_updated': {
      const { amount, customer, team, attributes } = event.data;
      return {
        ...state,
        amount: amount ?? state.amount,
        customer: customer ?? state.customer,
        team: team ?? state.team,
        attributes: attributes ?? state.attributes,
      };
    }
    case 'risk_raised': {
      const { riskId, summary, owner, dueBy, playbook, tasks } = event.data;
      const risk: RiskRecord = { riskId, summary, owner, dueBy, raisedAt: event.at, resolvedAt: null, overdue: false };
      const steps = tasks?.map((task): RiskTask => ({ ...task, doneAt: null, overdue: false }));
      return { ...state, risks: [...state.risks, playbook && steps ? { ...risk, playbook, tasks: steps } : risk] };
    }
    case 'task_completed':
      return withTask(state, event.data.riskId, event.data.taskId, (task) => ({ ...task, doneAt: event.at }));
    case 'risk_resolved':
      return {
        ...state,
        risks: state.risks.map((risk) =>
          risk.riskId === event.data.riskId && !risk.resolvedAt ? { ...risk, resolvedAt: event.at } : risk,
        ),
      };
    case 'deal_won':
      return closed(state, 'won', event.at, null);
    case 'deal_lost':
      return closed(state, 'lost', event.at, event.data.reason);
    case 'delivery_recorded':
      // A failed or skipped alert keeps its body, so that it can be sent again by hand.
      return withAlertRecord(state, event.data.alertId, (alert) => ({
        ...alert,
        delivery: event.data.delivery,
        payload: event.data.delivery === 'delivered' ? null : alert.payload,
      }));
    case 'sop_migrated':
      return migrated(state, event.data);
    case 'alert_redelivered':
      return withAlertRecord(state, event.data.alertId, (alert) => ({ ...alert, delivery: 'pending' }));
    case 'action_rejected':
      return state;
    case 'activity_logged':
      return withStage(state, (stage) => ({
        ...stage,
        logged: [...(stage.logged ?? []), { kind: event.data.kind, at: event.at }].slice(-ACTIVITIES_KEPT),
      }));
    case 'delay_explained':
    case 'plan_submitted':
      return withStage(state, (stage) => (stage.response ? { ...stage, response: { ...stage.response, answeredAt: event.at } } : stage));
    default:
      return withAlert(applyAlertEffect(state, event), event);
  }
}

/** What an alert does to the deal besides recording it: health, the next escalation, an overdue risk. */
export function applyAlertEffect(state: DealState, event: AlertEvent): DealState {
  switch (event.type) {
    case 'sla_warning':
      return withStage(state, (stage) => ({ ...stage, health: worse(stage.health, 'yellow'), ...asked(event.data.response) }));
    case 'sla_breached':
      return withStage(state, (stage) => ({ ...stage, health: 'red', ...asked(event.data.response) }));
    case 'response_overdue':
      return withStage(state, (stage) => (stage.response ? { ...stage, response: { ...stage.response, overdue: true } } : stage));
    case 'escalation_fired': {
      const { level, occurrence, nextAt } = event.data;
      return withStage(state, (stage) => ({
        ...stage,
        escalations: stage.escalations.map((clock) => (clock.level === level ? { level, occurrence: occurrence + 1, nextAt } : clock)),
      }));
    }
    case 'request_warning':
      return withOpenRequest(state, event.data.requestId, (request) => ({ ...request, health: worse(request.health, 'yellow') }));
    case 'request_breached':
      return withOpenRequest(state, event.data.requestId, (request) => ({ ...request, health: 'red' }));
    case 'risk_overdue':
      return {
        ...state,
        risks: state.risks.map((risk) => (risk.riskId === event.data.riskId && !risk.resolvedAt ? { ...risk, overdue: true } : risk)),
      };
    case 'task_overdue':
      return withTask(state, event.data.riskId, event.data.taskId, (task) => ({ ...task, overdue: true }));
    case 'deal_idle':
      return withStage(state, (stage) => ({ ...stage, idleFired: (stage.idleFired ?? 0) + 1, wentIdle: true }));
    case 'cadence_missed':
      return withStage(state, (stage) => ({
        ...stage,
        cadence: withCursor(stage.cadence, event.data.rule, event.data.next),
        cadenceMissed: (stage.cadenceMissed ?? 0) + 1,
      }));
  }
}

/** A response the stage asks for now replaces whatever it asked before (a plan on red supersedes a cause on yellow). */
function asked(response: StageResponse | undefined): { response?: StageResponse } {
  return response ? { response } : {};
}

/** Activities a stage run keeps for its cadence: far more than any weekly target counts. */
export const ACTIVITIES_KEPT = 200;

function withCursor(cursors: StageRun['cadence'], rule: number, next: CadenceCursor): Array<CadenceCursor | null> {
  const list = [...(cursors ?? [])];
  while (list.length <= rule) list.push(null);
  list[rule] = next;
  return list;
}

/** The task of an open risk, changed. */
function withTask(state: DealState, riskId: string, taskId: string, change: (task: RiskTask) => RiskTask): DealState {
  return {
    ...state,
    risks: state.risks.map((risk) =>
      risk.riskId === riskId && !risk.resolvedAt && risk.tasks
        ? { ...risk, tasks: risk.tasks.map((task) => (task.taskId === taskId ? change(task) : task)) }
        : risk,
    ),
  };
}

function withAlert(state: DealState, event: AlertEvent): DealState {
  const { alert } = event.data;
  const record: AlertRecord = {
    id: alert.id,
    type: alert.type,
    stage: alert.stage?.id ?? null,
    requestId: alert.requestId,
    riskId: alert.riskId,
    level: alert.level,
    occurrence: alert.occurrence,
    ...(alert.taskId !== undefined && { taskId: alert.taskId }),
    firedAt: event.at,
    delivery: 'pending',
    payload: alert,
  };
  return { ...state, alerts: [...state.alerts, record] };
}

/** How many migration ids a deal remembers: far more than run on one deal at a time. */
export const MIGRATIONS_KEPT = 20;

const RANK: Record<Health, number> = { green: 0, yellow: 1, red: 2 };
export function worse(a: Health, b: Health): Health {
  return RANK[a] >= RANK[b] ? a : b;
}

function withStage(state: DealState, change: (stage: StageRun) => StageRun): DealState {
  return state.stage ? { ...state, stage: change(state.stage) } : state;
}

function withAlertRecord(state: DealState, alertId: string, change: (alert: AlertRecord) => AlertRecord): DealState {
  return { ...state, alerts: state.alerts.map((alert) => (alert.id === alertId ? change(alert) : alert)) };
}

/** Each open request named in `deadlines` with its new deadlines, and whatever else `change` sets. */
function withRequestDeadlines(
  requests: readonly RequestRun[],
  deadlines: readonly RequestDeadlines[],
  change: (request: RequestRun) => Partial<RequestRun> = () => ({}),
): RequestRun[] {
  return requests.map((request) => {
    const moved = !request.answeredAt && deadlines.find((r) => r.requestId === request.requestId);
    return moved ? { ...request, warnAt: moved.warnAt, breachAt: moved.breachAt, ...change(request) } : request;
  });
}

function withOpenRequest(state: DealState, requestId: string, change: (request: RequestRun) => RequestRun): DealState {
  return {
    ...state,
    requests: state.requests.map((request) => (request.requestId === requestId && !request.answeredAt ? change(request) : request)),
  };
}

function resumed(state: DealState, data: Extract<DealEvent, { type: 'resumed' }>['data'], at: string): DealState {
  const { responseDueBy, ...moved } = data.stage ?? {};
  const stage =
    state.stage && data.stage
      ? {
          ...state.stage,
          ...moved,
          ...(state.stage.response && responseDueBy && { response: { ...state.stage.response, dueBy: responseDueBy } }),
        }
      : state.stage;
  const since = state.paused?.since ?? at;
  const requests = withRequestDeadlines(state.requests, data.requests, (request) => {
    const started = request.clockFrom ?? request.openedAt;
    return { pauses: [...(request.pauses ?? []), { from: since > started ? since : started, to: at }] };
  });
  // Open risks' tasks: their deadlines move with the pause, which their clocks record.
  const risks = data.tasks
    ? state.risks.map((risk) => {
        const moved = data.tasks?.filter((task) => task.riskId === risk.riskId) ?? [];
        if (moved.length === 0 || !risk.tasks) return risk;
        return {
          ...risk,
          tasks: risk.tasks.map((task) => ({ ...task, dueBy: moved.find((m) => m.taskId === task.taskId)?.dueBy ?? task.dueBy })),
          pauses: [...(risk.pauses ?? []), { from: since > risk.raisedAt ? since : risk.raisedAt, to: at }],
        };
      })
    : state.risks;
  return { ...state, paused: null, stage, requests, risks };
}

function reopened(state: DealState, data: Extract<DealEvent, { type: 'deal_reopened' }>['data'], at: string): DealState {
  // Each open request's clock starts again now: its pauses so far count no more.
  const requests = withRequestDeadlines(state.requests, data.requests, () => ({ health: 'green', pauses: [], clockFrom: at }));
  // The stage it was lost in stays until the `stage_entered` that follows starts it afresh.
  return { ...state, status: 'open', closedAt: null, lostReason: null, requests, reopens: (state.reopens ?? 0) + 1 };
}

function migrated(state: DealState, data: Extract<DealEvent, { type: 'sop_migrated' }>['data']): DealState {
  const stage = state.stage && {
    ...state.stage,
    id: data.toStage,
    warnAt: data.stage.warnAt,
    breachAt: data.stage.breachAt,
    escalations: data.stage.escalations,
    submitted: Object.fromEntries(Object.entries(state.stage.submitted).filter(([id]) => data.stage.deliverables.includes(id))),
  };
  const migrations = [...(state.migrations ?? []), data.migrationId].slice(-MIGRATIONS_KEPT);
  return {
    ...state,
    sop: { id: state.sop.id, version: data.toVersion },
    stage,
    requests: withRequestDeadlines(state.requests, data.requests),
    migrations,
  };
}

function closed(state: DealState, status: 'won' | 'lost', at: string, lostReason: string | null): DealState {
  // A lost deal keeps the stage it was lost in; a won deal has completed its last one.
  return { ...state, status, closedAt: at, lostReason, paused: null };
}
