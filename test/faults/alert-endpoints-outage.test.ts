// Three alert endpoints for the same alerts (CONTRACT.md v2.3): one down for the whole test, one
// flapping, one healthy. The healthy one gets every alert on time, the flapping one every alert in
// the end, the dead one shows them retrying and then failed; and none of it moves a deal's timers.
import { randomUUID } from 'node:crypto';
import { freePort } from '../helpers/ports';
import { startReceiver, type RunningReceiver } from '../receivers/receiver-server';
import { BREACH_MS, dealBody, ESCALATE_MS, faultSop, WARN_MS } from './helpers/deals';
import { callWithRetries, pool } from './helpers/http';
import { ServiceProcess, until } from './helpers/service-process';

const DEALS = 10;
/** ALERT_RETRY_WINDOW for this test: the dead endpoint's deliveries fail within it, not after 25 h. */
const RETRY_WINDOW_S = 120;
/** The flapping endpoint: down, up, down for 10 s each from the first deal, then up. */
const flaps = (sinceMs: number): boolean => sinceMs < 10_000 || (sinceMs >= 20_000 && sinceMs < 30_000);
let service: ServiceProcess;
let healthy: RunningReceiver<'standard'>;
let flapping: RunningReceiver<'feishu'>;

beforeAll(async () => {
  service = await ServiceProcess.create({ sops: [faultSop()], env: { ALERT_RETRY_WINDOW: `${RETRY_WINDOW_S}s` } });
  await service.startAll();
}, 300_000);
afterAll(async () => {
  await service?.stop();
  await Promise.all([healthy?.stop(), flapping?.stop()]);
});

const api = (method: string, route: string, body?: unknown) => callWithRetries(service.apiUrl, method, route, { body });
const deliveriesOf = async (endpointId: string) => {
  const list: any[] = [];
  let token: string | null = null;
  do {
    const page: any = (await api('GET', `/v1/alert-endpoints/${endpointId}/deliveries?pageSize=100${token ? `&pageToken=${token}` : ''}`))
      .body;
    list.push(...page.deliveries);
    token = page.nextPageToken;
  } while (token);
  return list;
};

test('a dead endpoint and a flapping one hold up neither the healthy one nor any deal', async () => {
  // Healthy: Standard Webhooks, no throttle. Flapping: a Feishu bot answering 503 while it flaps.
  const healthyPort = await freePort();
  const healthyEndpoint = (
    await api('POST', '/v1/alert-endpoints', { url: `http://127.0.0.1:${healthyPort}/alerts`, description: 'healthy' })
  ).body;
  healthy = await startReceiver({ format: 'standard', port: Number(healthyPort), settings: { secrets: [healthyEndpoint.signingSecret] } });
  let flapsFrom = Infinity;
  flapping = await startReceiver({ format: 'feishu', answer: () => (flaps(Date.now() - flapsFrom) ? 503 : 'pass') });
  const flappingEndpoint = (
    await api('POST', '/v1/alert-endpoints', {
      url: flapping.url,
      format: 'feishu',
      secret: flapping.settings.secret,
      description: 'flapping',
    })
  ).body;
  // Dead: a DingTalk robot on a port nothing listens on, for the whole test.
  const deadEndpoint = (
    await api('POST', '/v1/alert-endpoints', {
      url: `http://127.0.0.1:${await freePort()}/robot/send?access_token=${randomUUID()}`,
      format: 'dingtalk',
      description: 'dead',
    })
  ).body;

  const dealIds = Array.from({ length: DEALS }, (_, i) => `three-${i}-${randomUUID().slice(0, 6)}`);
  flapsFrom = Date.now();
  await pool(dealIds, 5, async (dealId) => expect((await api('POST', '/v1/deals', dealBody(dealId))).status).toBe(201));
  const startedAt = Date.now();

  // The dead endpoint's deliveries are retried while the others deliver.
  const retrying = await until(
    () => deliveriesOf(deadEndpoint.id),
    (list) => list.filter((d) => d.state === 'retrying').length >= DEALS,
    60_000,
    'the dead endpoint retrying',
  );
  expect(retrying.every((d) => d.attempts.every((a: any) => a.status === null && /unreachable/.test(a.error)))).toBe(true);

  const deals = await until(
    () => pool(dealIds, 5, async (dealId) => (await api('GET', `/v1/deals/${dealId}`)).body),
    (views) => views.every((deal: any) => deal.escalations.length === 3),
    60_000,
    'every deal’s three alerts',
  );
  const alerts = deals.flatMap((deal: any) => deal.escalations.map((e: any) => ({ ...e, deal })));
  expect(alerts).toHaveLength(3 * DEALS);

  // The deals' own timers: each alert fired on time, whatever the endpoints did.
  const offsets: Record<string, number> = { 'deal.sla.warning': WARN_MS, 'deal.sla.breached': BREACH_MS, 'deal.escalated': ESCALATE_MS };
  const firedLate = alerts.map((a: any) => Date.parse(a.firedAt) - (Date.parse(a.deal.stage.enteredAt) + offsets[a.type]));
  expect(Math.max(...firedLate)).toBeLessThan(2_000);
  for (const deal of deals) expect(deal.escalations.map((e: any) => e.type).sort()).toEqual(Object.keys(offsets).sort());

  // Healthy: every alert, signed, within seconds of its deadline.
  await until(
    () => healthy.messages.length,
    (n) => n >= alerts.length,
    30_000,
    'the healthy endpoint',
  );
  const received = new Map(healthy.messages.map((m) => [m.deliveryId, m]));
  const lateness = alerts.map((a: any) => {
    const message = received.get(a.id);
    if (!message) throw new Error(`the healthy endpoint never got ${a.id}`);
    return message.at - Date.parse((message.body as { deadline: string }).deadline);
  });
  expect(healthy.refused).toEqual([]);
  expect(Math.max(...lateness)).toBeLessThan(5_000);

  // Flapping: every alert delivered in the end, after the attempts it refused.
  const flapped = await until(
    () => deliveriesOf(flappingEndpoint.id),
    (list) => list.length === alerts.length && list.every((d) => d.state === 'delivered'),
    120_000,
    'the flapping endpoint delivered',
  );
  expect(new Set(flapped.map((d) => d.alertId))).toEqual(new Set(alerts.map((a: any) => a.id)));
  expect(flapped.some((d) => d.attempts.some((a: any) => a.status === 503))).toBe(true);
  expect(flapping.messages.length).toBeGreaterThanOrEqual(alerts.length);

  // Dead: every alert failed once the retry window ran out, each with every attempt recorded.
  const failed = await until(
    () => deliveriesOf(deadEndpoint.id),
    (list) => list.length === alerts.length && list.every((d) => d.state === 'failed'),
    (RETRY_WINDOW_S + 60) * 1000,
    'the dead endpoint failed',
  );
  expect(failed.every((d) => d.attemptCount >= 3 && /gave up/.test(d.attempts[d.attempts.length - 1].error))).toBe(true);
  console.log(
    `three endpoints: ${alerts.length} alerts; healthy latest ${Math.max(...lateness)} ms after its deadline; ` +
      `flapping all delivered (${flapping.attempts} requests); dead failed after ${Math.round((Date.now() - startedAt) / 1000)} s; ` +
      `alerts fired at most ${Math.max(...firedLate)} ms late`,
  );
}, 400_000);
