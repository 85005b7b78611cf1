import type { Instant } from './deal-state';

/** One try at sending a delivery, as `GET /v1/alert-endpoints/:id/deliveries` lists it. */
export interface DeliveryAttempt {
  readonly at: Instant;
  /** The HTTP status; null when no answer came (network error, timeout). */
  readonly status: number | null;
  readonly latencyMs: number;
  /** Why it failed, in words (the tool's own error where it gave one); null when delivered. */
  readonly error: string | null;
}

/** pending: not tried yet (or throttled); retrying: failed, tried again later; then delivered or failed. */
export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'failed';
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'retrying', 'delivered', 'failed'];

/** One event on its way to one endpoint. */
export interface DeliveryRecord {
  readonly deliveryId: string;
  /** The order the endpoint took it in: newest first in lists, and the page token. */
  readonly seq: number;
  /** The event type (`deal.sla.breached`, `ping`) or `incident.resolve`. */
  readonly event: string;
  readonly dealId: string | null;
  /** The alert it carries (or resolves); null for a ping. */
  readonly alertId: string | null;
  readonly createdAt: Instant;
  readonly state: DeliveryState;
  /** The latest attempts (at most `ATTEMPTS_KEPT`; `attemptCount` counts them all). */
  readonly attempts: readonly DeliveryAttempt[];
  readonly attemptCount: number;
  /** When it is tried next; null once it ended. */
  readonly nextAttemptAt: Instant | null;
}

export const ATTEMPTS_KEPT = 30;

/**
 * Before attempt `n + 1` after `n` failed ones: 2 s, then doubling to at most 1 h (`CONTRACT.md`:
 * the first retry within 5 s); the tool's own `Retry-After` wins when it gave one (capped at 1 h).
 */
export function retryDelayMs(failedAttempts: number, retryAfterMs: number | null): number {
  const HOUR = 60 * 60 * 1000;
  if (retryAfterMs !== null) return Math.min(Math.max(retryAfterMs, 0), HOUR);
  return Math.min(2_000 * 2 ** Math.max(failedAttempts - 1, 0), HOUR);
}

/** A delivery after one more attempt. */
export function withAttempt(
  record: DeliveryRecord,
  attempt: DeliveryAttempt,
  state: DeliveryState,
  nextAttemptAt: Instant | null,
): DeliveryRecord {
  return {
    ...record,
    state,
    attempts: [...record.attempts, attempt].slice(-ATTEMPTS_KEPT),
    attemptCount: record.attemptCount + 1,
    nextAttemptAt,
  };
}

/** A sliding window of a tool's published rate limit: at most `count` messages in any `perMs`. */
export interface RateWindow {
  readonly count: number;
  readonly perMs: number;
}

/**
 * How long the next message must wait so that no window is exceeded, given the instants (ms) of
 * the messages sent so far: 0 when it may go now. The throttle delays, it never drops.
 */
export function throttleWaitMs(sentAt: readonly number[], windows: readonly RateWindow[], nowMs: number): number {
  let wait = 0;
  for (const { count, perMs } of windows) {
    const recent = sentAt.filter((at) => at > nowMs - perMs);
    if (recent.length >= count) wait = Math.max(wait, recent[recent.length - count] + perMs - nowMs);
  }
  return wait;
}

/** The instants a throttle still needs to remember: those inside its longest window. */
export function keptSends(sentAt: readonly number[], windows: readonly RateWindow[], nowMs: number): number[] {
  const longest = Math.max(0, ...windows.map((w) => w.perMs));
  return sentAt.filter((at) => at > nowMs - longest);
}

export interface DeliveryPage {
  readonly deliveries: DeliveryRecord[];
  readonly nextPageToken: string | null;
}

/** Deliveries newest first, optionally in one state or of one deal, `pageSize` at a time after the token's `seq`. */
export function deliveryPage(
  log: readonly DeliveryRecord[],
  query: { readonly state?: DeliveryState; readonly dealId?: string; readonly pageSize: number; readonly pageToken?: string },
): DeliveryPage {
  const before = query.pageToken ? Number(query.pageToken) : Infinity;
  const matching = log
    .filter((d) => d.seq < before && (!query.state || d.state === query.state) && (!query.dealId || d.dealId === query.dealId))
    .sort((a, b) => b.seq - a.seq);
  const deliveries = matching.slice(0, query.pageSize);
  const more = matching.length > query.pageSize;
  return { deliveries, nextPageToken: more ? String(deliveries[deliveries.length - 1].seq) : null };
}

/**
 * The log an endpoint keeps: every delivery still under way, and the latest `limit` that ended.
 * Older ended ones are let go, oldest first.
 */
export function trimmedLog(log: readonly DeliveryRecord[], limit: number): DeliveryRecord[] {
  const ended = log.filter((d) => d.nextAttemptAt === null && d.state !== 'pending');
  if (ended.length <= limit) return [...log];
  const dropped = new Set(
    ended
      .sort((a, b) => a.seq - b.seq)
      .slice(0, ended.length - limit)
      .map((d) => d.deliveryId),
  );
  return log.filter((d) => !dropped.has(d.deliveryId));
}

/** One attempt as the delivery activity reports it: the attempt, and what comes next. */
export interface AttemptOutcome extends DeliveryAttempt {
  readonly outcome: 'delivered' | 'retry' | 'final';
  /** The tool's `Retry-After`, in ms; null when it gave none. */
  readonly retryAfterMs: number | null;
}
