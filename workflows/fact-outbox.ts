import type { DealFact } from '../domain';

/**
 * The deal's facts on their way to the SOP's analytics. Sent one batch at a time, so a deal's facts
 * arrive in the order it produced them; never awaited by the deal's loop. What is queued or in
 * flight at continue-as-new travels to the next run and goes again (the aggregate drops repeats).
 */
export class FactOutbox {
  private queue: DealFact[] = [];
  private inFlight: readonly DealFact[] = [];

  constructor(
    private readonly send: (facts: readonly DealFact[]) => Promise<void>,
    /** Waited out before a failed batch goes again (the activity already retries; this is the last resort). */
    private readonly backOff: (error: unknown) => Promise<void>,
    private readonly batchSize = 200,
  ) {}

  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight.length === 0;
  }

  push(facts: readonly DealFact[]): void {
    if (facts.length === 0) return;
    this.queue.push(...facts);
    if (this.inFlight.length === 0) this.next();
  }

  /** Facts not yet known to have arrived. */
  unsent(): DealFact[] {
    return [...this.inFlight, ...this.queue];
  }

  private next(): void {
    if (this.queue.length === 0) return;
    this.inFlight = this.queue.splice(0, this.batchSize);
    void this.send(this.inFlight).then(
      () => {
        this.inFlight = [];
        this.next();
      },
      (error: unknown) =>
        void this.backOff(error).then(() => {
          this.queue.unshift(...this.inFlight);
          this.inFlight = [];
          this.next();
        }),
    );
  }
}
