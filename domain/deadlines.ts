import { alertId, alertPayload, type AlertSubject } from './alerts';
import { cadenceEnd } from './calendar';
import { clockFor, type SlaClock } from './clock';
import type { AlertEvent, RequestDeadlines, StageDeadlines, TaskDeadline } from './deal-events';
import type { CadenceCursor, DealState, Instant, RiskRecord, RiskTask, StageResponse, StageRun } from './deal-state';
import { applyAlertEffect, evolve } from './evolve';
import type { Cadence, Calendar, ClockKind, Sop, Stage } from './sop-schema';

const iso = (ms: number): Instant => new Date(ms).toISOString();
const ms = (instant: Instant): number => Date.parse(instant);

/** A stage's escalations run on its SLA clock, or the continuous clock where it has no SLA. */
export function stageClock(stage: Stage, sop: Sop): SlaClock {
  return clockFor(stage.sla?.clock ?? 'continuous', sop.calendar);
}

function requestClock(sop: Sop): SlaClock {
  return clockFor(sop.requestSla.clock, sop.calendar);
}

/** The deadlines a stage starts when it is entered. */
export function stageDeadlines(stage: Stage, sop: Sop, enteredAt: Instant): StageDeadlines {
  const clock = stageClock(stage, sop);
  const from = ms(enteredAt);
  return {
    warnAt: stage.sla?.warnAfter ? iso(clock.add(from, stage.sla.warnAfter)) : null,
    breachAt: stage.sla ? iso(clock.add(from, stage.sla.breachAfter)) : null,
    escalations: stage.escalations.map((escalation, level) => ({
      level,
      occurrence: 0,
      nextAt: iso(clock.add(from, escalation.after)),
    })),
  };
}

/** The deadlines a customer request starts when a rep logs it. */
export function requestDeadlines(sop: Sop, openedAt: Instant): { warnAt: Instant | null; breachAt: Instant } {
  const clock = requestClock(sop);
  const from = ms(openedAt);
  return {
    warnAt: sop.requestSla.warnAfter ? iso(clock.add(from, sop.requestSla.warnAfter)) : null,
    breachAt: iso(clock.add(from, sop.requestSla.breachAfter)),
  };
}

/**
 * Every running deadline moved later by the time the pause took on its own clock: all of it on the
 * continuous clock, its working time on the business clock. A clock started during the pause
 * counts only from the resume.
 */
export function resumedDeadlines(
  state: DealState,
  sop: Sop,
  resumedAt: Instant,
): {
  stage: (StageDeadlines & { idlePausedMs?: number; responseDueBy?: Instant; cadence?: Array<CadenceCursor | null> }) | null;
  requests: RequestDeadlines[];
  tasks?: TaskDeadline[];
} {
  const since = state.paused ? ms(state.paused.since) : ms(resumedAt);
  const until = ms(resumedAt);
  const shift = (clock: SlaClock, startedAt: Instant, deadline: Instant | null): Instant | null =>
    deadline === null ? null : iso(clock.addMs(ms(deadline), clock.elapsed(Math.max(since, ms(startedAt)), until)));
  const stageDef = state.stage ? sop.stages.find((stage) => stage.id === state.stage?.id) : undefined;
  const stage =
    state.stage && stageDef
      ? (() => {
          const clock = stageClock(stageDef, sop);
          const run = state.stage;
          const touched = run.touchedAt ?? run.enteredAt;
          return {
            warnAt: shift(clock, run.enteredAt, run.warnAt),
            breachAt: shift(clock, run.enteredAt, run.breachAt),
            escalations: run.escalations.map((e) => ({ ...e, nextAt: shift(clock, run.enteredAt, e.nextAt) })),
            // The idle clock stands still too: its paused time so far, from the last touch.
            ...(stageDef.idleAfter && { idlePausedMs: (run.idlePausedMs ?? 0) + clock.elapsed(Math.max(since, ms(touched)), until) }),
            ...(run.response &&
              !run.response.answeredAt && {
                responseDueBy: shift(responseClock(stageDef, sop, run.response.clock), run.response.from, run.response.dueBy) as Instant,
              }),
            // A cadence period that ended while the deal was paused is not judged: each rule goes on from the period now.
            ...(stageDef.cadence && { cadence: stageDef.cadence.map((rule, index) => cadenceAt(run, rule, index, sop, until)) }),
          };
        })()
      : null;
  const clock = requestClock(sop);
  const requests = state.requests
    .filter((request) => !request.answeredAt)
    .map((request) => ({
      requestId: request.requestId,
      warnAt: shift(clock, request.clockFrom ?? request.openedAt, request.warnAt),
      breachAt: shift(clock, request.clockFrom ?? request.openedAt, request.breachAt),
    }));
  // A risk's tasks run on the continuous clock from the risk's raising.
  const continuous = clockFor('continuous', sop.calendar);
  const tasks = pendingTasks(state).map(({ risk, task }) => ({
    riskId: risk.riskId,
    taskId: task.taskId,
    dueBy: shift(continuous, risk.raisedAt, task.dueBy) as Instant,
  }));
  return tasks.length > 0 ? { stage, requests, tasks } : { stage, requests };
}

