import { clockFor, type SlaClock } from './clock';
import { dueEvents, stageClock } from './deadlines';
import type { DealEvent, EventOf, RequestDeadlines, StageDeadlines } from './deal-events';
import type { AlertType, DealState, EscalationClock, Instant, RequestRun, StageRun } from './deal-state';
import { evolve } from './evolve';
import type { Sop, Stage } from './sop-schema';
import type { StageVisit } from './stage-visit';

/** What ops asked for: the version to move to and where each old stage goes (`CONTRACT.md` v2.1). */
export interface MigrationPlan {
  readonly migrationId: string;
  /** Old stage id → new stage id; a stage whose id exists in the new version maps to itself. */
  readonly stageMap: Readonly<Record<string, string>>;
  /** Only deals on these versions; absent: every version below the new one. */
  readonly fromVersions?: readonly number[];
}

export type MigrationOutcome = 'migrate' | 'refuse' | 'skip';
export type MigrationReason =
  | 'deal_closed'
  | 'already_on_version'
  | 'newer_version'
  | 'version_not_selected'
  | 'other_sop'
  | 'unmapped_stage'
  /** Outside the deal: no deal of that id (a dry run or migration naming `dealIds`). */
  | 'unknown_deal';

/** One deal's row of a dry run, and what a real run does to it. */
export interface MigrationRow {
  readonly dealId: string;
  readonly fromVersion: number;
  readonly outcome: MigrationOutcome;
  readonly reason: MigrationReason | null;
  readonly fromStage: string | null;
  readonly toStage: string | null;
  readonly warnAt: Instant | null;
  readonly breachAt: Instant | null;
  readonly missingDeliverables: string[];
  /** The alerts whose thresholds under the new version are already past: each fires at once, once. */
  readonly firesAtOnce: AlertType[];
  /** This migration had already moved the deal: the row repeats its outcome, and nothing changed now. */
  readonly alreadyApplied?: true;
}

export interface MigrationDecision {
  readonly row: MigrationRow;
  /** The `sop_migrated` event when the deal migrates; empty otherwise. */
  readonly events: DealEvent[];
}

const iso = (ms: number): Instant => new Date(ms).toISOString();
const ms = (instant: Instant): number => Date.parse(instant);

/**
 * What moving `state` from its version `from` to `to` does, at `now`. The stage visit keeps its
 * `enteredAt`; its deadlines are computed again on the new stage's SLA and clock from `enteredAt`,
 * leaving out the pauses the visit has finished (a pause still running moves them at `resume`, as
 * always). Health never improves within a visit: the warnings and breaches it reflects were sent,
 * and are not sent again. Escalation levels keep their index and the number of times they fired;
 * one whose next firing is already past fires once, at the latest occurrence that is past.
 * Submitted deliverables the new stage also requires carry over; open requests get deadlines on
 * the new `requestSla`. The dry run and the deal itself both ask here.
 */
export function migrateDeal(
  state: DealState,
  visit: StageVisit | null,
  from: Sop,
  to: Sop,
  plan: MigrationPlan,
  now: Instant,
  actor: string,
): MigrationDecision {
  const fromStage = state.stage?.id ?? null;
  const row = (outcome: MigrationOutcome, reason: MigrationReason | null, rest: Partial<MigrationRow> = {}): MigrationRow => ({
    dealId: state.dealId,
    fromVersion: state.sop.version,
    outcome,
    reason,
    fromStage,
    toStage: null,
    warnAt: null,
    breachAt: null,
    missingDeliverables: [],
    firesAtOnce: [],
    ...rest,
  });
  if (state.sop.id !== to.id) return { row: row('refuse', 'other_sop'), events: [] };
  if (state.migrations?.includes(plan.migrationId) && state.sop.version === to.version) {
    return { row: row('migrate', null, { toStage: fromStage, alreadyApplied: true }), events: [] };
  }
  if (state.status !== 'open' || !state.stage) return { row: row('skip', 'deal_closed'), events: [] };
  if (state.sop.version === to.version) return { row: row('skip', 'already_on_version'), events: [] };
  if (state.sop.version > to.version) return { row: row('skip', 'newer_version'), events: [] };
  if (plan.fromVersions && !plan.fromVersions.includes(state.sop.version)) return { row: row('skip', 'version_not_selected'), events: [] };
  const run = state.stage;
  const target = targetStage(run.id, to, plan.stageMap);
  if (!target) return { row: row('refuse', 'unmapped_stage'), events: [] };

  const deliverables = target.deliverables.filter((id) => Object.hasOwn(run.submitted, id));
  const event: EventOf<'sop_migrated'> = {
    type: 'sop_migrated',
    at: now,
    actor,
    data: {
      migrationId: plan.migrationId,
      fromVersion: state.sop.version,
      toVersion: to.version,
      fromStage: run.id,
      toStage: target.id,
      stage: { ...visitDeadlines(run, visit, target, to, now), deliverables },
      requests: state.requests.filter((request) => !request.answeredAt).map((request) => requestDeadlinesOn(request, from, to)),
    },
  };
  const migrated = evolve(state, event);
  return {
    row: row('migrate', null, {
      toStage: target.id,
      warnAt: event.data.stage.warnAt,
      breachAt: event.data.stage.breachAt,
      missingDeliverables: target.deliverables.filter((id) => !deliverables.includes(id)),
      firesAtOnce: dueEvents(migrated, to, now).map((alert) => alert.data.alert.type),
    }),
    events: [event],
  };
}

