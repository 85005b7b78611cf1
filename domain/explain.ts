import type { AlertSubject } from './alerts';
import { calendarDays, localTime } from './calendar';
import { clockFor } from './clock';
import { deadlines, type Deadline } from './deadlines';
import type { AlertPayload, AlertType, DealState, Instant } from './deal-state';
import type { Calendar, ClockKind, Sop } from './sop-schema';
import type { StageVisit } from './stage-visit';

export type DeadlineKind =
  | 'stage.warning'
  | 'stage.breach'
  | 'escalation'
  | 'request.warning'
  | 'request.breach'
  | 'risk.due'
  | 'task.due'
  | 'idle'
  | 'response.due'
  | 'cadence';

/** One pending deadline and how it was reached (`GET /v1/deals/:dealId/explain`). */
export interface ExplainedDeadline {
  readonly kind: DeadlineKind;
  readonly stage: string | null;
  readonly requestId: string | null;
  readonly riskId: string | null;
  /** A risk's task (`task.due`); absent for every other deadline. */
  readonly taskId?: string;
  readonly level: number | null;
  readonly at: Instant;
  /** The SOP path and value the deadline comes from, e.g. `stages[1].sla.breachAfter = 2d business`. */
  readonly rule: string;
  /** The clock it runs on; `date` for a risk's due date, which no clock moves. */
  readonly clock: ClockKind | 'date';
  /** When its clock started. */
  readonly from: Instant;
  /** Wall time between `from` and `at` that the deal was paused, which the clock did not count. */
  readonly pausedMs: number;
  readonly calendar: Calendar;
  /** From `from` to `at` in words, one line per day counted or skipped. */
  readonly steps: string[];
}

export interface ExplainedAlert {
  readonly alertId: string;
  readonly type: AlertType;
  readonly firedAt: Instant;
  readonly deadline: Instant;
  readonly rule: string;
}

export interface Explanation {
  readonly dealId: string;
  readonly deadlines: ExplainedDeadline[];
  readonly alerts: ExplainedAlert[];
}

const KINDS: Record<AlertType, DeadlineKind> = {
  'deal.sla.warning': 'stage.warning',
  'deal.sla.breached': 'stage.breach',
  'deal.escalated': 'escalation',
  'deal.request.warning': 'request.warning',
  'deal.request.breached': 'request.breach',
  'deal.risk.overdue': 'risk.due',
  'deal.task.overdue': 'task.due',
  'deal.idle': 'idle',
  'deal.response.overdue': 'response.due',
  'deal.cadence.missed': 'cadence',
};

/** Days walked one line each; a deadline further out ends with one line for the rest. */
const MAX_DAYS_EXPLAINED = 400;

type Subject = Pick<AlertSubject, 'type' | 'stage' | 'requestId' | 'riskId' | 'level' | 'occurrence' | 'taskId'> & {
  readonly cadence?: { readonly rule: number };
};
interface Source {
  readonly rule: string;
  readonly clock: ClockKind | 'date';
  /** The SOP's duration (`2d`), absent for a risk's date. */
  readonly duration?: string;
}

