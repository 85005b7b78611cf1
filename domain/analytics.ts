import type { DealFact } from './deal-facts';
import type { Instant } from './deal-state';
import { addSample, noSamples, type Samples } from './samples';

/** One stage's running totals over every deal of an SOP. */
export interface StageTally {
  readonly entered: number;
  readonly ended: number;
  readonly skipped: number;
  /** Ended visits that got at least a warning (a breach counts), and that breached. */
  readonly warnedEnded: number;
  readonly breachedEnded: number;
  /** Breaches fired in the stage, ended visits or not. */
  readonly breaches: number;
  readonly escalations: number;
  /** Deals lost while in the stage. */
  readonly lost: number;
  /** Time in stage of completed visits, paused time left out. */
  readonly wall: Samples;
  readonly working: Samples;
  /** The response protocol (v2.4); absent in tallies from before it: none counted. */
  readonly protocol?: ProtocolTally;
}

/** What a stage's visits did under the response protocol. */
export interface ProtocolTally {
  /** Ended visits of stages with `idleAfter`, and those of them that went idle. */
  readonly idleJudged: number;
  readonly idleEnded: number;
  /** Idle spells started and ended: the difference is deals idle in the stage now. */
  readonly idleStarted: number;
  readonly idleStopped: number;
  readonly cadencePeriods: number;
  readonly cadenceMissed: number;
  /** From the warning (breach) that asked, to the cause (plan) given. */
  readonly cause: Samples;
  readonly plan: Samples;
}

export const noProtocol: ProtocolTally = {
  idleJudged: 0,
  idleEnded: 0,
  idleStarted: 0,
  idleStopped: 0,
  cadencePeriods: 0,
  cadenceMissed: 0,
  cause: { count: 0, exact: [], buckets: {} },
  plan: { count: 0, exact: [], buckets: {} },
};

/** A label counted by deals, under a normalised key. */
export interface Tally {
  readonly label: string;
  readonly deals: number;
}

/**
 * An SOP's analytics: sums of the facts its deals report, bounded in size whatever the number of
 * deals (samples are bucketed past a limit, label tables are capped, repeats are remembered for a window).
 */
export interface SopAnalytics {
  readonly sopId: string;
  readonly asOf: Instant | null;
  readonly deals: {
    readonly opened: number;
    readonly won: number;
    readonly lost: number;
    readonly escalations: number;
    /** Playbook tasks that fell overdue (v2.4); absent before. */
    readonly tasksOverdue?: number;
  };
  readonly stages: Readonly<Record<string, StageTally>>;
  /** Stage → revisions in it (capped at `REVISIONS_CAP`) → closed deals by outcome. */
  readonly revisions: Readonly<Record<string, Readonly<Record<string, { readonly won: number; readonly lost: number }>>>>;
  readonly lostReasons: Readonly<Record<string, Tally>>;
  readonly openRisks: Readonly<Record<string, Tally>>;
  /** Ids of the latest facts, so a fact delivered twice counts once. */
  readonly recent: readonly string[];
  /**
   * The same deal and stage counts week by week (`weekOf`), for figures over a period: a visit in
   * the week it ended, a deal in the weeks it opened and closed. Absent in totals carried from
   * before weeks were kept: weeks begin with the first fact folded after that.
   */
  readonly weeks?: Readonly<Record<string, Totals>>;
}

export const REVISIONS_CAP = 5;
const RECENT_LIMIT = 5_000;
const LABELS_LIMIT = 500;
const OTHER = '(other)';

export function emptyAnalytics(sopId: string): SopAnalytics {
  return {
    sopId,
    asOf: null,
    deals: { opened: 0, won: 0, lost: 0, escalations: 0 },
    stages: {},
    revisions: {},
    lostReasons: {},
    openRisks: {},
    recent: [],
    weeks: {},
  };
}

export const emptyTally: StageTally = {
  entered: 0,
  ended: 0,
  skipped: 0,
  warnedEnded: 0,
  breachedEnded: 0,
  breaches: 0,
  escalations: 0,
  lost: 0,
  wall: noSamples,
  working: noSamples,
};

