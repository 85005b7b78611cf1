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
}

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
  readonly deals: { readonly opened: number; readonly won: number; readonly lost: number; readonly escalations: number };
  readonly stages: Readonly<Record<string, StageTally>>;
  /** Stage → revisions in it (capped at `REVISIONS_CAP`) → closed deals by outcome. */
  readonly revisions: Readonly<Record<string, Readonly<Record<string, { readonly won: number; readonly lost: number }>>>>;
  readonly lostReasons: Readonly<Record<string, Tally>>;
  readonly openRisks: Readonly<Record<string, Tally>>;
  /** Ids of the latest facts, so a fact delivered twice counts once. */
  readonly recent: readonly string[];
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

function foldFact(a: SopAnalytics, fact: DealFact): SopAnalytics {
  const next = { ...a, asOf: a.asOf === null || fact.at > a.asOf ? fact.at : a.asOf };
  const stage = (id: string, change: (t: StageTally) => Partial<StageTally>): SopAnalytics => {
    const tally = a.stages[id] ?? emptyTally;
    return { ...next, stages: { ...a.stages, [id]: { ...tally, ...change(tally) } } };
  };
  switch (fact.kind) {
    case 'deal_opened':
      return { ...next, deals: { ...a.deals, opened: a.deals.opened + 1 } };
    case 'stage_entered':
      return stage(fact.stage, (t) => ({ entered: t.entered + 1 }));
    case 'stage_skipped':
      return stage(fact.stage, (t) => ({ skipped: t.skipped + 1 }));
    case 'stage_warned':
      return next;
    case 'stage_breached':
      return stage(fact.stage, (t) => ({ breaches: t.breaches + 1 }));
    case 'escalated':
      return {
        ...stage(fact.stage, (t) => ({ escalations: t.escalations + 1 })),
        deals: { ...a.deals, escalations: a.deals.escalations + 1 },
      };
    case 'stage_left':
      return stage(fact.stage, (t) => ({
        ended: t.ended + 1,
        warnedEnded: t.warnedEnded + (fact.warned || fact.breached ? 1 : 0),
        breachedEnded: t.breachedEnded + (fact.breached ? 1 : 0),
        lost: t.lost + (fact.exit === 'lost' ? 1 : 0),
        ...(fact.exit === 'completed' && { wall: addSample(t.wall, fact.wallMs), working: addSample(t.working, fact.workingMs) }),
      }));
    case 'risk_opened':
      return { ...next, openRisks: count(a.openRisks, fact.summary, 1) };
    case 'risk_closed':
      return { ...next, openRisks: count(a.openRisks, fact.summary, -1) };
    case 'deal_reopened':
      // Undoes the loss its `deal_closed` counted.
      return {
        ...stage(fact.stage, (t) => ({ lost: t.lost - 1 })),
        deals: { ...a.deals, lost: a.deals.lost - 1 },
        revisions: countRevisions(a.revisions, fact.revisions, { won: 0, lost: -1 }),
        lostReasons: fact.reason === null ? a.lostReasons : count(a.lostReasons, fact.reason, -1),
      };
    case 'deal_closed': {
      const won = fact.outcome === 'won' ? 1 : 0;
      return {
        ...next,
        deals: { ...a.deals, won: a.deals.won + won, lost: a.deals.lost + 1 - won },
        revisions: countRevisions(a.revisions, fact.revisions, { won, lost: 1 - won }),
        lostReasons: fact.reason === null ? a.lostReasons : count(a.lostReasons, fact.reason, 1),
      };
    }
  }
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
