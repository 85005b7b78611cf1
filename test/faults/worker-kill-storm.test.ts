// Worker SIGKILL storm: deals open and act while the worker is killed -9 at random moments and
// restarted. Nothing a client was told "200" about is lost or applied twice, every due escalation
// reaches the alert system under one id, and every history still replays through today's code.
import { randomUUID } from 'node:crypto';
import { AlertReceiver } from './helpers/alert-receiver';
import { dealBody, deliveryReport, ESCALATE_MS, faultSop, replayDeals } from './helpers/deals';
import { call, callWithRetries, pool } from './helpers/http';
import { ServiceProcess, until } from './helpers/service-process';

const DEALS = Number(process.env.FAULT_DEALS ?? 100);
const KILLS = 10;

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

interface Sent {
  dealId: string;
  token: string;
  status: number;
}

/** One deal's life as a careful client drives it: every request retried with its Idempotency-Key. */
async function driveDeal(dealId: string, index: number): Promise<Sent[]> {
  const url = service.apiUrl;
  const opened = await callWithRetries(url, 'POST', '/v1/deals', {
    body: dealBody(dealId),
    headers: { 'idempotency-key': randomUUID() },
    deadlineMs: 180_000,
  });
  if (opened.status !== 201) return [{ dealId, token: `open ${opened.text}`, status: opened.status }];
  const actions: Array<(token: string) => Record<string, unknown>> = [
    (token) => ({ type: 'log_activity', kind: 'call', note: token }),
    (token) => ({ type: 'submit_deliverable', stage: 'requirements', deliverable: 'doc', ref: token }),
    (token) => ({ type: 'log_activity', kind: 'email', note: token }),
  ];
  // A third of the deals complete their first stage; the rest wait out its SLA and escalation.
  if (index % 3 === 0) actions.push((token) => ({ type: 'complete_stage', stage: 'requirements', note: token }));
  const sent: Sent[] = [];
  for (const action of actions) {
    const token = randomUUID();
    const answer = await callWithRetries(url, 'POST', `/v1/deals/${dealId}/actions`, {
      body: action(token),
      headers: { 'idempotency-key': token },
      deadlineMs: 180_000,
    });
    sent.push({ dealId, token, status: answer.status });
    if (answer.status !== 200)
      console.warn(`${dealId} action answered ${answer.status} after ${answer.statuses.join(',')}: ${answer.text}`);
  }
  return sent;
}

/** Kills the worker at random moments while `busy` runs; restarts it each time. */
async function killStorm(done: () => boolean): Promise<{ kills: number; restartMs: number[] }> {
  const restartMs: number[] = [];
  let kills = 0;
  while (kills < KILLS || !done()) {
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 2_000));
    if (kills >= KILLS) continue;
    await service.killWorker();
    kills += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 1_500));
    const started = Date.now();
    await service.startWorker();
    restartMs.push(Date.now() - started);
  }
  return { kills, restartMs };
}

test('a worker killed -9 again and again loses no accepted action and misses no escalation', async () => {
  const started = Date.now();
  const dealIds = Array.from({ length: DEALS }, (_, i) => `storm-${i}-${randomUUID().slice(0, 8)}`);
  let finished = false;
  const [sentPerDeal, storm] = await Promise.all([
    pool(dealIds, 16, driveDeal).finally(() => (finished = true)),
    killStorm(() => finished),
  ]);
  const sent = sentPerDeal.flat();
  const apiProblems = service.api?.problems ?? [];
  if (apiProblems.length > 0) console.warn(`the API logged:\n${apiProblems.join('\n').slice(0, 6_000)}`);
  const accepted = sent.filter((s) => s.status === 200);
  const driveMs = Date.now() - started;

  // Every deal still in its first stage fires its escalation 8 s after entry: wait that out, so the
  // views and timelines read below hold every alert there will be.
  const lastEntry = Math.max(
    ...(await pool(dealIds, 8, async (dealId) =>
      Date.parse((await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body.createdAt),
    )),
  );
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastEntry + ESCALATE_MS + 3_000 - Date.now())));
  const deals = await until(
    async () => pool(dealIds, 8, async (dealId) => (await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body),
    (views) =>
      deliveryReport(views, receiver, Date.now()).missing.length === 0 &&
      deliveryReport(views, receiver, Date.now()).undelivered.length === 0,
    120_000,
    'every due alert delivered',
  ).catch(async () => pool(dealIds, 8, async (dealId) => (await call(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body));
  const report = deliveryReport(deals, receiver, Date.now());

  const timelines = await pool(
    dealIds,
    8,
    async (dealId) => (await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}/timeline`)).body.events,
  );
  const onTimeline = new Map<string, number>();
  for (const events of timelines) {
    for (const event of events) {
      const token = event.data?.note ?? event.data?.ref;
      if (typeof token === 'string') onTimeline.set(token, (onTimeline.get(token) ?? 0) + 1);
    }
  }
  const lost = accepted.filter((s) => onTimeline.get(s.token) !== 1).map((s) => `${s.dealId} ${s.token} x${onTimeline.get(s.token) ?? 0}`);
  const replay = await replayDeals(service.temporalAddress, dealIds);

  console.log(
    `worker storm: ${DEALS} deals, ${sent.length} actions (${accepted.length} answered 200, others ${JSON.stringify(
      sent.filter((s) => s.status !== 200).map((s) => s.status),
    )}), ${storm.kills} kills, worker restarts ${storm.restartMs.join(' ')} ms, drive ${driveMs} ms; ` +
      `${report.alerts} alerts recorded, ${receiver.deliveredIds().size} ids delivered, ${report.repeats} repeat deliveries, ` +
      `${receiver.requests.length} webhook requests; ${replay.replayed} histories replayed`,
  );
  expect(storm.kills).toBeGreaterThanOrEqual(10);
  expect(accepted.length).toBe(sent.length);
  expect(lost).toEqual([]);
  expect(report.missing).toEqual([]);
  expect(report.undelivered).toEqual([]);
  expect(report.unsigned).toBe(0);
  // Every delivered id is one of the deals' alerts: no event went out under a second id.
  const recorded = new Set(deals.flatMap((deal: any) => deal.escalations.map((e: any) => e.id)));
  const strays = [...receiver.deliveredIds().keys()].filter((id) => !recorded.has(id));
  for (const id of strays) {
    const body = receiver.deliveredBodies().get(id) ?? {};
    const index = dealIds.indexOf(body.deal?.dealId);
    const alertEvents = (timelines[index] ?? []).filter((e: any) => e.data?.alert || e.type === 'delivery_recorded');
    console.warn(
      `delivered but not on its deal: ${id} ${body.type} level ${body.level} occurrence ${body.occurrence} at ${body.occurredAt} ` +
        `for ${body.deal?.dealId}; the deal recorded ${JSON.stringify(deals[index]?.escalations)}; ` +
        `its alert events ${JSON.stringify(alertEvents.map((e: any) => ({ at: e.at, type: e.type, id: e.data.alert?.id ?? e.data.alertId })))}; ` +
        `requests for it ${JSON.stringify(receiver.requests.filter((r) => JSON.parse(r.body).deal?.dealId === body.deal?.dealId).map((r) => [r.id, r.status, r.receivedAt]))}`,
    );
  }
  expect(strays).toEqual([]);
  expect(replay.failures).toEqual([]);
  expect(replay.replayed).toBe(DEALS);
}, 600_000);