/** The new version's stage for an old stage id: through the map, else the stage of the same id. */
export function targetStage(stageId: string, to: Sop, stageMap: Readonly<Record<string, string>>): Stage | null {
  const id = Object.hasOwn(stageMap, stageId) ? stageMap[stageId] : stageId;
  return to.stages.find((stage) => stage.id === id) ?? null;
}

/** Time the finished pauses took on `clock`, counted from `startedAt`. */
function pausedOn(clock: SlaClock, startedAt: Instant, pauses: ReadonlyArray<{ from: Instant; to: Instant | null }>): number {
  const start = ms(startedAt);
  return pauses.reduce((sum, pause) => (pause.to === null ? sum : sum + clock.elapsed(Math.max(start, ms(pause.from)), ms(pause.to))), 0);
}

function visitDeadlines(run: StageRun, visit: StageVisit | null, stage: Stage, sop: Sop, now: Instant): StageDeadlines {
  const clock = stageClock(stage, sop);
  const paused = pausedOn(clock, run.enteredAt, visit && visit.enteredAt === run.enteredAt ? visit.pauses : []);
  const at = (fromMs: number, duration: string): number => clock.addMs(clock.add(fromMs, duration), paused);
  const entered = ms(run.enteredAt);
  return {
    warnAt: stage.sla?.warnAfter ? iso(at(entered, stage.sla.warnAfter)) : null,
    breachAt: stage.sla ? iso(at(entered, stage.sla.breachAfter)) : null,
    escalations: stage.escalations.map((escalation, level): EscalationClock => {
      const fired = run.escalations.find((clockOf) => clockOf.level === level)?.occurrence ?? 0;
      const first = clock.add(entered, escalation.after);
      if (fired > 0 && !escalation.repeatEvery) return { level, occurrence: fired, nextAt: null };
      const repeat = escalation.repeatEvery;
      const occurrenceAt = (n: number): number => {
        let instant = first;
        for (let i = 0; i < n; i++) instant = clock.add(instant, repeat as string);
        return clock.addMs(instant, paused);
      };
      let occurrence = fired;
      let nextAt = occurrenceAt(occurrence);
      // Fire what is past once, at the latest past occurrence, not once for each missed repeat.
      while (repeat && nextAt < ms(now)) {
        const following = clock.add(nextAt, repeat);
        if (following > ms(now)) break;
        occurrence++;
        nextAt = following;
      }
      return { level, occurrence, nextAt: iso(nextAt) };
    }),
  };
}

/**
 * An open request's deadlines on the new `requestSla`, from when its clock started (opened, or its deal reopened), its finished pauses
 * left out. A request from before pauses were kept on it has them read back from its old deadline,
 * on the old clock; that works only when both clocks are of one kind, and otherwise none count.
 */
function requestDeadlinesOn(request: RequestRun, from: Sop, to: Sop): RequestDeadlines {
  const clock = clockFor(to.requestSla.clock, to.calendar);
  const startedAt = request.clockFrom ?? request.openedAt;
  const opened = ms(startedAt);
  let paused: number;
  if (request.pauses) paused = pausedOn(clock, startedAt, request.pauses);
  else if (from.requestSla.clock === to.requestSla.clock && request.breachAt) {
    const old = clockFor(from.requestSla.clock, from.calendar);
    paused = Math.max(0, old.elapsed(opened, ms(request.breachAt)) - old.lengthMs(from.requestSla.breachAfter));
  } else paused = 0;
  const at = (duration: string): Instant => iso(clock.addMs(clock.add(opened, duration), paused));
  return {
    requestId: request.requestId,
    warnAt: to.requestSla.warnAfter ? at(to.requestSla.warnAfter) : null,
    breachAt: at(to.requestSla.breachAfter),
  };
}