/** A moment at which time itself produces an event on this deal. */
export interface Deadline extends AlertSubject {
  readonly at: Instant;
}

/**
 * The pending deadlines of a deal, earliest first: stage warning and breach, each escalation's next
 * firing, each open request's warning and breach, each open risk's due date. None while the deal is
 * closed; while it is paused only risks, whose due dates are calendar dates, not SLA clocks.
 */
export function deadlines(state: DealState, sop: Sop): Deadline[] {
  if (state.status !== 'open') return [];
  const list: Deadline[] = [...riskDeadlines(state)];
  if (!state.paused) list.push(...stageDeadlineList(state, sop), ...requestDeadlineList(state, sop), ...taskDeadlines(state));
  return list.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

const NONE = { stage: null, requestId: null, riskId: null, level: null, occurrence: null } as const;

/** A response's clock: its own where the SOP names one, else the stage's. */
export function responseClock(stage: Stage, sop: Sop, clock: ClockKind | undefined): SlaClock {
  return clock ? clockFor(clock, sop.calendar) : stageClock(stage, sop);
}

/** The cursor of the cadence period that holds `atMs`, walking on from `from` (its index: the periods ended before it). */
export function cadenceCursorAt(from: CadenceCursor, per: Cadence['per'], calendar: Calendar, atMs: number): CadenceCursor {
  let cursor = from;
  for (let walked = 0; walked < MAX_PERIODS_WALKED; walked++) {
    const end = cadenceEnd(ms(cursor.start), per, calendar, cursor.index === 0);
    if (end > atMs) return cursor;
    cursor = { index: cursor.index + 1, start: iso(end) };
  }
  return cursor;
}

/** A rule's cursor at `atMs`, from where the stage's judging of it stands. */
function cadenceAt(run: StageRun, rule: Cadence, index: number, sop: Sop, atMs: number): CadenceCursor {
  return cadenceCursorAt(run.cadence?.[index] ?? { index: 0, start: run.enteredAt }, rule.per, sop.calendar, atMs);
}

/** Periods walked past, met, to find the next that falls short: a cadence judged a day at a time for years. */
const MAX_PERIODS_WALKED = 2_000;

/**
 * Each cadence rule's next period that falls short of its target, due at that period's end. Periods
 * met are passed over (a future period has counted nothing yet, so the walk stops there).
 */
function cadenceDeadlines(run: StageRun, stage: Stage, sop: Sop, raci: string[]): Deadline[] {
  return (stage.cadence ?? []).flatMap((rule, index): Deadline[] => {
    let cursor: CadenceCursor = run.cadence?.[index] ?? { index: 0, start: run.enteredAt };
    for (let walked = 0; walked < MAX_PERIODS_WALKED; walked++) {
      const end = iso(cadenceEnd(ms(cursor.start), rule.per, sop.calendar, cursor.index === 0));
      const counted = (run.logged ?? []).filter((a) => rule.kinds.includes(a.kind as never) && a.at >= cursor.start && a.at < end).length;
      const next = { index: cursor.index + 1, start: end };
      if (counted < rule.atLeast) {
        const miss = { kinds: [...rule.kinds], atLeast: rule.atLeast, counted, periodStart: cursor.start, periodEnd: end };
        return [
          {
            ...NONE,
            at: end,
            deadline: end,
            type: 'deal.cadence.missed',
            stage: run.id,
            notify: raci,
            cadence: { rule: index, miss, next },
          },
        ];
      }
      cursor = next;
    }
    return [];
  });
}

/** The tasks of open risks not done nor overdue yet: their clocks are running. */
function pendingTasks(state: DealState): Array<{ risk: RiskRecord; task: RiskTask }> {
  return state.risks
    .filter((risk) => !risk.resolvedAt)
    .flatMap((risk) => (risk.tasks ?? []).filter((task) => !task.doneAt && !task.overdue).map((task) => ({ risk, task })));
}

/** Each pending task, due at its `dueBy`; the task's role and the deal's owner are told. */
function taskDeadlines(state: DealState): Deadline[] {
  return pendingTasks(state).map(({ risk, task }) => ({
    ...NONE,
    at: task.dueBy,
    deadline: task.dueBy,
    type: 'deal.task.overdue' as const,
    riskId: risk.riskId,
    taskId: task.taskId,
    notify: [...new Set([task.role, 'owner'])],
  }));
}

function stageDeadlineList(state: DealState, sop: Sop): Deadline[] {
  const run = state.stage;
  const stage = run && sop.stages.find((s) => s.id === run.id);
  if (!run || !stage) return [];
  const raci = [stage.raci.responsible, stage.raci.accountable];
  const list: Deadline[] = [];
  if (run.warnAt && run.health === 'green') {
    list.push({ ...NONE, at: run.warnAt, deadline: run.warnAt, type: 'deal.sla.warning', stage: run.id, notify: raci });
  }
  if (run.breachAt && run.health !== 'red') {
    list.push({ ...NONE, at: run.breachAt, deadline: run.breachAt, type: 'deal.sla.breached', stage: run.id, notify: raci });
  }
  if (stage.idleAfter) {
    // The n-th idle alert since the last touch falls n idleAfters after it, on the stage's clock, later by the pauses since.
    const clock = stageClock(stage, sop);
    const fired = run.idleFired ?? 0;
    const at = iso(
      clock.addMs(ms(run.touchedAt ?? run.enteredAt), (fired + 1) * clock.lengthMs(stage.idleAfter) + (run.idlePausedMs ?? 0)),
    );
    list.push({ ...NONE, at, deadline: at, type: 'deal.idle', stage: run.id, occurrence: fired, notify: raci });
  }
  list.push(...cadenceDeadlines(run, stage, sop, raci));
  if (run.response && !run.response.answeredAt && !run.response.overdue) {
    const due = run.response.dueBy;
    list.push({ ...NONE, at: due, deadline: due, type: 'deal.response.overdue', stage: run.id, notify: run.response.notify });
  }
  for (const clock of run.escalations) {
    if (!clock.nextAt) continue;
    list.push({
      ...NONE,
      at: clock.nextAt,
      deadline: clock.nextAt,
      type: 'deal.escalated',
      stage: run.id,
      level: clock.level,
      occurrence: clock.occurrence,
      notify: stage.escalations[clock.level]?.notify ?? [],
    });
  }
  return list;
}

function requestDeadlineList(state: DealState, sop: Sop): Deadline[] {
  const notify = sop.requestSla.notify;
  return state.requests
    .filter((request) => !request.answeredAt)
    .flatMap((request): Deadline[] => {
      const base = { ...NONE, requestId: request.requestId, notify };
      if (request.warnAt && request.health === 'green') {
        return [{ ...base, at: request.warnAt, deadline: request.warnAt, type: 'deal.request.warning' }];
      }
      if (request.breachAt && request.health !== 'red') {
        return [{ ...base, at: request.breachAt, deadline: request.breachAt, type: 'deal.request.breached' }];
      }
      return [];
    });
}

function riskDeadlines(state: DealState): Deadline[] {
  return state.risks
    .filter((risk) => risk.dueBy && !risk.resolvedAt && !risk.overdue)
    .map((risk) => ({
      ...NONE,
      at: risk.dueBy as Instant,
      deadline: risk.dueBy as Instant,
      type: 'deal.risk.overdue',
      riskId: risk.riskId,
      notify: ['owner', 'manager'],
    }));
}

/** Stops a deal that has been down for years from firing an unbounded catch-up in one step. */
const MAX_EVENTS_PER_STEP = 500;

/**
 * The events time has produced by `now`, in the order their deadlines fell, each carrying the
 * webhook it sends. A deadline missed while the service was down fires on the next step.
 */
export function dueEvents(state: DealState, sop: Sop, now: Instant): AlertEvent[] {
  const events: AlertEvent[] = [];
  let current = state;
  for (let i = 0; i < MAX_EVENTS_PER_STEP; i++) {
    const next = deadlines(current, sop)[0];
    if (!next || next.at > now) break;
    const event = alertEvent(current, sop, next, now);
    events.push(event);
    current = evolve(current, event);
  }
  return events;
}

function alertEvent(state: DealState, sop: Sop, due: Deadline, now: Instant): AlertEvent {
  const { type, data } = draftOf(due, sop, state);
  // The payload is built once the event's own effect is applied, so it shows the health it causes.
  const draft = { at: now, actor: 'system', type, data: { ...data, alert: null } } as unknown as AlertEvent;
  const alert = alertPayload(applyAlertEffect(state, draft), sop, due, alertId(state, due), now);
  return { ...draft, data: { ...draft.data, alert } } as AlertEvent;
}

/** The response an overdue alert names: what was asked, and within how long. */
function overdueResponse(state: DealState): { require: 'cause' | 'plan'; within: string } | null {
  const response = state.stage?.response;
  return response ? { require: response.require, within: response.within } : null;
}

/** What a stage turning yellow (red) asks for, due `within` after the warning's (breach's) deadline on the stage's clock. */
function responseAsked(due: Deadline, sop: Sop, field: 'onYellow' | 'onRed'): { response?: StageResponse } {
  const stage = sop.stages.find((s) => s.id === due.stage);
  const rule = stage?.[field];
  if (!stage || !rule) return {};
  const dueBy = iso(responseClock(stage, sop, rule.clock).add(ms(due.at), rule.within));
  const asked = field === 'onYellow' ? 'yellow' : 'red';
  return {
    response: {
      asked,
      require: rule.require,
      within: rule.within,
      ...(rule.clock && { clock: rule.clock }),
      notify: rule.notify,
      from: due.at,
      dueBy,
      answeredAt: null,
      overdue: false,
    },
  };
}

function draftOf(due: Deadline, sop: Sop, state: DealState): { type: AlertEvent['type']; data: Record<string, unknown> } {
  switch (due.type) {
    case 'deal.sla.warning':
      return { type: 'sla_warning', data: { stage: due.stage, ...responseAsked(due, sop, 'onYellow') } };
    case 'deal.sla.breached':
      return { type: 'sla_breached', data: { stage: due.stage, ...responseAsked(due, sop, 'onRed') } };
    case 'deal.response.overdue':
      return { type: 'response_overdue', data: { stage: due.stage, response: overdueResponse(state) } };
    case 'deal.request.warning':
      return { type: 'request_warning', data: { requestId: due.requestId } };
    case 'deal.request.breached':
      return { type: 'request_breached', data: { requestId: due.requestId } };
    case 'deal.risk.overdue':
      return { type: 'risk_overdue', data: { riskId: due.riskId } };
    case 'deal.task.overdue':
      return { type: 'task_overdue', data: { riskId: due.riskId, taskId: due.taskId } };
    case 'deal.idle':
      return { type: 'deal_idle', data: { stage: due.stage, occurrence: due.occurrence } };
    case 'deal.cadence.missed':
      return {
        type: 'cadence_missed',
        data: { stage: due.stage, rule: due.cadence?.rule, cadence: due.cadence?.miss, next: due.cadence?.next },
      };
    case 'deal.escalated': {
      const stage = sop.stages.find((s) => s.id === due.stage) as Stage;
      const repeat = stage.escalations[due.level as number]?.repeatEvery;
      const nextAt = repeat ? iso(stageClock(stage, sop).add(ms(due.at), repeat)) : null;
      return { type: 'escalation_fired', data: { stage: stage.id, level: due.level, occurrence: due.occurrence, nextAt } };
    }
  }
}
