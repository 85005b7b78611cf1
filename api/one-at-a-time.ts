/**
 * Calls that share a key run one after another, in the order they came; calls with other keys are
 * not held up. The API sends a deal's queries and updates through one of these per process: the
 * SDK's worker core can drop a query task that waits behind other tasks of the same workflow run
 * (sdk-core "There were leftover buffered tasks when evicting run"; temporalio/sdk-core#438, #716),
 * and such a query is never answered: the caller waits out its whole deadline. The server also
 * refuses consistent queries past a small buffer per workflow ("consistent query buffer is full").
 * A deal's reads take milliseconds, so waiting for the one before costs little.
 */
export class OneAtATime {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `call` once every earlier call with `key` has settled, unless `signal` is aborted by then. */
  run<T>(key: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const turn = before.then(() => {
      signal?.throwIfAborted();
      return call();
    });
    const tail = turn.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return turn;
  }

  /** Keys with calls running or waiting (for tests: nothing is kept once they settle). */
  get size(): number {
    return this.tails.size;
  }
}
