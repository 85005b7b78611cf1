import type { DealFact } from '../domain';

/** Sends one SOP's facts, gathered from many deals, as one batch. */
export type SendFacts = (sopId: string, facts: DealFact[]) => Promise<void>;

/**
 * Gathers the facts that deals on this worker report within `windowMs` into one batch per SOP, so
 * the SOP's analytics workflow (a single writer) gets one signal per window rather than one per
 * deal: Temporal serialises a workflow's signals, and at fifty deal starts a second one signal each
 * is what made them slow (`bench/README.md`). Each caller waits for the batch its facts went out in
 * and shares its outcome; a failed batch fails every caller, whose activity then retries. The
 * analytics fold drops repeated fact ids and does not depend on order between deals, and one deal's
 * batches still go one at a time (its outbox waits for each), so merging deals changes no figure.
 */
export class FactBatcher {
  private readonly open = new Map<string, Batch>();

  constructor(
    private readonly send: SendFacts,
    private readonly windowMs = 50,
    /** A batch goes at once when it holds this many facts (the analytics signal takes 10,000). */
    private readonly maxFacts = 5_000,
  ) {}

  /** Resolves once a batch holding these facts has been sent; rejects if that batch failed. */
  add(sopId: string, facts: readonly DealFact[]): Promise<void> {
    let batch = this.open.get(sopId);
    if (batch && batch.facts.length + facts.length > this.maxFacts) {
      this.close(sopId, batch);
      batch = undefined;
    }
    batch ??= this.start(sopId);
    batch.facts.push(...facts);
    const { sent } = batch;
    if (batch.facts.length >= this.maxFacts) this.close(sopId, batch);
    return sent;
  }

  private start(sopId: string): Batch {
    let go: () => void = () => undefined;
    const due = new Promise<void>((resolve) => (go = resolve));
    const facts: DealFact[] = [];
    const timer = setTimeout(() => this.close(sopId, batch), this.windowMs);
    const sent = due.then(() => {
      clearTimeout(timer);
      return this.send(sopId, facts);
    });
    const batch: Batch = { facts, go, sent };
    this.open.set(sopId, batch);
    return batch;
  }

  /** No more facts join `batch`; it goes now. */
  private close(sopId: string, batch: Batch): void {
    if (this.open.get(sopId) === batch) this.open.delete(sopId);
    batch.go();
  }
}

interface Batch {
  readonly facts: DealFact[];
  readonly go: () => void;
  readonly sent: Promise<void>;
}
