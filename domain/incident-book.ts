import type { AlertPayload } from './deal-state';
import { incidentKey } from './incidents';

/**
 * The incidents one on-call endpoint has opened, and those whose visit ended while their trigger
 * was still on its way: each is resolved once, whatever the order in which the tool hears of them.
 */
export interface IncidentBook {
  /** Triggered and not resolved: key → the alert that opened it (without its recipients). */
  readonly open: Readonly<Record<string, AlertPayload>>;
  /** Ended before their trigger was delivered: resolve as soon as it is. */
  readonly ended: Readonly<Record<string, true>>;
}

export const NO_INCIDENTS: IncidentBook = { open: {}, ended: {} };
/** Incidents one endpoint keeps open at most: past it the oldest is resolved, never left open for good. */
export const MAX_OPEN_INCIDENTS = 500;
const MAX_ENDED = 1_000;

const slim = (alert: AlertPayload): AlertPayload => ({ ...alert, notify: [], recipients: [] });

/** A trigger was delivered: the book, and the incidents to resolve now (this one if its visit already ended; the oldest past the cap). */
export function incidentTriggered(book: IncidentBook, alert: AlertPayload): { book: IncidentBook; resolve: AlertPayload[] } {
  const key = incidentKey(alert);
  if (book.ended[key]) {
    const { [key]: _done, ...ended } = book.ended;
    return { book: { ...book, ended }, resolve: [slim(alert)] };
  }
  const open = { ...book.open, [key]: slim(alert) };
  const keys = Object.keys(open);
  const evicted = keys.slice(0, Math.max(keys.length - MAX_OPEN_INCIDENTS, 0));
  const resolve = evicted.map((k) => open[k]);
  for (const k of evicted) delete open[k];
  return { book: { ...book, open }, resolve };
}

/**
 * These incidents' visits or deals ended: those open are resolved now; those whose trigger is still
 * on its way (`pending`) are resolved once it is delivered; the rest were never this endpoint's.
 */
export function incidentsEnded(
  book: IncidentBook,
  keys: readonly string[],
  pending: ReadonlySet<string>,
): { book: IncidentBook; resolve: AlertPayload[] } {
  const open = { ...book.open };
  const ended: Record<string, true> = { ...book.ended };
  const resolve: AlertPayload[] = [];
  for (const key of keys) {
    if (open[key]) {
      resolve.push(open[key]);
      delete open[key];
    } else if (pending.has(key)) ended[key] = true;
  }
  const endedKeys = Object.keys(ended);
  for (const key of endedKeys.slice(0, Math.max(endedKeys.length - MAX_ENDED, 0))) delete ended[key];
  return { book: { open, ended }, resolve };
}
