// The deals in the recorded histories of test/histories/: each deal's whole timeline and the SOP
// versions it ran on, read from the history's payloads (start input, timeline pages the deal
// started, migrations' update arguments, and the final result or continue-as-new input).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { DealEvent, Sop } from '../../domain';

export const HISTORIES = path.resolve(__dirname, '..', 'histories');

export interface HistoryDeal {
  readonly fixture: string;
  readonly workflowId: string;
  /** The whole timeline, or null where the history does not hold it (see `missing`). */
  readonly events: DealEvent[] | null;
  readonly missing: string | null;
  readonly sops: Sop[];
}

type Payloads = temporal.api.common.v1.IPayloads | null | undefined;
const first = <T>(payloads: Payloads): T => defaultPayloadConverter.fromPayload<T>(payloads?.payloads?.[0] ?? {});

interface DealRun {
  readonly fixture: string;
  readonly workflowId: string;
  readonly sops: Sop[];
  /** The events this run ended with, from timeline index `from`. */
  readonly tail: { from: number; events: DealEvent[] } | null;
  readonly missing: string | null;
}

/** Every deal workflow in the fixtures, its timeline put together from the runs and pages that hold it. */
export function recordedHistoryDeals(): HistoryDeal[] {
  const pages = new Map<string, { from: number; events: DealEvent[] }>();
  const runs: DealRun[] = [];
  for (const fixture of readdirSync(HISTORIES)
    .filter((name) => name.endsWith('.binpb'))
    .sort()) {
    const history = temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES, fixture)));
    const events = history.events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    if (started?.workflowType?.name !== 'dealWorkflow') continue;
    const input = first<{ sop: Sop; opening?: { dealId: string } }>(started.input);
    const sops = [input.sop];
    for (const event of events) {
      const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
      if (child?.workflowId) pages.set(child.workflowId, first(child.input));
      const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
      if (update?.name === 'migrate') sops.push(first<{ sop: Sop }>(update.args).sop);
    }
    const last = events[events.length - 1];
    const result = last?.workflowExecutionCompletedEventAttributes?.result;
    const continued = last?.workflowExecutionContinuedAsNewEventAttributes?.input;
    const workflowId = `deal:${input.sop.id}:${fixture}`;
    if (result) {
      const closed = first<{ dealId: string; timeline?: DealEvent[]; timelinePages?: { from: number } }>(result);
      const tail = closed.timeline ? { from: closed.timelinePages?.from ?? 0, events: closed.timeline } : null;
      runs.push({
        fixture,
        workflowId: closed.dealId,
        sops,
        tail,
        missing: tail ? null : 'recorded before a closed deal kept its timeline',
      });
    } else if (continued) {
      const carried = first<{ carried: { events: DealEvent[]; paged?: { offset: number } } }>(continued).carried;
      runs.push({
        fixture,
        workflowId: input.opening?.dealId ?? workflowId,
        sops,
        tail: { from: carried.paged?.offset ?? 0, events: carried.events },
        missing: null,
      });
    } else {
      runs.push({ fixture, workflowId, sops, tail: null, missing: 'the history ends before the deal closed or continued' });
    }
  }
  const pagesFor = (dealId: string) =>
    [...pages.entries()]
      .filter(([id]) => id.startsWith(`timeline:${dealId}:`))
      .map(([, page]) => page)
      .sort((a, b) => a.from - b.from);
  return runs.map(({ fixture, workflowId, sops, tail, missing }) => {
    if (!tail) return { fixture, workflowId, events: null, missing, sops };
    const older = pagesFor(workflowId)
      .filter((page) => page.from < tail.from)
      .flatMap((page) => page.events);
    if (older.length !== tail.from) {
      return { fixture, workflowId, events: null, missing: `events 0–${tail.from - 1} are in timeline pages no fixture holds`, sops };
    }
    return { fixture, workflowId, events: [...older, ...tail.events], missing: null, sops };
  });
}
