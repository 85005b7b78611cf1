import { sleep } from '@temporalio/workflow';
import type { Instant } from '../domain/deal-state';

/**
 * The timer a deal keeps for its next deadline. Aimed again on every turn of the deal's loop, it
 * stays as it is while the deadline does (an action, a delivery outcome or a fact batch changes
 * nothing on the server). When the deadline moves, a timer for the new instant starts and the old
 * one is left to fire unheeded rather than cancelled: a cancel that crosses the timer's firing on
 * the server is a race the time-skipping test server does not survive (temporalio/sdk-java#3088),
 * and a stale timer costs one empty workflow task at most.
 */
export class DeadlineTimer {
  private at: Instant | null = null;
  private generation = 0;
  /** The deadline it was aimed at has come. */
  rang = false;

  /** Aims the timer at `at` (null: no deadline to wait for); `nowMs` is the workflow's clock. */
  aim(at: Instant | null, nowMs: number): void {
    if (at === this.at && !this.rang) return;
    this.at = at;
    this.rang = false;
    const generation = ++this.generation;
    if (at === null) return;
    void sleep(Math.max(Date.parse(at) - nowMs, 1)).then(() => {
      if (this.generation === generation) this.rang = true;
    });
  }
}
