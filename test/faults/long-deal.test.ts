// One deal through 50,000 events, as a deal that lives a year with daily activity would collect
// them: it keeps answering, each run stays within Temporal's limits (what it carries far below the
// 2 MB payload limit, as its older events move out into page workflows), and its whole timeline
// comes back, unpaged and paged. The service as processes on a dev server; events sent as signals.
import { Client, Connection } from '@temporalio/client';
import { dealBody, faultSop } from './helpers/deals';
import { call, pool } from './helpers/http';
import { ServiceProcess, until } from './helpers/service-process';
import { actSignal, dealWorkflowId, timelineTailQuery } from '../../workflows/messages';

const EVENTS = 50_000;
const BURST = 2_000;
const DEAL = 'year-long-deal';
let service: ServiceProcess;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  service = await ServiceProcess.create({ sops: [faultSop()] });
  await service.startAll();
  connection = await Connection.connect({ address: service.temporalAddress });
  client = new Client({ connection });
}, 300_000);
afterAll(async () => {
  await connection?.close();
  await service?.stop();
});

test('a deal with 50,000 events answers, continues as new within its limits, and returns its whole timeline', async () => {
  expect((await call(service.apiUrl, 'POST', '/v1/deals', { as: 'manager', body: dealBody(DEAL) })).status).toBe(201);
  const handle = client.workflow.getHandle(dealWorkflowId(DEAL));
  const started = Date.now();
  // In bursts of 2,000, each taken in before the next: a run accepts at most 10,000 signals (the
  // server's limit), and a year of activity never arrives faster than the deal takes it in.
  for (let burst = 0; burst < EVENTS; burst += BURST) {
    await pool(
      Array.from({ length: BURST }, (_, i) => burst + i),
      32,
      (i) =>
        handle.signal(actSignal, {
          action: { type: 'log_activity', kind: 'email', note: `touch ${i}` },
          actor: { subject: 'alice', role: 'rep' },
        }),
    );
    await until(
      () =>
        handle.query(timelineTailQuery).then(
          (tail) => tail.from + tail.events.length,
          () => 0,
        ),
      (length) => length >= 2 + burst + BURST,
      60_000,
      `the deal taking in ${burst + BURST} signals`,
    );
  }
  const sentIn = (Date.now() - started) / 1000;

  // Every signal becomes an event; the deal still answers a read at once.
  const deal = await call(service.apiUrl, 'GET', `/v1/deals/${DEAL}`, { as: 'manager' });
  expect(deal.status).toBe(200);
  const read = Date.now();
  const whole = await call(service.apiUrl, 'GET', `/v1/deals/${DEAL}/timeline`, { as: 'manager', timeoutMs: 120_000 });
  const readIn = (Date.now() - read) / 1000;
  expect(whole.status).toBe(200);
  const notes = (whole.body.events as Array<{ type: string; data: { note?: string } }>).filter((e) => e.type === 'activity_logged');
  expect(notes.length).toBe(EVENTS);
  // Signals from 32 senders arrive in any order, but each exactly once.
  expect(new Set(notes.map((e) => e.data.note)).size).toBe(EVENTS);

  // Paged, 1,000 at a time: the same events, in the same order.
  const paged: unknown[] = [];
  let token: string | null = null;
  do {
    const query: string = `pageSize=1000${token ? `&pageToken=${token}` : ''}`;
    const page = await call(service.apiUrl, 'GET', `/v1/deals/${DEAL}/timeline?${query}`, { as: 'manager' });
    expect(page.status).toBe(200);
    paged.push(...page.body.events);
    token = page.body.nextPageToken;
  } while (token);
  expect(paged).toEqual(whole.body.events);

  // Within limits: several runs, none near 50,000 history events, and the newest run started with a
  // carried deal far below the 2 MB payload limit.
  const runs: Array<{ runId: string; historyLength: number }> = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${dealWorkflowId(DEAL)}'` })) runs.push(run);
  expect(runs.length).toBeGreaterThanOrEqual(5);
  expect(Math.max(...runs.map((run) => run.historyLength))).toBeLessThan(12_000);
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: dealWorkflowId(DEAL) },
    maximumPageSize: 1,
  });
  const carried = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data?.length ?? Infinity;
  expect(carried).toBeLessThan(512 * 1024);
  console.log(
    `long deal: ${EVENTS} signals in ${sentIn.toFixed(1)} s; ${runs.length} runs; carried input ${(carried / 1024).toFixed(0)} KiB; ` +
      `whole timeline (${whole.body.events.length} events, ${(whole.text.length / 1e6).toFixed(1)} MB) read in ${readIn.toFixed(1)} s`,
  );
});
