// The API killed -9 while clients open deals and act with Idempotency-Keys and retry: each deal is
// one workflow, and a replayed request gets the first answer again.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { dealBody, faultSop } from './helpers/deals';
import { call, callWithRetries, pool, type Answer } from './helpers/http';
import { ServiceProcess, until } from './helpers/service-process';

const DEALS = 40;
const KILLS = 4;
const REQUESTS_PER_DEAL = 4; // driveDeal: open, then three actions
let service: ServiceProcess;

beforeAll(async () => {
  service = await ServiceProcess.create({ sops: [faultSop()] });
  await service.startAll();
}, 300_000);
afterAll(async () => service?.stop());

interface Request {
  route: string;
  body: unknown;
  key: string;
  first: Answer;
}

/** Answered first requests so far, and who waits for a count of them: the kills are tied to progress. */
const progress = { answered: 0, waiters: [] as { count: number; resolve: () => void }[] };

function answeredOne(): void {
  progress.answered += 1;
  for (const waiter of progress.waiters.filter((w) => w.count <= progress.answered)) waiter.resolve();
  progress.waiters = progress.waiters.filter((w) => w.count > progress.answered);
}

function answered(count: number): Promise<void> {
  if (progress.answered >= count) return Promise.resolve();
  return new Promise((resolve) => progress.waiters.push({ count, resolve }));
}

async function driveDeal(dealId: string): Promise<Request[]> {
  const requests: Request[] = [];
  const send = async (route: string, body: unknown) => {
    const key = randomUUID();
    const first = await callWithRetries(service.apiUrl, 'POST', route, { body, headers: { 'idempotency-key': key }, deadlineMs: 120_000 });
    requests.push({ route, body, key, first });
    answeredOne();
    // Half the requests are replayed at once, as a client that missed the answer would.
    if (Math.random() < 0.5) await callWithRetries(service.apiUrl, 'POST', route, { body, headers: { 'idempotency-key': key } });
  };
  await send('/v1/deals', dealBody(dealId));
  await send(`/v1/deals/${dealId}/actions`, { type: 'log_activity', kind: 'call', note: 'first call' });
  await send(`/v1/deals/${dealId}/actions`, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'doc' });
  await send(`/v1/deals/${dealId}/actions`, { type: 'complete_stage', stage: 'requirements' });
  return requests;
}

test('an API killed -9 under retrying clients makes one workflow per deal and replays first answers', async () => {
  const dealIds = Array.from({ length: DEALS }, (_, i) => `crash-${i}-${randomUUID().slice(0, 6)}`);
  const restarts: number[] = [];
  // Each kill falls at a random point of its own slice of the run, so every kill lands mid-traffic
  // however fast the API answers: a request cannot be answered while the API is down.
  const total = DEALS * REQUESTS_PER_DEAL;
  const slice = total / (KILLS + 1);
  const killer = (async () => {
    for (let kill = 1; kill <= KILLS; kill += 1) {
      await answered(Math.floor(kill * slice - Math.random() * slice * 0.5));
      await service.killApi();
      const started = Date.now();
      await service.startApi();
      restarts.push(Date.now() - started);
    }
  })();
  const requests = (await pool(dealIds, 8, driveDeal)).flat();
  await killer;

  // Every request replayed now, after the crashes: the first answer again, status and body.
  const mismatches: string[] = [];
  await pool(requests, 8, async (request) => {
    const replay = await callWithRetries(service.apiUrl, 'POST', request.route, {
      body: request.body,
      headers: { 'idempotency-key': request.key },
    });
    const isCreate = request.route === '/v1/deals';
    // A created deal is answered as it is now (CONTRACT: "201 and the deal again"); an action, as first answered.
    const same = isCreate
      ? replay.status === request.first.status && replay.body?.dealId === request.first.body?.dealId
      : replay.status === request.first.status && replay.text === request.first.text;
    if (!same) mismatches.push(`${request.route} ${JSON.stringify(request.body)}: ${request.first.status} then ${replay.status}`);
  });

  const connection = await Connection.connect({ address: service.temporalAddress });
  try {
    const client = new Client({ connection });
    const runs = await until(
      async () => {
        const seen: string[] = [];
        for await (const execution of client.workflow.list({ query: "WorkflowType = 'dealWorkflow'" })) seen.push(execution.workflowId);
        return seen;
      },
      (seen) => seen.length >= DEALS,
      30_000,
      'every deal in visibility',
    );
    const firstStatuses = requests.map((r) => r.first.status);
    console.log(
      `API crash: ${restarts.length} kills, API restarts ${restarts.join(' ')} ms, ${requests.length} requests ` +
        `(first answers ${JSON.stringify(firstStatuses.reduce<Record<number, number>>((c, s) => ({ ...c, [s]: (c[s] ?? 0) + 1 }), {}))}, ` +
        `attempts ${requests.reduce((sum, r) => sum + (r.first as any).attempts, 0)}), ${runs.length} deal workflows`,
    );
    expect(restarts).toHaveLength(KILLS);
    expect([...runs].sort()).toEqual(dealIds.map((id) => `deal:${id}`).sort());
    expect(firstStatuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(mismatches).toEqual([]);
    const deals = await pool(dealIds, 8, async (dealId) => (await call(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body);
    expect(deals.map((d: any) => d.stage?.id)).toEqual(dealIds.map(() => 'contract'));
  } finally {
    await connection.close();
  }
}, 400_000);
