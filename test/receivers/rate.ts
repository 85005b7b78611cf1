/**
 * Rate limits from the instants (ms) of the messages a tool accepted before: the check stays a pure
 * function of what it is given.
 */

/** How many of the earlier instants fall in the window that ends now. */
export function countWithin(earlier: readonly number[], nowMs: number, windowMs: number): number {
  return earlier.filter((instant) => instant > nowMs - windowMs && instant <= nowMs).length;
}

/**
 * A token bucket of `burst` tokens refilled at `perSecond`: how long (ms) until a token is free now,
 * 0 when one is.
 */
export function bucketWaitMs(earlier: readonly number[], nowMs: number, perSecond: number, burst: number): number {
  let tokens = burst;
  let last = Number.NEGATIVE_INFINITY;
  for (const instant of [...earlier].sort((a, b) => a - b)) {
    if (instant > nowMs) break;
    tokens = Math.min(burst, tokens + ((instant - last) / 1000) * perSecond) - 1;
    last = instant;
  }
  tokens = Math.min(burst, tokens + ((nowMs - last) / 1000) * perSecond);
  return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / perSecond) * 1000);
}
