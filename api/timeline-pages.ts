import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { DealEvent, StoredTimelinePage } from '../domain';
import type { TimelinePageInput } from '../workflows/messages';

/** Pages never change once written: the most recently read ones are kept, up to this many. */
const CACHED_PAGES = 64;

/**
 * The older pages of deals' timelines. A page is the input of its own workflow, so it is read from
 * that workflow's first history event: one small call, no worker, open or closed alike.
 */
export class TimelinePages {
  private readonly cache = new Map<string, DealEvent[]>();

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
  ) {}

  async events(page: StoredTimelinePage): Promise<DealEvent[]> {
    const { workflowId } = page;
    const cached = this.cache.get(workflowId);
    if (cached) {
      this.cache.delete(workflowId);
      this.cache.set(workflowId, cached);
      return cached;
    }
    const { history } = await this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.namespace,
      execution: { workflowId },
      maximumPageSize: 1,
    });
    const payloads = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    if (!payloads?.length) throw new Error(`Timeline page ${workflowId} has no input`);
    const input = (await this.decode(payloads as Payload[])) as TimelinePageInput;
    if (input.from !== page.from || input.events.length !== page.count) {
      throw new Error(`Timeline page ${workflowId} holds events ${input.from}+${input.events.length}, not ${page.from}+${page.count}`);
    }
    this.cache.set(workflowId, input.events);
    if (this.cache.size > CACHED_PAGES) this.cache.delete(this.cache.keys().next().value as string);
    return input.events;
  }

  private async decode(payloads: Payload[]): Promise<unknown> {
    const { payloadCodecs, payloadConverter } = this.client.options.loadedDataConverter;
    let decoded = payloads;
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return payloadConverter.fromPayload(decoded[0]);
  }
}
