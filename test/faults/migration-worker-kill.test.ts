// A 500-deal migration while the worker is killed -9 twice in the middle of it: the migration
// finishes, and every deal is migrated exactly once (one sop_migrated event, the new version).
import { call, callWithRetries, pool } from './helpers/http';
import { ServiceProcess, until } from './helpers/service-process';

const DEALS = Number(process.env.FAULT_MIGRATION_DEALS ?? 500);
const SOP = 'migration-fault';

const v1 = {
  id: SOP,
  version: 1,
  name: 'Migration fault SOP',
  stages: [
    { id: 'legal', name: 'Legal', sla: { breachAfter: '30d' } },
    { id: 'close', name: 'Close' },
  ],
};
const v2 = {
  ...v1,
  version: 2,
  stages: [
    { id: 'contract', name: 'Contract', sla: { breachAfter: '20d' } },
    { id: 'close', name: 'Close' },
  ],
};

let service: ServiceProcess;
beforeAll(async () => {
  service = await ServiceProcess.create({ sops: [v1] });
  await service.startAll();
}, 300_000);
afterAll(async () => service?.stop());

test('a migration survives worker kills and moves every deal exactly once', async () => {
  const url = service.apiUrl;
  const dealIds = Array.from({ length: DEALS }, (_, i) => `mk-${i}`);
  const opened = await pool(dealIds, 16, (dealId) =>
    callWithRetries(url, 'POST', '/v1/deals', {
      body: { dealId, sopId: SOP, customer: { name: 'ACME', tier: 'B' }, amount: 1000, currency: 'CNY', owner: 'alice' },
      headers: { 'idempotency-key': `open-${dealId}` },
    }),
  );
  expect(opened.filter((answer) => answer.status !== 201)).toEqual([]);
  expect((await call(url, 'POST', '/v1/sops', { body: v2 })).status).toBe(201);
  // Visibility lists a deal a moment after it opens: wait until it lists them all.
  await until(
    async () => (await call(url, 'GET', `/v1/deals?sopId=${SOP}&pageSize=100`)).body,
    (page) => page.deals?.length === 100,
    60_000,
    'the deals to be listed',
  );

  const started = await call(url, 'POST', `/v1/sops/${SOP}/migrations`, { body: { toVersion: 2, stageMap: { legal: 'contract' } } });
  expect(started.status).toBe(202);
  const statusOf = async () => (await call(url, 'GET', `/v1/migrations/${started.body.migrationId}`)).body;

  const kills: number[] = [];
  for (const at of [Math.floor(DEALS / 5), Math.floor(DEALS / 2)]) {
    const seen = await until(statusOf, (status) => (status?.counts?.migrated ?? 0) >= at, 120_000, `${at} deals migrated`);
    kills.push(seen.counts.migrated);
    await service.killWorker();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await service.startWorker();
  }
  const done = await until(statusOf, (status) => status?.status === 'completed', 180_000, 'the migration to complete');
  console.log(`migration of ${DEALS} deals: worker killed at ${kills.join(' and ')} migrated; ${JSON.stringify(done.counts)}`);
  expect(kills.every((count) => count < DEALS)).toBe(true);
  expect(done.counts).toEqual({ total: DEALS, migrated: DEALS, refused: 0, skipped: 0, pending: 0 });

  const checks = await pool(dealIds, 16, async (dealId) => {
    const events = (await callWithRetries(url, 'GET', `/v1/deals/${dealId}/timeline`)).body.events as Array<{ type: string }>;
    const deal = (await callWithRetries(url, 'GET', `/v1/deals/${dealId}`)).body;
    return {
      dealId,
      migrations: events.filter((event) => event.type === 'sop_migrated').length,
      version: deal.sop.version,
      stage: deal.stage.id,
    };
  });
  expect(checks.filter((c) => c.migrations !== 1 || c.version !== 2 || c.stage !== 'contract')).toEqual([]);
});