/** Adds a batch of facts; facts already counted (same id, within the window) are dropped. */
export function foldFacts(analytics: SopAnalytics, facts: readonly DealFact[]): SopAnalytics {
  const seen = new Set(analytics.recent);
  const fresh = facts.filter((fact) => !seen.has(fact.id) && (seen.add(fact.id), true));
  if (fresh.length === 0) return analytics;
  const folded = fresh.reduce(foldFact, analytics);
  return { ...folded, recent: [...analytics.recent, ...fresh.map((f) => f.id)].slice(-RECENT_LIMIT) };
}

/** The counts a fact adds to: all time, or one week's. */
export interface Totals {
  readonly deals: SopAnalytics['deals'];
  readonly stages: Readonly<Record<string, StageTally>>;
}

/** A stage's protocol tally, changed. */
function protocol(s: StageTally, change: (p: ProtocolTally) => Partial<ProtocolTally>): Partial<StageTally> {
  const p = s.protocol ?? noProtocol;
  return { protocol: { ...p, ...change(p) } };
}

/** What one fact adds to a set of totals; a stage not counted yet starts from `blank`. */
function tallyFact(t: Totals, fact: DealFact, blank: StageTally): Totals {
  const stage = (id: string, change: (tally: StageTally) => Partial<StageTally>): Totals => {
    const tally = t.stages[id] ?? blank;
    return { ...t, stages: { ...t.stages, [id]: { ...tally, ...change(tally) } } };
  };
  switch (fact.kind) {
    case 'deal_opened':
      return { ...t, deals: { ...t.deals, opened: t.deals.opened + 1 } };
    case 'stage_entered':
      return stage(fact.stage, (s) => ({ entered: s.entered + 1 }));
    case 'stage_skipped':
      return stage(fact.stage, (s) => ({ skipped: s.skipped + 1 }));
    case 'stage_breached':
      return stage(fact.stage, (s) => ({ breaches: s.breaches + 1 }));
    case 'escalated':
      return {
        ...stage(fact.stage, (s) => ({ escalations: s.escalations + 1 })),
        deals: { ...t.deals, escalations: t.deals.escalations + 1 },
      };
    case 'stage_left':
      return stage(fact.stage, (s) => ({
        ended: s.ended + 1,
        warnedEnded: s.warnedEnded + (fact.warned || fact.breached ? 1 : 0),
        breachedEnded: s.breachedEnded + (fact.breached ? 1 : 0),
        lost: s.lost + (fact.exit === 'lost' ? 1 : 0),
        ...(fact.exit === 'completed' && { wall: addSample(s.wall, fact.wallMs), working: addSample(s.working, fact.workingMs) }),
        ...(fact.wentIdle !== undefined || fact.cadencePeriods !== undefined
          ? protocol(s, (p) => ({
              idleJudged: p.idleJudged + (fact.wentIdle !== undefined ? 1 : 0),
              idleEnded: p.idleEnded + (fact.wentIdle ? 1 : 0),
              cadencePeriods: p.cadencePeriods + (fact.cadencePeriods ?? 0),
              cadenceMissed: p.cadenceMissed + (fact.cadenceMissed ?? 0),
            }))
          : {}),
      }));
    case 'deal_reopened':
      // Undoes the loss its `deal_closed` counted.
      return { ...stage(fact.stage, (s) => ({ lost: s.lost - 1 })), deals: { ...t.deals, lost: t.deals.lost - 1 } };
    case 'deal_closed': {
      const won = fact.outcome === 'won' ? 1 : 0;
      return { ...t, deals: { ...t.deals, won: t.deals.won + won, lost: t.deals.lost + 1 - won } };
    }
    case 'idle_started':
      return stage(fact.stage, (s) => protocol(s, (p) => ({ idleStarted: p.idleStarted + 1 })));
    case 'idle_ended':
      return stage(fact.stage, (s) => protocol(s, (p) => ({ idleStopped: p.idleStopped + 1 })));
    case 'response_given':
      return stage(fact.stage, (s) =>
        protocol(s, (p) => (fact.require === 'cause' ? { cause: addSample(p.cause, fact.ms) } : { plan: addSample(p.plan, fact.ms) })),
      );
    case 'task_overdue':
      return { ...t, deals: { ...t.deals, tasksOverdue: (t.deals.tasksOverdue ?? 0) + 1 } };
    case 'stage_warned':
    case 'risk_opened':
    case 'risk_closed':
      return t;
  }
}

