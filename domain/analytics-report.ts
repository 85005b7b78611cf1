import {
  emptyTally,
  noProtocol,
  REVISIONS_CAP,
  weekOf,
  type ProtocolTally,
  type SopAnalytics,
  type StageTally,
  type Tally,
  type Totals,
} from './analytics';
import type { Instant } from './deal-state';
import { distribution, mergeSamples, percentile, type Bin } from './samples';
import type { Sop } from './sop-schema';

const TOP = 10;

export interface StageFigures {
  stage: string;
  visits: { entered: number; ended: number; open: number; skipped: number };
  timeInStage: {
    /** Completed visits measured; `exact` false once percentiles come from the histogram (±2.5%). */
    samples: number;
    exact: boolean;
    wallMs: { p50: number | null; p90: number | null };
    workingMs: { p50: number | null; p90: number | null };
    /** How many completed visits took how long, in ranges from under an hour to over a month. */
    distribution: { wallMs: Bin[]; workingMs: Bin[] };
  };
  slaWarningRate: number | null;
  slaBreachRate: number | null;
  breachedNow: number;
  escalationsPerVisit: number | null;
  lostHere: number;
  /** The response protocol (v2.4): idle deals now and the share of ended visits that went idle; cadence periods met; response times. */
  protocol: {
    idleNow: number;
    idleRate: number | null;
    cadence: { periods: number; missed: number; metRate: number | null };
    causeMs: { p50: number | null; p90: number | null; samples: number };
    planMs: { p50: number | null; p90: number | null; samples: number };
  };
}

/** One week's SLA rates per stage, over the visits that ended that week. */
export interface WeeklyRates {
  /** The week's Monday (UTC), `YYYY-MM-DD`. */
  week: string;
  stages: Array<{ stage: string; ended: number; warningRate: number | null; breachRate: number | null }>;
}

/** What the analytics workflow answers: every figure, stages by id. */
export interface AnalyticsFigures {
  sopId: string;
  asOf: string | null;
  deals: {
    opened: number;
    open: number;
    won: number;
    lost: number;
    winRate: number | null;
    escalationsPerDeal: number | null;
    /** Playbook tasks that fell overdue (v2.4). */
    tasksOverdue: number;
  };
  stages: StageFigures[];
  revisions: Array<{
    stage: string;
    outcomes: Array<{ revisions: number; orMore: boolean; won: number; lost: number; lossRate: number | null }>;
  }>;
  stalls: {
    lostReasons: Array<{ reason: string; deals: number }>;
    openRisks: Array<{ summary: string; deals: number }>;
    breachedStages: Array<{ stage: string; breaches: number }>;
  };
  /** Week by week: the last `WEEKS_SHOWN` weeks with figures, or every week of the period asked for. */
  weekly: WeeklyRates[];
  /** Present when the figures are for a period: deals and stages count in it, revisions and stalls other than breaches are all time. */
  period?: { from: Instant; to: Instant; firstWeek: string; lastWeek: string };
}

/** Weeks in the all-time figures' week-by-week series. */
export const WEEKS_SHOWN = 26;

/** `GET /v1/sops/:id/analytics`: the figures with the SOP's stage names, in the SOP's order. */
export type AnalyticsReport = Omit<AnalyticsFigures, 'stages'> & { sopName: string; stages: Array<StageFigures & { name: string }> };

const ratio = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

function protocolFigures(p: ProtocolTally): StageFigures['protocol'] {
  const times = (samples: ProtocolTally['cause']) => ({
    p50: percentile(samples, 0.5),
    p90: percentile(samples, 0.9),
    samples: samples.count,
  });
  return {
    idleNow: Math.max(0, p.idleStarted - p.idleStopped),
    idleRate: ratio(p.idleEnded, p.idleJudged),
    cadence: { periods: p.cadencePeriods, missed: p.cadenceMissed, metRate: ratio(p.cadencePeriods - p.cadenceMissed, p.cadencePeriods) },
    causeMs: times(p.cause),
    planMs: times(p.plan),
  };
}

