import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { analyticsWorkflowId, dealFactsSignal, SOP_ANALYTICS_WORKFLOW, type DealFactBatch } from '../workflows/messages';

export interface AnalyticsDeps {
  /** The client the worker's activities signal other workflows with. */
  readonly client: Client;
}

/**
 * Hands a deal's facts to its SOP's analytics workflow, starting that workflow on the first one
 * (signal-with-start), on the task queue this activity runs on.
 */
export function createRecordDealFacts(deps: AnalyticsDeps) {
  return async function recordDealFacts(batch: DealFactBatch): Promise<void> {
    await deps.client.workflow.signalWithStart(SOP_ANALYTICS_WORKFLOW, {
      workflowId: analyticsWorkflowId(batch.sopId),
      taskQueue: Context.current().info.taskQueue,
      args: [{ sopId: batch.sopId }],
      signal: dealFactsSignal,
      signalArgs: [batch],
    });
  };
}
