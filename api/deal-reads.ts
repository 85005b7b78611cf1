import { QueryNotRegisteredError, QueryRejectedError, WorkflowClient, type Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { ClosedDeal, DealView, TimelineTail } from '../domain';
import type { dealWorkflow } from '../workflows';
import { stateQuery, timelineQuery, timelineTailQuery } from '../workflows/messages';

/**
 * A deal's state and timeline. An open deal answers a query from the worker that holds it; a closed
 * deal's workflow has completed, and a query would make a worker replay its whole history for every
 * read (0.5 s at 300 events, 3 s at 2,500 on a dev server). So queries are sent with
 * `queryRejectCondition: NOT_OPEN`: the server refuses them for a closed deal at once, and the
 * answer comes from the workflow's result (`ClosedDeal`), which the server keeps in the close event.
 * Deals closed before the result carried the timeline, and deals ended otherwise (terminated), are
 * queried as before.
 */
export class DealReads {
  private readonly openDeals: WorkflowClient;

  constructor(
    private readonly client: Client,
    namespace: string,
  ) {
    this.openDeals = new WorkflowClient({ connection: client.connection, namespace, queryRejectCondition: 'NOT_OPEN' });
  }

  state(workflowId: string): Promise<DealView> {
    return this.read(workflowId, stateQuery, ({ timeline: _timeline, timelinePages: _pages, ...deal }) => deal);
  }

  /**
   * Where the deal's timeline pages are, and the events it holds after them. A worker from before
   * pages (while a rollout is under way) does not know that query; its deals hold every event.
   */
  async timeline(workflowId: string): Promise<TimelineTail> {
    try {
      return await this.read(workflowId, timelineTailQuery, (deal) =>
        deal.timeline ? { from: deal.timelinePages?.from ?? 0, pages: deal.timelinePages?.pages ?? [], events: deal.timeline } : undefined,
      );
    } catch (error) {
      if (!(error instanceof QueryNotRegisteredError && error.message.includes(timelineTailQuery.name))) throw error;
      return { from: 0, pages: [], events: await this.read(workflowId, timelineQuery, (deal) => deal.timeline) };
    }
  }

  private async read<T>(workflowId: string, query: QueryDefinition<T>, fromResult: (deal: ClosedDeal) => T | undefined): Promise<T> {
    try {
      return await this.openDeals.getHandle(workflowId).query(query);
    } catch (error) {
      if (!(error instanceof QueryRejectedError)) throw error;
      // The run it reached continued as new while the query waited: ask the deal's new run. (Reading
      // the result instead would follow the chain of runs and wait for the open deal to close.)
      if (error.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
        return this.read(workflowId, query, fromResult);
      }
      const closed = await this.client.workflow
        .getHandle<typeof dealWorkflow>(workflowId)
        .result()
        .catch(() => null);
      return (closed && fromResult(closed)) ?? (await this.client.workflow.getHandle(workflowId).query(query));
    }
  }
}
