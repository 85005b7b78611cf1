// While a rollout is under way, an API that reads timelines in pages meets workers from before pages:
// their deals do not know the `timelineTail` query, and are read whole with the `timeline` query.
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DealReads } from '../../api/deal-reads';
import { dealWorkflowId } from '../../workflows/messages';
import { devServerEnv, quietLogger, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => env?.teardown());

test("a deal on a worker from before pages is read whole, from its 'timeline' query", async () => {
  const taskQueue = uniqueId('pre-pages');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: require.resolve('./pre-pages-deal-workflow'),
      logger: quietLogger,
    }),
  });
  await worker.runUntil(async () => {
    const workflowId = dealWorkflowId(uniqueId('old'));
    const handle = await env.client.workflow.start('dealWorkflow', { taskQueue, workflowId });
    const tail = await new DealReads(env.client, env.namespace ?? 'default').timeline(workflowId);
    expect(tail).toEqual({
      from: 0,
      pages: [],
      events: [expect.objectContaining({ type: 'deal_created' }), expect.objectContaining({ type: 'stage_entered' })],
    });
    await handle.terminate('test over');
  });
});
