// The Temporal server killed -9 mid-run and restarted on its SQLite file: nothing acknowledged is
// lost, the API says 503 (never 500) while the server is away, and deadlines that passed while it
// was down fire within a minute of its return.
import { randomUUID } from 'node:crypto';
import { AlertReceiver } from './helpers/alert-receiver';
import { dealBody, deliveryReport, faultSop } from './helpers/deals';
import { call, callWithRetries, pool } from './helpers/http';
import { ServiceProcess, until } from './helpers/service-process';

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

/** Requests that never got their success answer, with every status they saw. */
const refused: string[] = [];

interface Acknowledged {
  dealId: string;
  tokens: string[];
}

/** Opens a deal and logs two activities; what was acknowledged (201 / 200) is returned. */
async function openAndAct(dealId: string): Promise<Acknowledged> {
  const acknowledged: Acknowledged = { dealId: '', tokens: [] };
  const opened = await callWithRetries(service.apiUrl, 'POST', '/v1/deals', {
    body: dealBody(dealId),
    headers: { 'idempotency-key': randomUUID() },
    deadlineMs: 120_000,
  });
  if (opened.status !== 201) {
    refused.push(`${dealId}: ${opened.statuses.join(',')} ${opened.text}`);
    return acknowledged;
  }
  acknowledged.dealId = dealId;
  for (let i = 0; i < 2; i += 1) {
    const token = randomUUID();
    const answer = await callWithRetries(service.apiUrl, 'POST', `/v1/deals/${dealId}/actions`, {
      body: { type: 'log_activity', kind: 'call', note: token },
      headers: { 'idempotency-key': token },
      deadlineMs: 120_000,
    });
    if (answer.status === 200) acknowledged.tokens.push(token);
    else refused.push(`${dealId} action: ${answer.statuses.join(',')} ${answer.text}`);
  }
  return acknowledged;
}

test('a dev server killed -9 and restarted loses nothing acknowledged, answers 503 meanwhile, fires overdue escalations', async () => {
  const before = await pool(
    Array.from({ length: 30 }, (_, i) => `srv-a-${i}`),
    10,
    openAndAct,
  );
  // Clients keep working through the outage; their retries carry them over it. The server dies
  // once five of these deals are done, so the other 25 are under way whatever the API's speed.
  let doneDuring = 0;
  let fifthDone!: () => void;
  const killTime = new Promise<void>((resolve) => (fifthDone = resolve));
  const during = pool(
    Array.from({ length: 30 }, (_, i) => `srv-b-${i}`),
    10,
    async (dealId) => {
      const acknowledged = await openAndAct(dealId);
      if ((doneDuring += 1) === 5) fifthDone();
      return acknowledged;
    },
  );
  await killTime;
  await service.killServer();
  const downAt = Date.now();

  // While the server is away (long enough for every deadline of the first deals to pass).
  const probes: Array<{ status: number; ms: number; contentType: string }> = [];
  while (Date.now() - downAt < 10_000) {
    const answers = await Promise.all([
      call(service.apiUrl, 'POST', '/v1/deals', { body: dealBody(`probe-${randomUUID()}`), timeoutMs: 20_000 }),
      call(service.apiUrl, 'GET', '/v1/deals/srv-a-0', { timeoutMs: 20_000 }),
      call(service.apiUrl, 'POST', '/v1/deals/srv-a-0/actions', { body: { type: 'log_activity', kind: 'call' }, timeoutMs: 20_000 }),
      call(service.apiUrl, 'GET', '/v1/deals?pageSize=5', { timeoutMs: 20_000 }),
    ]);
    probes.push(...answers.map(({ status, ms, contentType }) => ({ status, ms, contentType })));
  }
  await service.startServer();
  const upAt = Date.now();
  const after = await during;
  const workerSurvived = service.worker?.running ?? false;
  if (!workerSurvived) await service.startWorker();

  const acknowledged = [...before, ...after].filter((a) => a.dealId);
  const dealIds = acknowledged.map((a) => a.dealId);
  // Overdue escalations of the first deals: delivered within 60 s of the server's return.
  const firstIds = before.filter((a) => a.dealId).map((a) => a.dealId);
  const firstDeals = await until(
    () => pool(firstIds, 8, async (dealId) => (await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body),
    (views) => {
      const report = deliveryReport(views, receiver, Date.now());
      return report.missing.length === 0 && report.undelivered.length === 0;
    },
    60_000,
    'the overdue escalations',
  );
  const overdueMs = Date.now() - upAt;
  const deals = await pool(dealIds, 8, async (dealId) => (await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body);
  const timelines = await pool(
    dealIds,
    8,
    async (dealId) => (await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}/timeline`)).body,
  );
  const notes = timelines.flatMap((t: any) => t.events.map((e: any) => e.data?.note)).filter(Boolean);
  const lostActions = acknowledged.flatMap((a) => a.tokens).filter((token) => notes.filter((n: string) => n === token).length !== 1);

  const statuses = probes.reduce<Record<number, number>>((counts, p) => ({ ...counts, [p.status]: (counts[p.status] ?? 0) + 1 }), {});
  console.log(
    `server restart: down ${upAt - downAt} ms, ${probes.length} requests meanwhile ${JSON.stringify(statuses)} ` +
      `(slowest ${Math.max(...probes.map((p) => p.ms))} ms), worker survived: ${workerSurvived}; ` +
      `${acknowledged.length} deals and ${acknowledged.flatMap((a) => a.tokens).length} actions acknowledged; ` +
      `overdue escalations of ${firstDeals.length} deals delivered ${overdueMs} ms after the restart; ` +
      `${deliveryReport(deals, receiver, Date.now()).repeats} repeat deliveries`,
  );
  const apiProblems = service.api?.problems ?? [];
  if (refused.length > 0) console.warn(`the API logged:\n${apiProblems.join('\n').slice(0, 8_000)}`);
  expect(refused).toEqual([]);
  expect(probes.filter((p) => p.status !== 503)).toEqual([]);
  expect(probes.every((p) => p.contentType.startsWith('application/problem+json'))).toBe(true);
  expect(deals.map((d: any) => d.dealId)).toEqual(dealIds);
  expect(acknowledged.length).toBe(60);
  expect(lostActions).toEqual([]);
  expect(overdueMs).toBeLessThan(60_000);
  expect(deliveryReport(deals, receiver, Date.now()).unsigned).toBe(0);
}, 400_000);
