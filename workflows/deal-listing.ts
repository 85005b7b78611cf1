import type { SearchAttributePair, SearchAttributeUpdatePair } from '@temporalio/common';
import { deadlines } from '../domain/deadlines';
import type { DealState } from '../domain/deal-state';
import { healthOf } from '../domain/health';
import type { Sop } from '../domain/sop-schema';
import type { DealEvent } from '../domain/deal-events';
import { currentVisit, type StageVisit } from '../domain/stage-visit';
import { searchAttributes as keys } from './messages';

/** A string as a visibility query literal: quoted, its backslashes and quotes escaped. */
export function visibilityLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The list fields search attributes cannot carry, kept in the memo for `GET /v1/deals`. */
export interface DealListing {
  readonly sopVersion: number;
  readonly customerName: string;
  readonly currency: string;
  readonly stageEnteredAt: string | null;
  readonly nextDeadline: string | null;
  /** Paused time in the current stage that has ended, and when a pause still running began: for pace. */
  readonly stagePausedMs: number;
  readonly pausedSince: string | null;
  /**
   * Set only while the deal is idle, or its stage asks for a cause or a plan not given yet: a listing
   * without them is the listing it always was, so deals from before them upsert nothing new on replay.
   */
  readonly idleSince?: string;
  readonly response?: { readonly require: 'cause' | 'plan'; readonly dueBy: string; readonly overdue: boolean };
}

function stageDeadline(state: DealState): Date | null {
  if (state.status !== 'open' || state.paused || !state.stage) return null;
  const { warnAt, breachAt, health } = state.stage;
  const next = health === 'green' && warnAt ? warnAt : health !== 'red' ? breachAt : null;
  return next ? new Date(next) : null;
}

/**
 * What `GET /v1/deals` filters a deal by, from its state: pure, so the API sets the first values
 * when it starts the deal and the workflow keeps them in step afterwards. `null` means unset.
 */
export function dealSearchAttributes(state: DealState): SearchAttributeUpdatePair[] {
  return [
    { key: keys.sopId, value: state.sop.id },
    { key: keys.stage, value: state.stage?.id ?? null },
    { key: keys.health, value: healthOf(state) },
    { key: keys.owner, value: state.owner },
    { key: keys.status, value: state.status },
    { key: keys.tier, value: state.customer.tier },
    { key: keys.amount, value: state.amount },
    { key: keys.stageDeadline, value: stageDeadline(state) },
  ] as SearchAttributeUpdatePair[];
}

/** What `GET /v1/deals` shows of a deal beyond its search attributes, from its state and its stage visit in progress. */
export function dealListing(state: DealState, sop: Sop, stageVisit: StageVisit | null): DealListing {
  const visit = state.status === 'open' ? stageVisit : null;
  const run = state.status === 'open' ? state.stage : null;
  const response = run?.response && !run.response.answeredAt ? run.response : null;
  return {
    stagePausedMs: (visit?.pauses ?? []).reduce((sum, p) => sum + (p.to ? Date.parse(p.to) - Date.parse(p.from) : 0), 0),
    pausedSince: state.paused?.since ?? null,
    sopVersion: state.sop.version,
    customerName: state.customer.name,
    currency: state.currency,
    stageEnteredAt: state.stage?.enteredAt ?? null,
    nextDeadline: deadlines(state, sop)[0]?.at ?? null,
    ...(run && (run.idleFired ?? 0) > 0 && { idleSince: run.touchedAt ?? run.enteredAt }),
    ...(response && { response: { require: response.require, dueBy: response.dueBy, overdue: response.overdue } }),
  };
}

/** The memo and search attributes a deal workflow is started with: its listing and filters as it opens. */
export function startVisibility(
  state: DealState,
  sop: Sop,
  events: readonly DealEvent[],
): { memo: { listing: DealListing }; typedSearchAttributes: SearchAttributePair[] } {
  return {
    memo: { listing: dealListing(state, sop, currentVisit(events)) },
    typedSearchAttributes: dealSearchAttributes(state).filter(({ value }) => value !== null) as SearchAttributePair[],
  };
}
