// The alert system away (connection refused), then failing 30% of requests with 503: every
// escalation reaches it in the end, each under its one id, every attempt validly signed.
import { randomUUID } from 'node:crypto';
import { AlertReceiver } from './helpers/alert-receiver';
import { dealBody, deliveryReport, dueAlerts, faultSop } from './helpers/deals';
import { callWithRetries, pool } from './helpers/http';
import { ServiceProcess, until } from './helpers/service-process';

const DEALS = 30;
const receiver = new AlertReceiver();
let service: ServiceProcess;

beforeAll(async () => {
  service = await ServiceProcess.create({ sops: [faultSop()], webhookUrl: await receiver.start() });
  await service.startAll();
}, 300_000);
afterAll(async () => {
  await service?.stop();
  await receiver.stop();
});

test('an alert system down, then flaky, gets every escalation once per id, signed', async () => {
  await receiver.stop();
  const downAt = Date.now();
  const dealIds = Array.from({ length: DEALS }, (_, i) => `outage-${i}-${randomUUID().slice(0, 6)}`);
  await pool(dealIds, 8, async (dealId) => {
    const opened = await callWithRetries(service.apiUrl, 'POST', '/v1/deals', { body: dealBody(dealId) });
    expect(opened.status).toBe(201);
  });
  // Down until every deal's warning, breach and escalation (3, 6, 8 s) have been tried at least once.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 15_000 - (Date.now() - downAt))));
  receiver.respondWith(() => (Math.random() < 0.3 ? 503 : 204));
  await receiver.start();
  const upAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 20_000));
  receiver.respondWith(() => 204);

  const deals = await until(
    () => pool(dealIds, 8, async (dealId) => (await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body),
    (views) => {
      const report = deliveryReport(views, receiver, Date.now());
      return report.missing.length === 0 && report.undelivered.length === 0;
    },
    120_000,
    'every escalation delivered',
  );
  const report = deliveryReport(deals, receiver, Date.now());
  const recorded = deals.flatMap((deal: any) => deal.escalations.map((e: any) => e.id));
  const bodies = receiver.deliveredBodies();
  const failed503 = receiver.requests.filter((r) => r.status === 503).length;
  console.log(
    `alert outage: down ${upAt - downAt} ms then 30% 503 for 20 s; ${recorded.length} escalations, ` +
      `${receiver.requests.length} requests seen (${failed503} answered 503), ${report.repeats} repeat deliveries, ` +
      `all delivered ${Date.now() - upAt} ms after the receiver came back`,
  );
  expect(deals.every((deal: any) => dueAlerts(deal, Date.now()).length === 3)).toBe(true);
  expect(report.missing).toEqual([]);
  expect(report.undelivered).toEqual([]);
  expect(new Set(receiver.deliveredIds().keys())).toEqual(new Set(recorded));
  expect(receiver.requests.filter((r) => !r.signatureValid)).toEqual([]);
  // The id in the body is the webhook-id, on every attempt.
  expect(receiver.requests.filter((r) => JSON.parse(r.body).id !== r.id)).toEqual([]);
  expect([...bodies.values()].every((body) => recorded.includes(body.id))).toBe(true);
}, 400_000);
