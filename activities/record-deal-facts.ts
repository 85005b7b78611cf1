import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { analyticsWorkflowId, dealFactsSignal, SOP_ANALYTICS_WORKFLOW, type DealFactBatch } from '../workflows/messages';
import { FactBatcher } from './fact-batcher';

export interface AnalyticsDeps {
  /** The client the worker's activities signal other workflows with. */
  readonly client: Client;
  /** How long facts from several deals are gathered into one signal (ms; default 50). */
  readonly factWindowMs?: number;
}

/**
 * Hands a deal's facts to its SOP's analytics workflow, starting that workflow on the first one
 * (signal-with-start), on the task queue this activity runs on. Facts from the deals on this worker
 * travel together, one signal per SOP per `factWindowMs` (see FactBatcher).
 */
export function createRecordDealFacts(deps: AnalyticsDeps) {
  const batchers = new Map<string, FactBatcher>();
  const batcherFor = (taskQueue: string): FactBatcher => {
    let batcher = batchers.get(taskQueue);
    if (!batcher) {
      batcher = new FactBatcher(async (sopId, facts) => {
        await deps.client.workflow.signalWithStart(SOP_ANALYTICS_WORKFLOW, {
          workflowId: analyticsWorkflowId(sopId),
          taskQueue,
          args: [{ sopId }],
          signal: dealFactsSignal,
          signalArgs: [{ sopId, facts }],
        });
      }, deps.factWindowMs);
      batchers.set(taskQueue, batcher);
    }
    return batcher;
  };
  return async function recordDealFacts(batch: DealFactBatch): Promise<void> {
    await batcherFor(Context.current().info.taskQueue).add(batch.sopId, batch.facts);
  };
}
