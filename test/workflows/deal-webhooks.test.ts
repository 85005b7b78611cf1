// Escalation webhooks from a deal to a real receiver on loopback, on the time-skipping server.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import type { AlertPayload } from '../../domain';
import {
  alertsSettled,
  dealWorker,
  HOUR,
  ms,
  runWorker,
  sleepUntil,
  TestDeal,
  WEBHOOK_SECRET,
  webhookTarget,
} from '../helpers/deal-harness';
import { makeSop } from '../helpers/fixtures';
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

const sop = makeSop({
  stages: [
    { id: 'requirements', name: 'Requirements', sla: { breachAfter: '1h' } },
    { id: 'contract', name: 'Contract' },
  ],
});

function requestsFor(id: string) {
  return receiver.received.filter((r) => r.headers['webhook-id'] === id);
}

test('a webhook answered 503 twice is retried under one webhook-id, signed afresh, and ends delivered', async () => {
  receiver.respondWith((attempt) => (attempt < 2 ? 503 : 204));
  const queue = uniqueId('webhooks');
  const worker = await dealWorker(env, bundle, queue, webhookTarget(url));
  await runWorker(
    env,
    worker,
    (async () => {
      const deal = await TestDeal.start(env, queue, sop);
      await sleepUntil(env, ms((await deal.view()).stage?.breachAt) + 1_000);
      const view = await alertsSettled(env, deal);
      const [alert] = view.escalations;
      expect(alert).toMatchObject({ type: 'deal.sla.breached', delivery: 'delivered', stage: 'requirements' });

      const attempts = requestsFor(alert.id);
      expect(attempts.map((a) => a.status)).toEqual([503, 503, 204]);
      expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
      // Every attempt verifies with the Standard Webhooks reference verifier.
      const verifier = new Webhook(WEBHOOK_SECRET);
      for (const attempt of attempts) {
        const payload = verifier.verify(attempt.body, attempt.headers as Record<string, string>) as AlertPayload;
        expect(payload.id).toBe(alert.id);
      }
      const body = JSON.parse(attempts[0].body) as AlertPayload;
      expect(body).toMatchObject({
        id: alert.id,
        type: 'deal.sla.breached',
        deadline: view.stage?.breachAt,
        deal: { dealId: view.dealId, owner: 'alice', status: 'open', health: 'red', sop: { id: 'test-sop', version: 1 } },
        stage: { id: 'requirements', name: 'Requirements', enteredAt: view.stage?.enteredAt },
        requestId: null,
        riskId: null,
        level: null,
        occurrence: null,
        notify: ['owner', 'manager'],
        recipients: [
          { role: 'owner', subject: 'alice' },
          { role: 'manager', subject: 'mia' },
        ],
      });
    })(),
  );
});

test('a receiver that is down holds up neither other deadlines nor actions', async () => {
  receiver.respondWith(() => 503);
  const queue = uniqueId('webhooks');
  const worker = await dealWorker(env, bundle, queue, webhookTarget(url));
  const ladder = makeSop({
    stages: [
      { id: 'requirements', name: 'Requirements', escalations: [{ after: '1h', notify: ['manager'], repeatEvery: '1h' }] },
      { id: 'contract', name: 'Contract' },
    ],
  });
  await runWorker(
    env,
    worker,
    (async () => {
      const deal = await TestDeal.start(env, queue, ladder);
      const enteredAt = ms((await deal.view()).stage?.enteredAt);
      await sleepUntil(env, enteredAt + 3.5 * HOUR);
      const view = await deal.act({ type: 'log_activity', kind: 'call', note: 'still reachable' });
      expect(view.escalations.map((e) => [e.occurrence, e.delivery])).toEqual([
        [0, 'pending'],
        [1, 'pending'],
        [2, 'pending'],
      ]);
      receiver.respondWith(() => 204);
      await env.sleep(2 * HOUR);
      const delivered = await deal.view();
      expect(delivered.escalations.slice(0, 3).every((e) => e.delivery === 'delivered')).toBe(true);
    })(),
  );
});

// Last in the file: after this test the time-skipping server (1.40) no longer skips time for a later
// test's deal, even with every workflow of this one terminated. Not understood yet; see the closing note.
test('a webhook answered 400 is not retried and ends failed, and the deal carries on', async () => {
  receiver.respondWith(() => 400);
  const queue = uniqueId('webhooks');
  const worker = await dealWorker(env, bundle, queue, webhookTarget(url));
  await runWorker(
    env,
    worker,
    (async () => {
      const deal = await TestDeal.start(env, queue, sop);
      await sleepUntil(env, ms((await deal.view()).stage?.breachAt) + 1_000);
      const view = await alertsSettled(env, deal);
      expect(view.escalations).toEqual([expect.objectContaining({ type: 'deal.sla.breached', delivery: 'failed' })]);
      expect(requestsFor(view.escalations[0].id)).toHaveLength(1);
      const recorded = (await deal.timeline()).find((e) => e.type === 'delivery_recorded');
      expect(recorded?.data).toMatchObject({ delivery: 'failed', error: expect.stringContaining('400') });
      const next = await deal.act({ type: 'complete_stage', stage: 'requirements' });
      expect(next.stage?.id).toBe('contract');
    })(),
  );
});
