import { upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DealState, Sop, StageVisit } from '../domain';
import { dealListing, dealSearchAttributes } from './deal-listing';

/**
 * Keeps the deal's search attributes and memo in step with its state. Upserts only what changed
 * (each upsert is a history event), compared with what this run already carries (what the API
 * started it with, or what carried over a continue-as-new), so an unchanged value is never upserted.
 */
export class DealVisibility {
  private lastListing = '';

  sync(state: DealState, sop: Sop, visit: StageVisit | null): void {
    const current = workflowInfo().typedSearchAttributes;
    const changed = dealSearchAttributes(state).filter(({ key, value }) => !sameValue(current.get(key), value));
    if (changed.length > 0) upsertSearchAttributes(changed);

    const memo = dealListing(state, sop, visit);
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
