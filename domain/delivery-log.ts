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
  /** Sent again by hand: its retries count from then, and its attempts before it do not shorten them. */
  readonly retryFrom?: Instant;
  readonly attemptsBefore?: number;
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

/** How long before the next attempt, and whether that would be past the delivery's retry window. */
export function nextTry(
  record: DeliveryRecord,
  retryAfterMs: number | null,
  nowMs: number,
  retryForMs: number,
): { readonly delayMs: number; readonly outOfTime: boolean } {
  const failed = record.attemptCount + 1 - (record.attemptsBefore ?? 0);
  const delayMs = retryDelayMs(failed, retryAfterMs);
  return { delayMs, outOfTime: nowMs + delayMs - Date.parse(record.retryFrom ?? record.createdAt) > retryForMs };
}

/** A delivery sent again by hand: pending now, with a retry window of its own; its attempts so far stay listed. */
export function redelivered(record: DeliveryRecord, now: Instant): DeliveryRecord {
  return { ...record, state: 'pending', nextAttemptAt: now, retryFrom: now, attemptsBefore: record.attemptCount };
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
  /** The endpoint is no longer registered: its deliveries end. */
  readonly endpointGone?: true;
}

/** Deliveries one endpoint holds under way at most: past it a new one fails at once, to be sent again by hand. */
export const MAX_UNDER_WAY = 500;

/** Whether a delivery is still to be tried. */
export const underWay = (record: DeliveryRecord): boolean => record.nextAttemptAt !== null;

/**
 * What an endpoint carries to its next run, within `budgetBytes` of JSON (Temporal refuses a
 * continue-as-new input over 2 MB): first the ended deliveries keep their last 3 attempts, then
 * those under way too, then the oldest ended deliveries go, with what they sent.
 */
export function fitCarried<N>(
  log: readonly DeliveryRecord[],
  notices: Readonly<Record<string, N>>,
  budgetBytes: number,
  rest = 0,
): { log: DeliveryRecord[]; notices: Record<string, N> } {
  const size = (l: readonly DeliveryRecord[], n: Readonly<Record<string, N>>) => JSON.stringify(l).length + JSON.stringify(n).length + rest;
  const shortened = (record: DeliveryRecord): DeliveryRecord => ({ ...record, attempts: record.attempts.slice(-3) });
  let kept = [...log];
  let sent: Record<string, N> = { ...notices };
  if (size(kept, sent) <= budgetBytes) return { log: kept, notices: sent };
  kept = kept.map((record) => (underWay(record) ? record : shortened(record)));
  if (size(kept, sent) <= budgetBytes) return { log: kept, notices: sent };
  kept = kept.map(shortened);
  const ended = kept.filter((record) => !underWay(record)).sort((a, b) => a.seq - b.seq);
  while (ended.length > 0 && size(kept, sent) > budgetBytes) {
    const dropped = ended.splice(0, Math.max(1, Math.ceil(ended.length / 10)));
    const ids = new Set(dropped.map((record) => record.deliveryId));
    kept = kept.filter((record) => !ids.has(record.deliveryId));
    sent = Object.fromEntries(Object.entries(sent).filter(([id]) => !ids.has(id)));
  }
  return { log: kept, notices: sent };
}
