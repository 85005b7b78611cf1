// The API killed -9 while clients open deals and act with Idempotency-Keys and retry: each deal is
// one workflow, and a replayed request gets the first answer again.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { dealBody, faultSop } from './helpers/deals';
import { call, callWithRetries, pool, type Answer } from './helpers/http';
import { ServiceProcess, until } from './helpers/service-process';

const DEALS = 40;
const KILLS = 4;
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

async function driveDeal(dealId: string): Promise<Request[]> {
  const requests: Request[] = [];
  const send = async (route: string, body: unknown) => {
    const key = randomUUID();
    const first = await callWithRetries(service.apiUrl, 'POST', route, { body, headers: { 'idempotency-key': key }, deadlineMs: 120_000 });
    requests.push({ route, body, key, first });
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
  let done = false;
  const restarts: number[] = [];
  const killer = (async () => {
    for (let kills = 0; kills < KILLS && !done; kills += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 + Math.random() * 2_000));
      await service.killApi();
      const started = Date.now();
      await service.startApi();
      restarts.push(Date.now() - started);
    }
  })();
  const requests = (await pool(dealIds, 8, driveDeal).finally(() => (done = true))).flat();
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
      `API crash: ${KILLS} kills, API restarts ${restarts.join(' ')} ms, ${requests.length} requests ` +
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
