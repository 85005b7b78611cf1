// Replay: recorded deal histories run through today's workflow code without nondeterminism.
// RECORD_HISTORIES=1 also saves this run's history into test/histories/ (protobuf), to commit as a fixture
// that guard later changes (a change that alters commands goes behind patched()).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { dealWorker, DAY, HOUR, runWorker, TestDeal, webhookTarget } from '../helpers/deal-harness';
import { makeSop, MIA } from '../helpers/fixtures';
import { WebhookReceiver } from '../helpers/receiver';
import { bundleWorkflows, timeSkippingEnv, uniqueId } from '../helpers/temporal';

const FIXTURES = path.resolve(__dirname, '..', 'histories');
/** Where RECORD_HISTORIES=1 saves the lifecycle: named after the last change to the deal's commands (older fixtures stay). */
const LIFECYCLE_FIXTURE = 'deal-lifecycle-alert-endpoints.binpb';
const receiver = new WebhookReceiver();

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let url: string;
beforeAll(async () => {
  [env, bundle, url] = await Promise.all([timeSkippingEnv(), bundleWorkflows(), receiver.start()]);
});
afterAll(async () => {
  await receiver.stop();
  await env?.teardown();
});

async function replay(histories: Array<{ workflowId: string; history: temporal.api.history.v1.IHistory }>): Promise<string[]> {
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

/** A deal that goes through most of what a deal can do: actions, pause, SLAs, escalations (each refused once, then delivered), a win. */
async function recordLifecycle(): Promise<{ workflowId: string; history: temporal.api.history.v1.IHistory }> {
  const sop = makeSop({
    stages: [
      {
        id: 'requirements',
        name: 'Requirements',
        deliverables: ['requirements-doc'],
        sla: { warnAfter: '1d', breachAfter: '2d', clock: 'business' },
        escalations: [{ after: '2d', notify: ['manager'], repeatEvery: '1d' }],
      },
      { id: 'pricing', name: 'Pricing', skipWhen: { field: 'amount', op: 'gte', value: 1_000_000 } },
      { id: 'contract', name: 'Contract', deliverables: ['contract'], sla: { breachAfter: '3d' } },
    ],
  });
  const queue = uniqueId('replay');
  receiver.respondWith((attempt) => (attempt === 0 ? 503 : 204));
  const worker = await dealWorker(env, bundle, queue, webhookTarget(url));
  return runWorker(
    env,
    worker,
    (async () => {
      const deal = await TestDeal.start(env, queue, sop);
      await deal.act({ type: 'open_request', requestId: 'q1', summary: 'SLA question' });
      await deal.act({
        type: 'raise_risk',
        riskId: 'r1',
        summary: 'competitor price cut',
        dueBy: new Date((await env.currentTimeMs()) + DAY).toISOString(),
      });
      await deal.act({ type: 'pause', reason: 'customer holiday' });
      await env.sleep(2 * DAY);
      await deal.act({ type: 'resume' });
      await env.sleep(5 * DAY);
      await deal.act({ type: 'answer_request', requestId: 'q1', note: 'answered' });
      await deal.act({ type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' });
      await deal.act({ type: 'request_revision', stage: 'requirements', reason: 'scope' });
      await deal.act({ type: 'complete_stage', stage: 'requirements' });
      await deal.act({ type: 'update_deal', attributes: { region: 'east' } }, MIA);
      await env.sleep(4 * DAY);
      await deal.act({ type: 'resolve_risk', riskId: 'r1' });
      await deal.act({ type: 'submit_deliverable', stage: 'contract', deliverable: 'contract' });
      await deal.act({ type: 'complete_stage', stage: 'contract' });
      const won = await deal.handle.result();
      expect(won.status).toBe('won');
      expect(won.escalations.length).toBeGreaterThanOrEqual(4);
      await env.sleep(HOUR);
      return { workflowId: deal.handle.workflowId, history: await deal.handle.fetchHistory() };
    })(),
  );
}

test("a whole deal's history replays through the current code", async () => {
  const recorded = await recordLifecycle();
  expect(await replay([recorded])).toEqual([]);
  if (process.env.RECORD_HISTORIES === '1') {
    writeFileSync(path.join(FIXTURES, LIFECYCLE_FIXTURE), temporal.api.history.v1.History.encode(recorded.history).finish());
  }
});

test('saved histories replay through the current code', async () => {
  const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.binpb'));
  expect(files.length).toBeGreaterThan(0);
  const histories = files.map((file) => ({
    workflowId: file,
    history: temporal.api.history.v1.History.decode(readFileSync(path.join(FIXTURES, file))),
  }));
  expect(await replay(histories)).toEqual([]);
});
