import { upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { currentVisit, deadlines, healthOf, type DealEvent, type DealState, type Sop } from '../domain';
import { searchAttributes as keys } from './messages';

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
}

function stageDeadline(state: DealState): Date | null {
  if (state.status !== 'open' || state.paused || !state.stage) return null;
  const { warnAt, breachAt, health } = state.stage;
  const next = health === 'green' && warnAt ? warnAt : health !== 'red' ? breachAt : null;
  return next ? new Date(next) : null;
}

function listing(state: DealState, sop: Sop, events: readonly DealEvent[]): DealListing {
  const visit = state.status === 'open' ? currentVisit(events) : null;
  return {
    stagePausedMs: (visit?.pauses ?? []).reduce((sum, p) => sum + (p.to ? Date.parse(p.to) - Date.parse(p.from) : 0), 0),
    pausedSince: state.paused?.since ?? null,
    sopVersion: state.sop.version,
    customerName: state.customer.name,
    currency: state.currency,
    stageEnteredAt: state.stage?.enteredAt ?? null,
    nextDeadline: deadlines(state, sop)[0]?.at ?? null,
  };
}

/**
 * Keeps the deal's search attributes and memo in step with its state. Upserts only what changed
 * (each upsert is a history event), compared with what this run already carries, so a new run
 * after continue-as-new re-upserts whatever did not carry over.
 */
export class DealVisibility {
  private lastListing = '';

  sync(state: DealState, sop: Sop, events: readonly DealEvent[]): void {
    const wanted: SearchAttributeUpdatePair[] = [
      { key: keys.sopId, value: state.sop.id },
      { key: keys.stage, value: state.stage?.id ?? null },
      { key: keys.health, value: healthOf(state) },
      { key: keys.owner, value: state.owner },
      { key: keys.status, value: state.status },
      { key: keys.tier, value: state.customer.tier },
      { key: keys.amount, value: state.amount },
      { key: keys.stageDeadline, value: stageDeadline(state) },
    ] as SearchAttributeUpdatePair[];
    const current = workflowInfo().typedSearchAttributes;
    const changed = wanted.filter(({ key, value }) => !sameValue(current.get(key), value));
    if (changed.length > 0) upsertSearchAttributes(changed);

    const memo = listing(state, sop, events);
    const memoText = JSON.stringify(memo);
    if (memoText !== this.lastListing && memoText !== JSON.stringify(workflowInfo().memo?.listing ?? null)) {
      upsertMemo({ listing: memo });
    }
    this.lastListing = memoText;
  }
}

function sameValue(current: unknown, wanted: unknown): boolean {
  if (wanted === null) return current === undefined || current === null;
  if (wanted instanceof Date) return current instanceof Date && current.getTime() === wanted.getTime();
  return current === wanted;
}