/** Where in the SOP an alert's deadline comes from. */
function sourceOf(subject: Subject, sop: Sop, state: DealState): Source {
  if (subject.type === 'deal.task.overdue') {
    const risk = state.risks.find((r) => r.riskId === subject.riskId && r.tasks?.some((t) => t.taskId === subject.taskId));
    const steps = risk?.playbook ? (sop.riskPlaybooks?.[risk.playbook]?.steps ?? []) : [];
    const index = steps.findIndex((step) => step.id === subject.taskId);
    if (!risk?.playbook || index < 0) return { rule: `task "${subject.taskId}" of risk "${subject.riskId}"`, clock: 'date' };
    return {
      rule: `riskPlaybooks.${risk.playbook}.steps[${index}].dueIn = ${steps[index].dueIn} continuous`,
      clock: 'continuous',
      duration: steps[index].dueIn,
    };
  }
  if (subject.type === 'deal.risk.overdue') {
    const risk = state.risks.find((r) => r.riskId === subject.riskId);
    return { rule: `raise_risk "${subject.riskId}" dueBy = ${risk?.dueBy ?? 'unknown'}`, clock: 'date' };
  }
  if (subject.type === 'deal.request.warning' || subject.type === 'deal.request.breached') {
    const field = subject.type === 'deal.request.warning' ? 'warnAfter' : 'breachAfter';
    const duration = sop.requestSla[field] ?? '';
    return { rule: `requestSla.${field} = ${duration} ${sop.requestSla.clock}`, clock: sop.requestSla.clock, duration };
  }
  const index = sop.stages.findIndex((stage) => stage.id === subject.stage);
  const stage = sop.stages[index];
  if (!stage) return { rule: `stage "${subject.stage}" is not in SOP ${sop.id} v${sop.version}`, clock: 'continuous' };
  const clock = stage.sla?.clock ?? 'continuous';
  if (subject.type === 'deal.cadence.missed') {
    const rule = subject.cadence ? stage.cadence?.[subject.cadence.rule] : undefined;
    const text = rule
      ? `at least ${rule.atLeast} of ${rule.kinds.join(', ')} per ${rule.per === '1w' ? 'calendar week' : 'calendar day'}`
      : '';
    return { rule: `stages[${index}].cadence[${subject.cadence?.rule ?? 0}] = ${text}`, clock: 'date' };
  }
  if (subject.type === 'deal.response.overdue') {
    const response = state.stage?.id === subject.stage ? state.stage?.response : undefined;
    const field = response?.asked === 'yellow' ? 'onYellow' : 'onRed';
    const within = response?.within ?? stage[field]?.within ?? '';
    const kind = response?.clock ?? stage[field]?.clock ?? clock;
    return { rule: `stages[${index}].${field}.within = ${within} ${kind}`, clock: kind, duration: within };
  }
  if (subject.type === 'deal.idle') {
    return { rule: `stages[${index}].idleAfter = ${stage.idleAfter ?? ''} ${clock}`, clock, duration: stage.idleAfter ?? '' };
  }
  if (subject.type === 'deal.escalated') {
    const level = stage.escalations[subject.level ?? 0];
    const repeat = (subject.occurrence ?? 0) > 0;
    const duration = (repeat ? level?.repeatEvery : level?.after) ?? '';
    return {
      rule: `stages[${index}].escalations[${subject.level}].${repeat ? 'repeatEvery' : 'after'} = ${duration} ${clock}`,
      clock,
      duration,
    };
  }
  const field = subject.type === 'deal.sla.warning' ? 'warnAfter' : 'breachAfter';
  const duration = stage.sla?.[field] ?? '';
  return { rule: `stages[${index}].sla.${field} = ${duration} ${clock}`, clock, duration };
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const ms = (instant: Instant): number => Date.parse(instant);

/** `9h`, `4h 30m`, `2d 3h` (days only on the continuous clock, where a day is 24 hours), `45s` for SLAs of seconds. */
export function spoken(durationMs: number, days = false): string {
  const seconds = Math.round(durationMs / 1_000);
  const d = days ? Math.floor(seconds / 86_400) : 0;
  const h = Math.floor((seconds - d * 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  const parts = [d > 0 ? `${d}d` : '', h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 ? `${s}s` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : '0s';
}

function dayLabel(date: string): string {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return `${WEEKDAYS[weekday]} ${date}`;
}

/** The local day of an instant on the calendar, as the steps name days: `Mon 2026-01-05`. */
function dayAt(epochMs: number, calendar: Calendar): string {
  return dayLabel(calendarDays(epochMs, epochMs, calendar)[0].date);
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** `span` less the `cuts`, as the pieces left. */
function without(span: Span, cuts: readonly Span[]): Span[] {
  let pieces = [span];
  for (const cut of cuts) {
    pieces = pieces.flatMap((piece) =>
      cut.end <= piece.start || cut.start >= piece.end
        ? [piece]
        : [
            ...(cut.start > piece.start ? [{ start: piece.start, end: cut.start }] : []),
            ...(cut.end < piece.end ? [{ start: cut.end, end: piece.end }] : []),
          ],
    );
  }
  return pieces;
}

/**
 * The walk from `from` to `at` on the clock, day by day, with the calendar days the business clock
 * counts (`calendarDays`, the same windows it adds with) and the pauses it leaves out.
 */
function walk(from: number, at: number, clock: ClockKind, calendar: Calendar, pauses: readonly Span[], duration: string): string[] {
  const business = clock === 'business';
  const length = clockFor(clock, calendar).lengthMs(duration);
  const hours = `${calendar.workdays.map((day) => WEEKDAYS[day - 1]).join(' ')} ${calendar.hours.start}–${calendar.hours.end} ${calendar.timezone}`;
  const total = spoken(length, !business);
  const lines = [
    business
      ? `${duration} on the business clock is ${total} of working time (${hours}${calendar.holidays.length > 0 ? `, holidays off` : ''}), counted from ${dayAt(from, calendar)} ${localTime(from, calendar)}.`
      : `${duration} on the continuous clock is ${total} of wall time, counted from ${dayAt(from, calendar)} ${localTime(from, calendar)} (${calendar.timezone}).`,
  ];
  const days = calendarDays(from, at, calendar, MAX_DAYS_EXPLAINED);
  let counted = 0;
  for (const day of days) {
    const label = dayLabel(day.date);
    const window = business ? day.window : { start: day.dayStart, end: day.dayEnd };
    if (!window) {
      lines.push(`${label}: ${day.off === 'holiday' ? 'a holiday' : 'not a working day'}, not counted.`);
      continue;
    }
    const span = { start: Math.max(window.start, from), end: Math.min(window.end, at) };
    if (span.end <= span.start) {
      lines.push(`${label}: ${window.end <= from ? 'the clock starts after working hours' : 'outside working hours'}, nothing counted.`);
      continue;
    }
    const pieces = without(span, pauses);
    const paused = without(span, pieces);
    const time = (piece: Span) => `${localTime(piece.start, calendar)}–${localTime(piece.end, calendar, day.dayStart)}`;
    const today = pieces.reduce((sum, piece) => sum + piece.end - piece.start, 0);
    counted += today;
    const due = day.dayEnd > at ? `, due at ${localTime(at, calendar)}` : '';
    const parts = [
      pieces.length > 0
        ? `counted ${pieces.map(time).join(', ')} (${spoken(today, !business)}; ${spoken(counted, !business)} of ${total})${due}`
        : `nothing counted${due}`,
      ...(paused.length > 0 ? [`paused ${paused.map(time).join(', ')}, not counted`] : []),
    ];
    lines.push(`${label}: ${parts.join('; ')}.`);
  }
  const lastShown = days[days.length - 1];
  if (lastShown && lastShown.dayEnd <= at) lines.push(`… and so on, day by day, until it falls due at ${new Date(at).toISOString()}.`);
  return lines;
}

/** Pause intervals as spans; one still running ends at `until`. */
function spans(pauses: ReadonlyArray<{ from: Instant; to: Instant | null }>, until: number): Span[] {
  return pauses.map((pause) => ({ start: ms(pause.from), end: pause.to ? ms(pause.to) : until }));
}

function pausedWithin(from: number, at: number, pauses: readonly Span[]): number {
  return pauses.reduce((sum, pause) => sum + Math.max(0, Math.min(pause.end, at) - Math.max(pause.start, from)), 0);
}

/** When a deadline's clock started, and the pauses it lived through. */
function clockStart(
  deadline: Deadline,
  state: DealState,
  visit: StageVisit | null,
  fired: readonly AlertPayload[],
): { from: Instant; pauses: Span[] } {
  if (deadline.requestId !== null) {
    const request = state.requests.find((r) => r.requestId === deadline.requestId && !r.answeredAt);
    return { from: request?.clockFrom ?? request?.openedAt ?? deadline.at, pauses: spans(request?.pauses ?? [], ms(deadline.at)) };
  }
  if (deadline.riskId !== null) {
    const risk = state.risks.find((r) => r.riskId === deadline.riskId && !r.resolvedAt);
    // A task's clock stands still while the deal is paused; a risk's own due date does not move.
    const pauses = deadline.taskId ? spans(risk?.pauses ?? [], ms(deadline.at)) : [];
    return { from: risk?.raisedAt ?? deadline.at, pauses };
  }
  const run = state.stage;
  const pauses = visit && run && visit.stage === run.id ? spans(visit.pauses, ms(deadline.at)) : [];
  // A repeating escalation, and idleness again, count from the deadline of the previous firing.
  if ((deadline.type === 'deal.escalated' || deadline.type === 'deal.idle') && (deadline.occurrence ?? 0) > 0) {
    const previous = [...fired]
      .reverse()
      .find(
        (alert) =>
          alert.type === deadline.type &&
          alert.stage?.id === deadline.stage &&
          alert.level === deadline.level &&
          alert.occurrence === (deadline.occurrence ?? 0) - 1,
      );
    if (previous) return { from: previous.deadline, pauses };
  }
  // A response counts from the warning (breach) that asked for it.
  if (deadline.type === 'deal.response.overdue') return { from: run?.response?.from ?? deadline.at, pauses };
  // Idleness counts from the last action by a person in the stage.
  if (deadline.type === 'deal.idle') return { from: run?.touchedAt ?? run?.enteredAt ?? deadline.at, pauses };
  return { from: run?.enteredAt ?? deadline.at, pauses };
}

/** The rule behind an alert fired; a cadence alert's rule is the stage's rule with its target. */
function alertRule(alert: AlertPayload, sop: Sop, state: DealState): string {
  const stage = alert.stage?.id ?? null;
  const miss = alert.cadence;
  const rule = miss
    ? (sop.stages.find((s) => s.id === stage)?.cadence ?? []).findIndex(
        (r) => r.atLeast === miss.atLeast && r.kinds.length === miss.kinds.length && r.kinds.every((k) => miss.kinds.includes(k)),
      )
    : -1;
  const { cadence: _miss, ...rest } = alert;
  return sourceOf({ ...rest, stage, ...(rule >= 0 && { cadence: { rule } }) }, sop, state).rule;
}

/**
 * Every pending deadline of the deal, derived in words on its own calendar, and every alert it
 * fired with the rule behind it. `fired` are the alerts' bodies in the order they fired; `sopOf`
 * gives the version an alert fired under (a migrated deal's older alerts came from older rules).
 */
export function explainDeal(
  state: DealState,
  sop: Sop,
  visit: StageVisit | null,
  fired: readonly AlertPayload[],
  sopOf: (version: number) => Sop | null = () => null,
): Explanation {
  const explained = deadlines(state, sop).map((deadline): ExplainedDeadline => {
    const source = sourceOf(deadline, sop, state);
    const { from, pauses } = clockStart(deadline, state, visit, fired);
    const at = ms(deadline.at);
    const miss = deadline.cadence?.miss;
    const steps = miss
      ? [
          `This period runs from ${dayAt(ms(miss.periodStart), sop.calendar)} ${localTime(ms(miss.periodStart), sop.calendar)} to ${dayAt(at - 1, sop.calendar)} 24:00 (${sop.calendar.timezone}); a first period shorter than half a period runs on to the end of the next.`,
          `${miss.counted} of ${miss.atLeast} ${miss.kinds.join(' / ')} logged so far: ${miss.atLeast - miss.counted} more before the period ends, or it is reported as missed.`,
        ]
      : source.clock === 'date' || !source.duration
        ? [
            `Due at ${deadline.at}, the date given when the risk was raised; no SLA clock runs for it, so pauses and the calendar do not move it.`,
          ]
        : walk(ms(from), at, source.clock, sop.calendar, pauses, source.duration);
    return {
      kind: KINDS[deadline.type],
      stage: deadline.stage,
      requestId: deadline.requestId,
      riskId: deadline.riskId,
      ...(deadline.taskId ? { taskId: deadline.taskId } : {}),
      level: deadline.level,
      at: deadline.at,
      rule: source.rule,
      clock: source.clock,
      from,
      pausedMs: pausedWithin(ms(from), at, pauses),
      calendar: sop.calendar,
      steps,
    };
  });
  const alerts = fired.map((alert) => ({
    alertId: alert.id,
    type: alert.type,
    firedAt: alert.occurredAt,
    deadline: alert.deadline,
    rule: alertRule(alert, sopOf(alert.deal.sop.version) ?? sop, state),
  }));
  return { dealId: state.dealId, deadlines: explained, alerts };
}
