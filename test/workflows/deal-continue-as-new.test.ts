// Continue-as-new mid-deal, on the time-skipping server: nothing is lost between runs. (That timers
// and pending deliveries carry over is tested on the dev server: after a continue-as-new this test
// server no longer skips time.)
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Sop } from '../../domain';
import { actSignal } from '../../workflows/messages';
import { dealWorker, ms, runWorker, sleepUntil, TestDeal, webhookTarget } from '../helpers/deal-harness';
import { makeSop, MIA } from '../helpers/fixtures';
import { WebhookReceiver } from '../helpers/receiver';
import { bundleWorkflows, timeSkippingEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
const receiver = new WebhookReceiver();
let url: string;
beforeAll(async () => {
  [env, bundle, url] = await Promise.all([timeSkippingEnv(), bundleWorkflows(), receiver.start()]);
});
afterAll(async () => {
  await receiver.stop();
  await env?.teardown();
});

const sop: Sop = makeSop({
  stages: [
    { id: 'requirements', name: 'Requirements', deliverables: ['requirements-doc'], sla: { breachAfter: '1h' } },
    { id: 'contract', name: 'Contract', sla: { warnAfter: '1d', breachAfter: '2d' } },
  ],
});

/** Sends cheap actions until the deal's history is long enough for a new run; returns the new run id. */
async function forceNewRun(deal: TestDeal): Promise<string> {
  const { runId: firstRun } = await deal.handle.describe();
  for (let i = 0; i < 60; i++) {
    await deal.act({ type: 'log_activity', kind: 'email', note: `filler ${i}` }, MIA);
    const { runId } = await deal.handle.describe();
    if (runId !== firstRun) return runId;
  }
  throw new Error('the deal never continued as new');
}

test('a continue-as-new mid-deal keeps the whole state, the timeline and idempotency keys', async () => {
  receiver.respondWith(() => 204);
  const queue = uniqueId('can');
  const worker = await dealWorker(env, bundle, queue, webhookTarget(url));
  await runWorker(
    env,
    worker,
    (async () => {
      const deal = await TestDeal.start(env, queue, sop, {}, { maxHistoryEvents: 150 });
      await deal.act({ type: 'open_request', requestId: 'q1', summary: 'pricing question' });
      await deal.act({ type: 'raise_risk', riskId: 'r1', summary: 'decision maker changed', owner: 'mia' });
      await deal.act({ type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc', ref: 'doc://req' });
      await deal.act({ type: 'request_revision', stage: 'requirements', reason: 'scope changed' });
      await deal.act({ type: 'reassign', owner: 'bob' }, MIA);
      const keyed = {
        action: { type: 'log_activity', kind: 'visit', note: 'on site' },
        actor: MIA,
        idempotencyKey: 'k1',
        bodyHash: 'h1',
      } as const;
      await deal.handle.signal(actSignal, keyed);
      await sleepUntil(env, ms((await deal.view()).stage?.breachAt) + 1_000);
      const before = await deal.view();
      expect(before.escalations).toEqual([expect.objectContaining({ type: 'deal.sla.breached', delivery: 'delivered' })]);
      const timelineBefore = await deal.timeline();

      await forceNewRun(deal);
      const after = await deal.view();
      expect(after).toEqual(before);
      const timelineAfter = await deal.timeline();
      expect(timelineAfter.slice(0, timelineBefore.length)).toEqual(timelineBefore);

      // The idempotency key from the first run still applies once, and still refuses another body.
      await deal.act(keyed.action, MIA);
      const countVisits = async () =>
        (await deal.timeline()).filter((e) => e.type === 'activity_logged' && (e.data as { kind?: string }).kind === 'visit');
      expect(await countVisits()).toHaveLength(2);
      await deal.handle.signal(actSignal, keyed);
      await deal.handle.signal(actSignal, { ...keyed, bodyHash: 'other' });
      expect(await countVisits()).toHaveLength(2);
      expect((await deal.timeline()).at(-1)).toMatchObject({ type: 'action_rejected', data: { code: 'idempotency_key_reused' } });
    })(),
  );
});
