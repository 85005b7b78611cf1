import type { Instant } from './deal-state';

/** How long a deal remembers an `Idempotency-Key`: at least the 24 h `CONTRACT.md` promises. */
export const IDEMPOTENCY_TTL_MS = 25 * 60 * 60 * 1000;

export interface RememberedAnswer<T> {
  /** `caller subject` + key: keys are scoped to the caller. */
  readonly scope: string;
  readonly bodyHash: string;
  readonly at: Instant;
  readonly answer: T;
}

export type Recall<T> = { kind: 'new' } | { kind: 'replay'; answer: T } | { kind: 'conflict' };

export function idempotencyScope(subject: string, key: string): string {
  return `${subject}\u0000${key}`;
}

/** What a request carrying this key should get: a fresh decision, the first answer again, or a conflict. */
export function recall<T>(memory: readonly RememberedAnswer<T>[], scope: string, bodyHash: string): Recall<T> {
  const found = memory.find((entry) => entry.scope === scope);
  if (!found) return { kind: 'new' };
  return found.bodyHash === bodyHash ? { kind: 'replay', answer: found.answer } : { kind: 'conflict' };
}

/** The answers still within the TTL at `now`. */
export function unexpired<T>(memory: readonly RememberedAnswer<T>[], now: Instant): RememberedAnswer<T>[] {
  const cutoff = Date.parse(now) - IDEMPOTENCY_TTL_MS;
  return memory.filter((e) => Date.parse(e.at) >= cutoff);
}

/** Remembers an answer and forgets the ones older than the TTL. */
export function remember<T>(memory: readonly RememberedAnswer<T>[], entry: RememberedAnswer<T>, now: Instant): RememberedAnswer<T>[] {
  return [...unexpired(memory, now).filter((e) => e.scope !== entry.scope), entry];
}
