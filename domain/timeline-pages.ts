import type { DealEvent } from './deal-events';

/**
 * A deal's timeline travels with the deal through every continue-as-new; a deal that lives long
 * enough would one day pass Temporal's payload limit (2 MB) with it. So its older events move out
 * into pages: each a run of consecutive events, held elsewhere (see `workflows/timeline-page.ts`),
 * and the deal carries only where they are.
 */
export interface TimelinePage {
  /** The timeline index of the page's first event. */
  readonly from: number;
  readonly count: number;
}

/** A page as the deal keeps track of it: the page, and the id of the workflow that holds it. */
export interface StoredTimelinePage extends TimelinePage {
  readonly workflowId: string;
}

/** How big a page may grow: so many events, or so many bytes of JSON, whichever comes first. */
export interface TimelinePaging {
  readonly pageEvents: number;
  readonly pageBytes: number;
}

/** 1,000 events or 256 KiB a page: a page stays far below Temporal's 2 MB payload limit and its 512 KB warning. */
export const TIMELINE_PAGING: TimelinePaging = { pageEvents: 1_000, pageBytes: 256 * 1024 };

/** UTF-8 bytes of a string, without Buffer or TextEncoder (neither is in every workflow sandbox). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The full pages that can leave the front of `events` (whose first event is timeline index
 * `from`): a page is full at `pageEvents` events, or when the next event would take it past
 * `pageBytes` (one event alone over that is a page of its own). The last, unfilled page stays, and
 * so does every event at or after `keepFrom` (answers the deal still has to be able to replay).
 */
export function pagesToArchive(
  events: readonly DealEvent[],
  from: number,
  keepFrom: number,
  paging: TimelinePaging = TIMELINE_PAGING,
): Array<TimelinePage & { events: DealEvent[] }> {
  const pages: Array<TimelinePage & { events: DealEvent[] }> = [];
  let start = 0;
  for (;;) {
    let end = start;
    let bytes = 0;
    let full = false;
    while (end < events.length) {
      const size = utf8Length(JSON.stringify(events[end]));
      if (end > start && bytes + size > paging.pageBytes) {
        full = true;
        break;
      }
      bytes += size;
      end++;
      if (end - start === paging.pageEvents) {
        full = true;
        break;
      }
    }
    if (!full || from + end > keepFrom) return pages;
    pages.push({ from: from + start, count: end - start, events: events.slice(start, end) });
    start = end;
  }
}
