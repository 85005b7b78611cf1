// The service on the production topology (`npm run cluster`): PostgreSQL, the Temporal server built
// from its Go module, two workers and two API processes, each a process of its own. A worker of two
// SIGKILLed under load, an API of two killed under a retrying client, the Temporal server killed and
// restarted: nothing acknowledged is lost, every alert is delivered under its one id, and lists and
// analytics are answered from PostgreSQL visibility.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Cluster } from '../../scripts/cluster/cluster';
import { freePortBelow } from '../../scripts/ports';
import { AlertReceiver } from '../faults/helpers/alert-receiver';
import { dealBody, faultSop } from '../faults/helpers/deals';
import { call, callWithRetries, pool } from '../faults/helpers/http';
import { FAULT_KEYS } from '../faults/helpers/service-process';
import { WEBHOOK_SECRET } from '../helpers/deal-harness';
import { eventually } from '../helpers/eventually';

const dir = mkdtempSync(path.join(tmpdir(), 'sales-sop-cluster-'));
// PostgreSQL runs as the `postgres` user when the tests run as root: it must pass through this folder.
chmodSync(dir, 0o755);
const receiver = new AlertReceiver();
let cluster: Cluster;
const api = (index: number) => cluster.apiUrl(index);

beforeAll(async () => {
  const sopDir = path.join(dir, 'sops');
  mkdirSync(sopDir);
  writeFileSync(path.join(sopDir, 'fault-sop.json'), JSON.stringify(faultSop()));
  const alerts = await receiver.start();
  cluster = await Cluster.start({
    dataDir: path.join(dir, 'data'),
    apiPort: await freePortBelow(new Set(), 33_000, 39_000),
    temporalPort: await freePortBelow(new Set()),
    workers: 2,
    apis: 2,
    namespace: 'default',
    retention: '1d',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      HOST: '127.0.0.1',
      SOP_DIR: sopDir,
      API_KEYS: `${FAULT_KEYS.admin}:admin:root,${FAULT_KEYS.alice}:rep:alice,${FAULT_KEYS.manager}:manager:mia`,
      ALERT_WEBHOOK_URL: alerts,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      RATE_LIMIT: '100000',
      LOG_LEVEL: 'warn',
    },
    log: () => undefined,
  });
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** Every event type and note on a deal's timeline, read through API `index`. */
async function timelineOf(dealId: string, index = 1): Promise<Array<{ type: string; data: { note?: string } }>> {
  const reply = await callWithRetries(api(index), 'GET', `/v1/deals/${dealId}/timeline`, { as: 'manager', deadlineMs: 60_000 });
  expect(reply.status).toBe(200);
  return reply.body.events;
}

test('a worker of two SIGKILLed under load: the other takes over, no action is lost, every alert is delivered under its one id', async () => {
  const deals = Array.from({ length: 12 }, (_, i) => `worker-kill-${i}`);
  for (const dealId of deals)
    expect((await callWithRetries(api(0), 'POST', '/v1/deals', { as: 'manager', body: dealBody(dealId) })).status).toBe(201);
  const actions = deals.flatMap((dealId) => Array.from({ length: 5 }, (_, n) => ({ dealId, note: `${dealId}/${n}` })));
  let killed = false;
  const answers = await pool(actions, 6, async ({ dealId, note }, index) => {
    if (index === Math.floor(actions.length / 3) && !killed) {
      killed = true;
      await cluster.workers[0].stop('SIGKILL');
    }
    return callWithRetries(api(index % 2), 'POST', `/v1/deals/${dealId}/actions`, {
      as: 'manager',
      body: { type: 'log_activity', kind: 'call', note },
      headers: { 'idempotency-key': `kill-${note}` },
      deadlineMs: 120_000,
    });
  });
  expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
  // Every acknowledged action is on its deal's timeline exactly once.
  for (const dealId of deals) {
    const notes = (await timelineOf(dealId)).filter((event) => event.type === 'activity_logged').map((event) => event.data.note);
    expect(notes.sort()).toEqual(Array.from({ length: 5 }, (_, n) => `${dealId}/${n}`).sort());
  }
  // The SOP warns at 3 s, breaches at 6 s and escalates at 8 s: three alerts a deal, each delivered, validly signed, under one id.
  const delivered = await eventually(
    async () => new Set(receiver.requests.filter((r) => r.status < 300 && r.signatureValid).map((r) => r.id)),
    (ids) => ids.size >= deals.length * 3,
    90_000,
  );
  expect(delivered.size).toBe(deals.length * 3);
  const perDeal = new Map<string, string[]>();
  for (const request of receiver.requests.filter((r) => r.status < 300)) {
    const alert = JSON.parse(request.body) as { type: string; deal: { dealId: string } };
    perDeal.set(alert.deal.dealId, [...new Set([...(perDeal.get(alert.deal.dealId) ?? []), `${alert.type}:${request.id}`])]);
  }
  for (const dealId of deals)
    expect(
      perDeal
        .get(dealId)
        ?.map((entry) => entry.split(':')[0])
        .sort(),
    ).toEqual(['deal.escalated', 'deal.sla.breached', 'deal.sla.warning']);
  await cluster.startWorker(0);
}, 300_000);

test('an API of two killed: a client retrying on the other with its Idempotency-Key gets one deal', async () => {
  const body = dealBody('api-kill-1');
  const headers = { 'idempotency-key': 'api-kill-1-create' };
  const first = call(api(0), 'POST', '/v1/deals', { as: 'manager', body, headers, timeoutMs: 30_000 });
  await cluster.apis[0].stop('SIGKILL');
  const firstAnswer = await first;
  const retried = await callWithRetries(api(1), 'POST', '/v1/deals', { as: 'manager', body, headers });
  expect(retried.status).toBe(201);
  if (firstAnswer.status === 201) expect(retried.body).toEqual(firstAnswer.body);
  const runs = await eventually(
    async () =>
      (await call(api(1), 'GET', '/v1/deals?sopId=fault-sop&pageSize=100', { as: 'manager' })).body.deals.filter(
        (d: { dealId: string }) => d.dealId === 'api-kill-1',
      ),
    (found: unknown[]) => found.length > 0,
  );
  expect(runs).toHaveLength(1);
  await cluster.startApi(0);
}, 300_000);

test('lists and analytics are answered from PostgreSQL visibility, on either API', async () => {
  for (const index of [0, 1]) {
    const listed = await eventually(
      () => call(api(index), 'GET', '/v1/deals?sopId=fault-sop&pageSize=100', { as: 'manager' }),
      (reply) => reply.status === 200 && reply.body.deals.length >= 13,
    );
    expect(listed.body.deals.length).toBeGreaterThanOrEqual(13);
    const analytics = await call(api(index), 'GET', '/v1/sops/fault-sop/analytics', { as: 'manager' });
    expect(analytics.status).toBe(200);
    expect(analytics.body.deals.opened).toBeGreaterThanOrEqual(13);
  }
}, 120_000);

test('the Temporal server killed and restarted: PostgreSQL kept every deal, and deals go on', async () => {
  const before = await timelineOf('worker-kill-0');
  await cluster.stopServer('SIGKILL');
  const during = await call(api(1), 'GET', '/v1/deals/worker-kill-0', { as: 'manager', timeoutMs: 30_000 });
  expect(during.status).toBe(503);
  expect(during.contentType).toMatch(/^application\/problem\+json/);
  await cluster.startServer();
  expect(await timelineOf('worker-kill-0')).toEqual(expect.arrayContaining(before));
  const acted = await callWithRetries(api(0), 'POST', '/v1/deals/worker-kill-0/actions', {
    as: 'manager',
    body: { type: 'log_activity', kind: 'visit', note: 'after the restart' },
    deadlineMs: 120_000,
  });
  expect(acted.status).toBe(200);
  expect((await timelineOf('worker-kill-0')).map((event) => event.data.note)).toContain('after the restart');
}, 300_000);
