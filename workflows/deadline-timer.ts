import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import type { Instant } from '../domain/deal-state';

/**
 * The one timer a deal keeps for its next deadline. Aimed again on every turn of the deal's loop,
 * it stays as it is while the deadline does (an action, a delivery outcome or a fact batch changes
 * nothing on the server), and is cancelled and started again only when the deadline moves.
 */
export class DeadlineTimer {
  private at: Instant | null = null;
  private scope: CancellationScope | null = null;
  /** The deadline it was aimed at has come. */
  rang = false;

  /** Aims the timer at `at` (null: no deadline to wait for); `nowMs` is the workflow's clock. */
  aim(at: Instant | null, nowMs: number): void {
    if (at === this.at && !this.rang) return;
    this.scope?.cancel();
    this.scope = null;
    this.at = at;
    this.rang = false;
    if (at === null) return;
    const scope = new CancellationScope();
    this.scope = scope;
    scope
      .run(() => sleep(Math.max(Date.parse(at) - nowMs, 1)))
      .then(
        () => {
          if (this.scope === scope) this.rang = true;
        },
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );
  }
}
