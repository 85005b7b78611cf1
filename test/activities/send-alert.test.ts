// An alert's first attempt: the webhook to a real receiver, its facts to the analytics, both outcomes as a result.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDeliverWebhook } from '../../activities';
import { createSendAlert, type AlertDispatchOutcome } from '../../activities/send-alert';
import type { AlertPayload, DealFact } from '../../domain';
import type { DealFactBatch } from '../../workflows/messages';
import { webhookTarget } from '../helpers/deal-harness';
import { WebhookReceiver } from '../helpers/receiver';

const alert = { id: 'msg_00000000000000aa', type: 'deal.sla.breached', deal: { dealId: 'acme' } } as unknown as AlertPayload;
const facts = [
  { kind: 'stage_breached', stage: 'requirements', id: 'acme#4.0', dealId: 'acme', at: '2026-12-04T10:00:00.000Z' },
] as DealFact[];
const receiver = new WebhookReceiver();
let url: string;
beforeAll(async () => {
  url = await receiver.start();
});
afterAll(() => receiver.stop());

/** The analytics side: records what reached it, or fails as a signal to the analytics workflow can. */
function analytics(fails = false) {
  const batches: DealFactBatch[] = [];
  const record = async (batch: DealFactBatch): Promise<void> => {
    if (fails) throw new Error('analytics unavailable');
    batches.push(batch);
  };
  return { batches, record };
}

function send(
  target: string | null,
  recordFacts: (batch: DealFactBatch) => Promise<void>,
  withFacts = facts,
): Promise<AlertDispatchOutcome> {
  const deliverWebhook = createDeliverWebhook({
    target: target ? webhookTarget(target) : null,
    fetch,
    now: Date.now,
    requestTimeoutMs: 2_000,
  });
  return new MockActivityEnvironment().run(
    createSendAlert(deliverWebhook, recordFacts, async (sent) => sent),
    {
      alert,
      sopId: 'enterprise-b2b',
      facts: withFacts,
    },
  );
}

test('a delivered alert reports its facts in the same attempt', async () => {
  receiver.respondWith(() => 204);
  const side = analytics();
  expect(await send(url, side.record)).toEqual({ delivery: 'delivered', error: null, retryAfterMs: null, factsRecorded: true });
  expect(side.batches).toEqual([{ sopId: 'enterprise-b2b', facts }]);
  expect(receiver.received.at(-1)?.headers['webhook-id']).toBe(alert.id);
});

test('an alert system that fails for now is a result that asks for a retry, with the facts recorded', async () => {
  receiver.respondWith(() => 503);
  const side = analytics();
  expect(await send(url, side.record)).toMatchObject({ delivery: 'retry', retryAfterMs: null, factsRecorded: true });
  expect(side.batches).toHaveLength(1);
});

test('a Retry-After reaches the deal as the delay before the retry', async () => {
  const server = createServer((_request, response) => response.writeHead(429, { 'retry-after': '7' }).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const outcome = await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, analytics().record);
    expect(outcome).toMatchObject({ delivery: 'retry', retryAfterMs: 7_000 });
    expect(outcome.error).toMatch(/429/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a refused alert is failed for good', async () => {
  receiver.respondWith(() => 400);
  const outcome = await send(url, analytics().record);
  expect(outcome).toMatchObject({ delivery: 'failed', retryAfterMs: null, factsRecorded: true });
  expect(outcome.error).toMatch(/400/);
});

test('facts that did not reach the analytics come back to the deal; the alert is delivered all the same', async () => {
  receiver.respondWith(() => 204);
  expect(await send(url, analytics(true).record)).toMatchObject({ delivery: 'delivered', factsRecorded: false });
});

test('an alert without facts (a retry carried over a continue-as-new) does not call the analytics', async () => {
  const side = analytics(true);
  expect(await send(null, side.record, [])).toEqual({ delivery: 'skipped', error: null, retryAfterMs: null, factsRecorded: true });
});
