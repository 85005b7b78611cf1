import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { createDeliverWebhook, retryAfterMs, signedHeaders, webhookKey } from '../../activities';
import type { AlertPayload } from '../../domain';
import { WEBHOOK_SECRET, webhookTarget } from '../helpers/deal-harness';
import { WebhookReceiver } from '../helpers/receiver';

const alert = { id: 'msg_0123456789abcdef', type: 'deal.escalated', deal: { dealId: 'acme' } } as unknown as AlertPayload;
const receiver = new WebhookReceiver();
let url: string;
beforeAll(async () => {
  url = await receiver.start();
});
afterAll(() => receiver.stop());

function deliver(target: string | null, requestTimeoutMs = 2_000) {
  const deliverWebhook = createDeliverWebhook({ target: target ? webhookTarget(target) : null, fetch, now: Date.now, requestTimeoutMs });
  return new MockActivityEnvironment().run(deliverWebhook, alert);
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

test('a 2xx answer is delivered, signed as Standard Webhooks verifies it', async () => {
  receiver.respondWith(() => 200);
  expect(await deliver(url)).toBe('delivered');
  const request = receiver.received.at(-1);
  expect(request?.headers['content-type']).toBe('application/json');
  expect(new Webhook(WEBHOOK_SECRET).verify(String(request?.body), request?.headers as Record<string, string>)).toEqual(alert);
  expect(request?.headers['webhook-id']).toBe(alert.id);
});

test('without a URL the alert is recorded only', async () => {
  const before = receiver.received.length;
  expect(await deliver(null)).toBe('skipped');
  expect(receiver.received).toHaveLength(before);
});

test.each([408, 429, 500, 502, 503])('%i is retried', async (status) => {
  receiver.respondWith(() => status);
  const failure = await failureOf(deliver(url));
  expect(failure).toMatchObject({ type: 'WebhookRetry', nonRetryable: false });
});

test.each([400, 401, 404, 410, 422])('%i is final', async (status) => {
  receiver.respondWith(() => status);
  const failure = await failureOf(deliver(url));
  expect(failure).toMatchObject({ type: 'WebhookRejected', nonRetryable: true });
});

test('a network error is retried', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const failure = await failureOf(deliver(`http://127.0.0.1:${port}/alerts`));
  expect(failure).toMatchObject({ type: 'WebhookUnreachable', nonRetryable: false });
});

test('a receiver slower than the request timeout is retried', async () => {
  const slow: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  try {
    const failure = await failureOf(deliver(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, 200));
    expect(failure).toMatchObject({ type: 'WebhookUnreachable', nonRetryable: false });
  } finally {
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  }
});

test('Retry-After sets the next retry delay', async () => {
  const server = createServer((_request, response) => response.writeHead(429, { 'retry-after': '120' }).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const failure = await failureOf(deliver(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
    expect(failure.nextRetryDelay).toBe(120_000);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('retryAfterMs reads seconds and HTTP dates and caps at one hour', () => {
  const now = Date.parse('2026-11-26T10:00:00.000Z');
  expect(retryAfterMs('5', now)).toBe(5_000);
  expect(retryAfterMs('Thu, 26 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
  expect(retryAfterMs('86400', now)).toBe(3_600_000);
  expect(retryAfterMs('soon', now)).toBeNull();
  expect(retryAfterMs(null, now)).toBeNull();
});

test('each attempt is signed with its own timestamp and the same id', () => {
  const key = webhookKey(WEBHOOK_SECRET);
  const first = signedHeaders(key, alert.id, '{}', 1_700_000_000);
  const second = signedHeaders(key, alert.id, '{}', 1_700_000_060);
  expect(first['webhook-id']).toBe(second['webhook-id']);
  expect(first['webhook-signature']).not.toBe(second['webhook-signature']);
  expect(first['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
});

test.each([
  ['no prefix', 'c2VjcmV0'],
  ['not base64', 'whsec_***'],
  ['too short', `whsec_${Buffer.alloc(16).toString('base64')}`],
  ['too long', `whsec_${Buffer.alloc(65).toString('base64')}`],
])('a secret with %s is refused', (_why, secret) => {
  expect(() => webhookKey(secret)).toThrow(/secret/);
});
