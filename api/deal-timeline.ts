import type { DealEvent, StoredTimelinePage, TimelineEntry, TimelineTail } from '../domain';
import { timelineEntry } from '../domain';
import { issuePageToken, readPageToken } from './page-token';
import { problems } from './problem';

/** Pages read at once for one request. */
const PAGE_READS_AT_ONCE = 4;

/** What a page token of a deal's timeline stands for: the timeline index to go on from. */
const tokenScope = (dealId: string): string => `timeline:${dealId}`;

export function timelinePageToken(dealId: string, index: number): string {
  return issuePageToken(Buffer.from(String(index)), tokenScope(dealId)) as string;
}

/** The index a page token of this deal's timeline goes on from; a 422 problem for any other token. */
export function timelineIndexOf(dealId: string, token: string): number {
  const index = Number(readPageToken(token, tokenScope(dealId)).toString());
  if (!Number.isSafeInteger(index) || index < 0) {
    throw problems.validation([{ path: 'query.pageToken', message: 'not a page token of this timeline' }]);
  }
  return index;
}

/**
 * The timeline's events with indexes in [start, end), oldest first: from the pages that hold them,
 * read `PAGE_READS_AT_ONCE` at a time, then from the events the deal holds.
 */
export async function timelineRange(
  tail: TimelineTail,
  readPage: (page: StoredTimelinePage) => Promise<DealEvent[]>,
  start: number,
  end: number,
): Promise<TimelineEntry[]> {
  const wanted = tail.pages.filter((page) => page.from < end && page.from + page.count > start);
  const read: DealEvent[][] = [];
  for (let i = 0; i < wanted.length; i += PAGE_READS_AT_ONCE) {
    read.push(...(await Promise.all(wanted.slice(i, i + PAGE_READS_AT_ONCE).map(readPage))));
  }
  const older = wanted.flatMap((page, n) =>
    read[n].slice(Math.max(0, start - page.from), Math.min(page.count, end - page.from)).map(timelineEntry),
  );
  return [...older, ...tail.events.slice(Math.max(0, start - tail.from), Math.max(0, end - tail.from))];
}
