// `CONTRACT.md` v2.1 migrations through the API, on a real dev server: bad input, dry run, a real run.
import { migrationIdOf } from '../../api/migration-service';
import { migrationWorkflowId } from '../../workflows/messages';
import { eventually } from '../helpers/eventually';
import { dealBody, expectProblem, TestService } from '../helpers/service';
import { uniqueId } from '../helpers/temporal';

let service: TestService;
const sopId = `mig-${Date.now().toString(36)}`;

const v1 = {
  id: sopId,
  version: 1,
  name: 'Migrating SOP',
  stages: [
    { id: 'discovery', name: 'Discovery' },
    { id: 'legal', name: 'Legal', deliverables: ['nda'], sla: { breachAfter: '30d' } },
    { id: 'close', name: 'Close' },
  ],
};
const v2 = {
  ...v1,
  version: 2,
  stages: [
    { id: 'discovery', name: 'Discovery', sla: { breachAfter: '1s' } },
    { id: 'contract', name: 'Contract', deliverables: ['nda', 'dpa'], sla: { breachAfter: '20d' } },
    { id: 'close', name: 'Close' },
  ],
};
const deals = { atDiscovery: uniqueId('m-disc'), atLegal: uniqueId('m-legal'), lost: uniqueId('m-lost') };

beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: v1 })).status).toBe(201);
  for (const dealId of Object.values(deals)) {
    expect((await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(dealId, { sopId }) })).status).toBe(201);
  }
  const act = (dealId: string, body: unknown) => service.call('POST', `/v1/deals/${dealId}/actions`, { as: 'alice', body });
  expect((await act(deals.atLegal, { type: 'complete_stage', stage: 'discovery' })).status).toBe(200);
  expect((await act(deals.atLegal, { type: 'submit_deliverable', stage: 'legal', deliverable: 'nda' })).status).toBe(200);
  expect((await act(deals.lost, { type: 'mark_lost', reason: 'budget' })).status).toBe(200);
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: v2 })).status).toBe(201);
});
afterAll(async () => service?.stop());

const migrate = (body: unknown, as: 'ops' | 'admin' | 'manager' | 'viewer' | 'alice' = 'ops') =>
  service.call('POST', `/v1/sops/${sopId}/migrations`, { as, body });
const paths = (reply: { body: { errors?: Array<{ path: string }> } }) => (reply.body.errors ?? []).map((e) => e.path).sort();

describe('bad input changes nothing and says where', () => {
  test('an unknown version, unknown stages on either side, a fromVersion not below toVersion, too many dealIds', async () => {
    const unknownVersion = await migrate({ toVersion: 7 });
    expectProblem(unknownVersion, 422, 'validation_failed');
    expect(paths(unknownVersion)).toContain('toVersion');

    const stages = await migrate({ toVersion: 2, stageMap: { nowhere: 'contract', legal: 'nowhere' } });
    expectProblem(stages, 422, 'validation_failed');
    expect(paths(stages)).toEqual(['stageMap.legal', 'stageMap.nowhere']);

    const notBelow = await migrate({ toVersion: 2, fromVersions: [1, 2] });
    expectProblem(notBelow, 422, 'validation_failed');
    expect(paths(notBelow)).toEqual(['fromVersions.1']);

    const many = await migrate({ toVersion: 2, dealIds: Array.from({ length: 1_001 }, (_, i) => `d-${i}`) });
    expectProblem(many, 422, 'validation_failed');
    expect(paths(many)).toEqual(['dealIds']);

    expectProblem(await migrate({ toVersion: 2, extra: true }), 422, 'validation_failed');
    // A version far above the published ones is answered at once, without looking up the versions between.
    const far = await migrate({ toVersion: 900_000, dryRun: true });
    expectProblem(far, 422, 'validation_failed');
    expect(paths(far)).toEqual(['toVersion']);
    expect((await service.call('GET', `/v1/sops/${sopId}/versions`, { as: 'viewer' })).body).toEqual({ versions: [1, 2] });
    expectProblem(await service.call('GET', '/v1/sops/no-such-sop/versions', { as: 'viewer' }), 404);
    expectProblem(await service.call('POST', '/v1/sops/no-such-sop/migrations', { as: 'ops', body: { toVersion: 2 } }), 404);
    expectProblem(await service.call('GET', '/v1/migrations/mig_nothing', { as: 'ops' }), 404, 'unknown_migration');
    expectProblem(await service.call('POST', '/v1/migrations/mig_nothing/cancel', { as: 'ops' }), 404, 'unknown_migration');
    expect((await service.call('GET', `/v1/deals/${deals.atLegal}`, { as: 'ops' })).body.sop.version).toBe(1);
  });

  test('only admin and ops migrate; managers may follow a migration, reps and viewers may not', async () => {
    for (const as of ['manager', 'viewer', 'alice'] as const)
      expectProblem(await migrate({ toVersion: 2, dryRun: true }, as), 403, 'forbidden');
    expectProblem(await service.call('GET', '/v1/migrations/mig_nothing', { as: 'viewer' }), 403, 'forbidden');
    expectProblem(await service.call('GET', '/v1/migrations/mig_nothing', { as: 'manager' }), 404, 'unknown_migration');
    expectProblem(await service.call('POST', '/v1/migrations/mig_nothing/cancel', { as: 'manager' }), 403, 'forbidden');
  });
});

