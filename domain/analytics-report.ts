import { emptyTally, REVISIONS_CAP, type SopAnalytics, type StageTally, type Tally } from './analytics';
import { percentile } from './samples';
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
  };
  slaWarningRate: number | null;
  slaBreachRate: number | null;
  breachedNow: number;
  escalationsPerVisit: number | null;
  lostHere: number;
}

/** What the analytics workflow answers: every figure, stages by id. */
export interface AnalyticsFigures {
  sopId: string;
  asOf: string | null;
  deals: { opened: number; open: number; won: number; lost: number; winRate: number | null; escalationsPerDeal: number | null };
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
}

/** `GET /v1/sops/:id/analytics`: the figures with the SOP's stage names, in the SOP's order. */
export type AnalyticsReport = Omit<AnalyticsFigures, 'stages'> & { sopName: string; stages: Array<StageFigures & { name: string }> };

const ratio = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

export function stageFigures(stage: string, t: StageTally): StageFigures {
  return {
    stage,
    visits: { entered: t.entered, ended: t.ended, open: Math.max(0, t.entered - t.ended), skipped: t.skipped },
    timeInStage: {
      samples: t.wall.count,
      exact: t.wall.exact !== null,
      wallMs: { p50: percentile(t.wall, 0.5), p90: percentile(t.wall, 0.9) },
      workingMs: { p50: percentile(t.working, 0.5), p90: percentile(t.working, 0.9) },
    },
    slaWarningRate: ratio(t.warnedEnded, t.ended),
    slaBreachRate: ratio(t.breachedEnded, t.ended),
    breachedNow: Math.max(0, t.breaches - t.breachedEnded),
    escalationsPerVisit: ratio(t.escalations, t.entered),
    lostHere: t.lost,
  };
}

const top = (table: Readonly<Record<string, Tally>>): Tally[] =>
  Object.values(table)
    .filter((t) => t.deals > 0)
    .sort((a, b) => b.deals - a.deals || a.label.localeCompare(b.label))
    .slice(0, TOP);

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