export function stageFigures(stage: string, t: StageTally): StageFigures {
  return {
    stage,
    visits: { entered: t.entered, ended: t.ended, open: Math.max(0, t.entered - t.ended), skipped: t.skipped },
    timeInStage: {
      samples: t.wall.count,
      exact: t.wall.exact !== null,
      wallMs: { p50: percentile(t.wall, 0.5), p90: percentile(t.wall, 0.9) },
      workingMs: { p50: percentile(t.working, 0.5), p90: percentile(t.working, 0.9) },
      distribution: { wallMs: distribution(t.wall), workingMs: distribution(t.working) },
    },
    slaWarningRate: ratio(t.warnedEnded, t.ended),
    slaBreachRate: ratio(t.breachedEnded, t.ended),
    breachedNow: Math.max(0, t.breaches - t.breachedEnded),
    escalationsPerVisit: ratio(t.escalations, t.entered),
    lostHere: t.lost,
    protocol: protocolFigures(t.protocol ?? noProtocol),
  };
}

const top = (table: Readonly<Record<string, Tally>>): Tally[] =>
  Object.values(table)
    .filter((t) => t.deals > 0)
    .sort((a, b) => b.deals - a.deals || a.label.localeCompare(b.label))
    .slice(0, TOP);

function weeklyRates(weeks: Readonly<Record<string, Totals>>, keys: readonly string[]): WeeklyRates[] {
  return keys.map((week) => ({
    week,
    stages: Object.entries(weeks[week].stages)
      .filter(([, t]) => t.ended > 0)
      .map(([stage, t]) => ({
        stage,
        ended: t.ended,
        warningRate: ratio(t.warnedEnded, t.ended),
        breachRate: ratio(t.breachedEnded, t.ended),
      })),
  }));
}

export function analyticsFigures(a: SopAnalytics): AnalyticsFigures {
  const closed = a.deals.won + a.deals.lost;
  const stages = Object.entries(a.stages).map(([id, tally]) => stageFigures(id, tally));
  return {
    sopId: a.sopId,
    asOf: a.asOf,
    deals: {
      opened: a.deals.opened,
      open: Math.max(0, a.deals.opened - closed),
      won: a.deals.won,
      lost: a.deals.lost,
      winRate: ratio(a.deals.won, closed),
      escalationsPerDeal: ratio(a.deals.escalations, a.deals.opened),
      tasksOverdue: a.deals.tasksOverdue ?? 0,
    },
    stages,
    revisions: Object.entries(a.revisions).map(([stage, byCount]) => ({
      stage,
      outcomes: Object.entries(byCount)
        .map(([times, { won, lost }]) => ({
          revisions: Number(times),
          orMore: Number(times) >= REVISIONS_CAP,
          won,
          lost,
          lossRate: ratio(lost, won + lost),
        }))
        .sort((x, y) => x.revisions - y.revisions),
    })),
    stalls: {
      lostReasons: top(a.lostReasons).map(({ label, deals }) => ({ reason: label, deals })),
      openRisks: top(a.openRisks).map(({ label, deals }) => ({ summary: label, deals })),
      breachedStages: Object.entries(a.stages)
        .filter(([, t]) => t.breaches > 0)
        .map(([stage, t]) => ({ stage, breaches: t.breaches }))
        .sort((x, y) => y.breaches - x.breaches || x.stage.localeCompare(y.stage)),
    },
    weekly: weeklyRates(
      a.weeks ?? {},
      Object.keys(a.weeks ?? {})
        .sort()
        .slice(-WEEKS_SHOWN),
    ),
  };
}

function addStage(a: StageTally, b: StageTally): StageTally {
  return {
    entered: a.entered + b.entered,
    ended: a.ended + b.ended,
    skipped: a.skipped + b.skipped,
    warnedEnded: a.warnedEnded + b.warnedEnded,
    breachedEnded: a.breachedEnded + b.breachedEnded,
    breaches: a.breaches + b.breaches,
    escalations: a.escalations + b.escalations,
    lost: a.lost + b.lost,
    wall: mergeSamples(a.wall, b.wall),
    working: mergeSamples(a.working, b.working),
    ...(a.protocol || b.protocol ? { protocol: addProtocol(a.protocol ?? noProtocol, b.protocol ?? noProtocol) } : {}),
  };
}