function foldFact(a: SopAnalytics, fact: DealFact): SopAnalytics {
  const next: SopAnalytics = {
    ...a,
    ...tallyFact(a, fact, emptyTally),
    asOf: a.asOf === null || fact.at > a.asOf ? fact.at : a.asOf,
    weeks: foldWeek(a.weeks ?? {}, fact),
  };
  switch (fact.kind) {
    case 'risk_opened':
      return { ...next, openRisks: count(a.openRisks, fact.summary, 1) };
    case 'risk_closed':
      return { ...next, openRisks: count(a.openRisks, fact.summary, -1) };
    case 'deal_reopened':
      return {
        ...next,
        revisions: countRevisions(a.revisions, fact.revisions, { won: 0, lost: -1 }),
        lostReasons: fact.reason === null ? a.lostReasons : count(a.lostReasons, fact.reason, -1),
      };
    case 'deal_closed': {
      const won = fact.outcome === 'won' ? 1 : 0;
      return {
        ...next,
        revisions: countRevisions(a.revisions, fact.revisions, { won, lost: 1 - won }),
        lostReasons: fact.reason === null ? a.lostReasons : count(a.lostReasons, fact.reason, 1),
      };
    }
    default:
      return next;
  }
}

/** Weeks of figures kept (five years); older weeks are dropped, and still count in the all-time totals. */
export const WEEKS_KEPT = 260;
/** A week's time-in-stage samples are histograms alone (±2.5%), so a week costs a few hundred numbers at most. */
const weeklyTally: StageTally = {
  ...emptyTally,
  wall: { count: 0, exact: null, buckets: {} },
  working: { count: 0, exact: null, buckets: {} },
};
const emptyWeek: Totals = { deals: { opened: 0, won: 0, lost: 0, escalations: 0 }, stages: {} };

/** The Monday (UTC) of the week an instant falls in, `YYYY-MM-DD`: the key of a week's figures. */
export function weekOf(at: Instant): string {
  const instant = new Date(at);
  const monday =
    Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()) - ((instant.getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(monday).toISOString().slice(0, 10);
}

/** Adds a fact to its week: the week it happened in, or for a reopening the week of the loss it undoes. */
function foldWeek(weeks: Readonly<Record<string, Totals>>, fact: DealFact): Readonly<Record<string, Totals>> {
  const week = weekOf(fact.kind === 'deal_reopened' && fact.lostAt ? fact.lostAt : fact.at);
  const next = { ...weeks, [week]: tallyFact(weeks[week] ?? emptyWeek, fact, weeklyTally) };
  const keys = Object.keys(next);
  if (keys.length <= WEEKS_KEPT) return next;
  for (const old of keys.sort().slice(0, keys.length - WEEKS_KEPT)) delete next[old];
  return next;
}

/** Adds `by` to the outcome counts of each stage's bucket for the revisions a deal needed there. */
function countRevisions(
  table: SopAnalytics['revisions'],
  revisions: Readonly<Record<string, number>>,
  by: { readonly won: number; readonly lost: number },
): SopAnalytics['revisions'] {
  const next = { ...table };
  for (const [stageId, times] of Object.entries(revisions)) {
    const bucket = String(Math.min(times, REVISIONS_CAP));
    const outcomes = next[stageId] ?? {};
    const prior = outcomes[bucket] ?? { won: 0, lost: 0 };
    next[stageId] = { ...outcomes, [bucket]: { won: prior.won + by.won, lost: prior.lost + by.lost } };
  }
  return next;
}

/** Free text counted under a normalised key; past `LABELS_LIMIT` distinct keys, new ones count as "(other)". */
function count(table: Readonly<Record<string, Tally>>, text: string, by: number): Record<string, Tally> {
  const label = text.trim().replace(/\s+/g, ' ').slice(0, 120);
  let key = label.toLowerCase();
  if (!Object.hasOwn(table, key) && Object.keys(table).length >= LABELS_LIMIT) key = OTHER;
  const prior = Object.hasOwn(table, key) ? table[key] : { label: key === OTHER ? OTHER : label, deals: 0 };
  const deals = prior.deals + by;
  const { [key]: _dropped, ...rest } = table;
  // Of the spellings seen, the first in code-point order names the key, whatever order facts arrive in.
  const shown = key === OTHER || prior.label < label ? prior.label : label;
  // A count may dip below zero for a moment when a close overtakes its open; the two still sum right.
  return deals !== 0 ? { ...rest, [key]: { label: shown, deals } } : rest;
}