test('a dry run shows each deal’s row from the code that migrates, and changes nothing', async () => {
  const dealIds = Object.values(deals);
  // More than a second after the deals opened: v2's one-second breach of discovery is past.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const dry = await eventually(
    () => migrate({ toVersion: 2, stageMap: { legal: 'contract' }, dealIds: [...dealIds, 'never-opened'], dryRun: true }),
    (reply) => reply.status === 200,
  );
  expect(dry.body.toVersion).toBe(2);
  expect(dry.body.counts).toEqual({ migrate: 2, refuse: 0, skip: 2 });
  const row = (dealId: string) => dry.body.deals.find((d: { dealId: string }) => d.dealId === dealId);
  expect(row(deals.atLegal)).toMatchObject({
    fromVersion: 1,
    outcome: 'migrate',
    fromStage: 'legal',
    toStage: 'contract',
    missingDeliverables: ['dpa'],
    firesAtOnce: [],
    breachAt: expect.any(String),
  });
  expect(row(deals.atDiscovery)).toMatchObject({ outcome: 'migrate', toStage: 'discovery', firesAtOnce: ['deal.sla.breached'] });
  expect(row(deals.lost)).toMatchObject({ outcome: 'skip', reason: 'deal_closed' });
  expect(row('never-opened')).toMatchObject({ outcome: 'skip', reason: 'unknown_deal' });

  const refused = await migrate({ toVersion: 2, dealIds: [deals.atLegal], dryRun: true });
  expect(refused.body.deals[0]).toMatchObject({ outcome: 'refuse', reason: 'unmapped_stage' });
  for (const dealId of dealIds) {
    expect((await service.call('GET', `/v1/deals/${dealId}`, { as: 'ops' })).body.sop.version).toBe(1);
  }
});

test('a real run migrates every open deal of the SOP once, and reports each', async () => {
  const started = await migrate({ toVersion: 2, stageMap: { legal: 'contract' } }, 'admin');
  expect(started.status).toBe(202);
  expect(started.body).toEqual({ migrationId: expect.stringMatching(/^mig_/), status: 'running' });
  expect(started.headers.get('location')).toBe(`/v1/migrations/${started.body.migrationId}`);

  const done = await eventually(
    () => service.call('GET', `/v1/migrations/${started.body.migrationId}`, { as: 'manager' }),
    (reply) => reply.body.status === 'completed',
  );
  expect(done.body).toMatchObject({
    migrationId: started.body.migrationId,
    sopId,
    toVersion: 2,
    counts: { migrated: 2, refused: 0, skipped: 0, pending: 0, total: 2 },
    startedAt: expect.any(String),
    finishedAt: expect.any(String),
  });
  expect(done.body.deals.map((d: { dealId: string }) => d.dealId).sort()).toEqual([deals.atDiscovery, deals.atLegal].sort());

  const legal = (await service.call('GET', `/v1/deals/${deals.atLegal}`, { as: 'alice' })).body;
  expect(legal).toMatchObject({
    sop: { version: 2 },
    stage: { id: 'contract', deliverables: { required: ['nda', 'dpa'], submitted: ['nda'] } },
  });
  const timeline = (await service.call('GET', `/v1/deals/${deals.atLegal}/timeline`, { as: 'alice' })).body.events;
  expect(timeline.filter((e: { type: string }) => e.type === 'sop_migrated')).toEqual([
    expect.objectContaining({
      actor: 'root',
      data: expect.objectContaining({
        migrationId: started.body.migrationId,
        fromVersion: 1,
        toVersion: 2,
        fromStage: 'legal',
        toStage: 'contract',
      }),
    }),
  ]);
  // The breach v2 makes past fired once, at once.
  const discovery = await eventually(
    async () => (await service.call('GET', `/v1/deals/${deals.atDiscovery}`, { as: 'alice' })).body,
    (deal) => deal.escalations.length > 0,
  );
  expect(discovery.escalations.map((e: { type: string }) => e.type)).toEqual(['deal.sla.breached']);

  // The same request again, once finished, runs again and changes nothing: each deal answers as moved.
  const again = await migrate({ toVersion: 2, stageMap: { legal: 'contract' } }, 'admin');
  expect(again.body.migrationId).toBe(started.body.migrationId);
  const second = await eventually(
    () => service.call('GET', `/v1/migrations/${again.body.migrationId}`, { as: 'ops' }),
    (reply) => reply.body.status === 'completed',
  );
  expect(second.body.counts).toMatchObject({ migrated: 0, skipped: 2 });
  const after = (await service.call('GET', `/v1/deals/${deals.atLegal}/timeline`, { as: 'alice' })).body.events;
  expect(after.filter((e: { type: string }) => e.type === 'sop_migrated')).toHaveLength(1);
});

test('the same request while it runs is 409 migration_running', async () => {
  // The same migration already running, on a queue no worker polls, so it runs for as long as the test needs.
  const body = { toVersion: 2, dealIds: [deals.atLegal] };
  const running = await service.env.client.workflow.start('sopMigrationWorkflow', {
    workflowId: migrationWorkflowId(migrationIdOf(sopId, body)),
    taskQueue: uniqueId('nobody-polls'),
    args: [{}],
  });
  expectProblem(await migrate(body), 409, 'migration_running');
  expectProblem(await migrate({ ...body, dryRun: false }), 409, 'migration_running');
  await running.terminate('test done');
});