function addProtocol(a: ProtocolTally, b: ProtocolTally): ProtocolTally {
  return {
    idleJudged: a.idleJudged + b.idleJudged,
    idleEnded: a.idleEnded + b.idleEnded,
    idleStarted: a.idleStarted + b.idleStarted,
    idleStopped: a.idleStopped + b.idleStopped,
    cadencePeriods: a.cadencePeriods + b.cadencePeriods,
    cadenceMissed: a.cadenceMissed + b.cadenceMissed,
    cause: mergeSamples(a.cause, b.cause),
    plan: mergeSamples(a.plan, b.plan),
  };
}

function addTotals(a: Totals, b: Totals): Totals {
  const stages: Record<string, StageTally> = { ...a.stages };
  for (const [id, tally] of Object.entries(b.stages))
    stages[id] = addStage(
      stages[id] ?? { ...emptyTally, wall: { count: 0, exact: null, buckets: {} }, working: { count: 0, exact: null, buckets: {} } },
      tally,
    );
  return {
    deals: {
      opened: a.deals.opened + b.deals.opened,
      won: a.deals.won + b.deals.won,
      lost: a.deals.lost + b.deals.lost,
      escalations: a.deals.escalations + b.deals.escalations,
      tasksOverdue: (a.deals.tasksOverdue ?? 0) + (b.deals.tasksOverdue ?? 0),
    },
    stages,
  };
}

const NO_TOTALS: Totals = { deals: { opened: 0, won: 0, lost: 0, escalations: 0 }, stages: {} };

/**
 * The figures of the weeks from `from`'s to `to`'s (whole weeks, Monday UTC): a visit counts in the
 * week it ended, so rates and times in stage are over visits that ended in the period; a visit or
 * a deal open at any moment of the period counts as open. Revisions, lost reasons and open risks
 * stay all time.
 */
export function periodFigures(a: SopAnalytics, from: Instant, to: Instant): AnalyticsFigures {
  const weeks = a.weeks ?? {};
  const firstWeek = weekOf(from);
  const lastWeek = weekOf(to);
  const keys = Object.keys(weeks).sort();
  const inside = keys.filter((week) => week >= firstWeek && week <= lastWeek);
  const sum = (list: readonly string[]) => list.reduce((total, week) => addTotals(total, weeks[week]), NO_TOTALS);
  const period = sum(inside);
  // Open at some moment of the period: entered (opened) by its end, not ended (closed) before it began.
  const through = sum(keys.filter((week) => week <= lastWeek));
  const before = sum(keys.filter((week) => week < firstWeek));
  // Every stage with a visit open in the period is listed, ended visits in it or not.
  const stages = { ...Object.fromEntries(Object.keys(through.stages).map((id) => [id, emptyTally])), ...period.stages };
  const figures = analyticsFigures({ ...a, ...period, stages, weeks: {} });
  return {
    ...figures,
    deals: { ...figures.deals, open: Math.max(0, through.deals.opened - before.deals.won - before.deals.lost) },
    stages: figures.stages.map((stage) => ({
      ...stage,
      visits: {
        ...stage.visits,
        open: Math.max(0, (through.stages[stage.stage]?.entered ?? 0) - (before.stages[stage.stage]?.ended ?? 0)),
      },
    })),
    weekly: weeklyRates(weeks, inside),
    period: { from, to, firstWeek, lastWeek },
  };
}

/** Names the stages after the SOP and puts them in its order; stages no deal reached yet show zeros. */
export function analyticsReport(figures: AnalyticsFigures, sop: Sop): AnalyticsReport {
  const byId = new Map(figures.stages.map((s) => [s.stage, s]));
  const named = ({ stage, ...figure }: StageFigures, name: string) => ({ stage, name, ...figure });
  const known = sop.stages.map((s) => named(byId.get(s.id) ?? stageFigures(s.id, emptyTally), s.name));
  const retired = figures.stages.filter((s) => !sop.stages.some((d) => d.id === s.stage)).map((s) => named(s, s.stage));
  const order = (stage: string) => sop.stages.findIndex((s) => s.id === stage);
  return {
    ...figures,
    sopName: sop.name,
    stages: [...known, ...retired],
    revisions: [...figures.revisions].sort((x, y) => order(x.stage) - order(y.stage)),
  };
}

/** How a deal's time in its stage compares with the median of completed visits: 1.4 = 40% slower. */
export function paceOf(timeInStageMs: number, peerP50Ms: number | null): number | null {
  return peerP50Ms && peerP50Ms > 0 ? Math.round((timeInStageMs / peerP50Ms) * 100) / 100 : null;
}
