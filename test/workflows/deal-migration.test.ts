// The `migrate` update and `migrationPreview` query, on a real dev server with SLAs of seconds.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Action, Actor, AlertPayload, Rejection, Sop } from '../../domain';
import { dealWorkflow, sopMigrationWorkflow } from '../../workflows';
import type { MigrationInput } from '../../workflows/sop-migration';
import {
  actSignal,
  actUpdate,
  cancelMigrationUpdate,
  dealIdOf,
  dealWorkflowId,
  migrateUpdate,
  migrationPreviewQuery,
  redeliverUpdate,
  REJECTED_FAILURE,
  stateQuery,
  timelineQuery,
  type MigrateRequest,
} from '../../workflows/messages';
import { dealWorker, webhookTarget } from '../helpers/deal-harness';
import { eventually } from '../helpers/eventually';
import { ALICE, makeOpening, makeSop, MIA } from '../helpers/fixtures';
import { WebhookReceiver } from '../helpers/receiver';
import { bundleWorkflows, devServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let worker: Worker;
let running: Promise<void>;
const receiver = new WebhookReceiver();
const taskQueue = uniqueId('migration');
const OPS: Actor = { subject: 'ops-team', role: 'ops' };

beforeAll(async () => {
  let url: string;
  [env, bundle, url] = await Promise.all([devServerEnv(), bundleWorkflows(), receiver.start()]);
  worker = await dealWorker(env, bundle, taskQueue, webhookTarget(url));
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await receiver.stop();
  await env?.teardown();
});

const v1 = makeSop({
  id: 'migrating-sop',
  stages: [
    { id: 'legal', name: 'Legal', deliverables: ['nda'], sla: { breachAfter: '1h' } },
    { id: 'close', name: 'Close' },
  ],
});
// The stage is renamed and its SLA is so short that, by the time the deal migrates, its breach is past.
const v2 = makeSop({
  id: 'migrating-sop',
  version: 2,
  stages: [
    { id: 'contract', name: 'Contract', deliverables: ['nda', 'dpa'], sla: { breachAfter: '1s' } },
    { id: 'close', name: 'Close' },
  ],
});

function startDeal(sop: Sop = v1, maxHistoryEvents?: number): Promise<WorkflowHandle<typeof dealWorkflow>> {
  const dealId = uniqueId('deal');
  return env.client.workflow.start(dealWorkflow, {
    taskQueue,
    workflowId: dealWorkflowId(dealId),
    args: [{ opening: makeOpening({ dealId }), sop, openedBy: ALICE, maxHistoryEvents }],
  });
}

const request = (rest: Partial<MigrateRequest> = {}): MigrateRequest => ({
  migrationId: 'mig-1',
  sop: v2,
  stageMap: { legal: 'contract' },
  actor: OPS,
  ...rest,
});

async function rejectionOf(promise: Promise<unknown>): Promise<Rejection> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe(REJECTED_FAILURE);
  return cause.details?.[0] as Rejection;
}

test('a deal migrates once: new version and stage, the past breach fires at once and once, a repeat changes nothing', async () => {
  const handle = await startDeal();
  await handle.query(stateQuery);
  await new Promise((resolve) => setTimeout(resolve, 1_200));

  const preview = await handle.query(migrationPreviewQuery, request(), new Date().toISOString());
  expect(preview).toMatchObject({ outcome: 'migrate', fromStage: 'legal', toStage: 'contract', firesAtOnce: ['deal.sla.breached'] });
  expect((await handle.query(stateQuery)).sop.version).toBe(1);

  const row = await handle.executeUpdate(migrateUpdate, { args: [request()] });
  expect(row).toMatchObject({ outcome: 'migrate', fromVersion: 1, toStage: 'contract', missingDeliverables: ['nda', 'dpa'] });
  const view = await handle.query(stateQuery);
  expect(view).toMatchObject({ sop: { id: 'migrating-sop', version: 2 }, stage: { id: 'contract', name: 'Contract' }, health: 'red' });

  const breaches = await eventually(
    async () => receiver.delivered<AlertPayload>().filter((alert) => alert.deal.dealId === dealIdOf(handle.workflowId)),
    (alerts) => alerts.length >= 1,
  );
  expect(breaches).toEqual([expect.objectContaining({ type: 'deal.sla.breached', stage: expect.objectContaining({ id: 'contract' }) })]);
  expect(breaches[0].deal.sop).toEqual({ id: 'migrating-sop', version: 2 });

  const again = await handle.executeUpdate(migrateUpdate, { args: [request()] });
  expect(again).toMatchObject({ outcome: 'migrate', alreadyApplied: true });
  const timeline = await handle.query(timelineQuery);
  expect(timeline.filter((event) => event.type === 'sop_migrated')).toEqual([
    expect.objectContaining({
      actor: 'ops-team',
      data: expect.objectContaining({ migrationId: 'mig-1', fromVersion: 1, toVersion: 2, fromStage: 'legal', toStage: 'contract' }),
    }),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(receiver.delivered<AlertPayload>().filter((alert) => alert.deal.dealId === dealIdOf(handle.workflowId))).toHaveLength(1);
  await handle.terminate('test done');
});

test('a refused deal, a caller below ops and a malformed SOP change nothing', async () => {
  const handle = await startDeal();
  await handle.query(stateQuery);

  const refused = await handle.executeUpdate(migrateUpdate, { args: [request({ stageMap: {} })] });
  expect(refused).toMatchObject({ outcome: 'refuse', reason: 'unmapped_stage', fromStage: 'legal', toStage: null });
  expect((await rejectionOf(handle.executeUpdate(migrateUpdate, { args: [request({ actor: MIA })] }))).code).toBe('forbidden');
  const broken = { ...v2, stages: [] } as unknown as Sop;
  expect((await rejectionOf(handle.executeUpdate(migrateUpdate, { args: [request({ sop: broken })] }))).code).toBe('validation_failed');

  const view = await handle.query(stateQuery);
  expect(view).toMatchObject({ sop: { version: 1 }, stage: { id: 'legal' } });
  // The refused row was an accepted update that changed nothing; the rejected ones never entered history.
  const history = (await handle.fetchHistory()).events ?? [];
  expect(history.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
  expect((await handle.query(timelineQuery)).some((event) => event.type === 'sop_migrated')).toBe(false);
  await handle.terminate('test done');
});

test('a migrated deal runs on its new version after continue-as-new', async () => {
  const roomy = makeSop({ ...v2, stages: [{ ...v2.stages[0], sla: { breachAfter: '1h' } }, v2.stages[1]] });
  const handle = await startDeal(v1, 40);
  await handle.executeUpdate(migrateUpdate, { args: [request({ sop: roomy })] });
  const { runId } = await handle.describe();
  // Activities until the history passes its limit and the deal continues as new. As signals: an
  // update that lands in a workflow task the server drops (a fact activity completing at that moment)
  // fails with "unexpected workflow task failure", which this test is not about.
  for (let i = 0; i < 12; i++) {
    await handle.signal(actSignal, { action: { type: 'log_activity', kind: 'call' }, actor: ALICE });
  }
  await eventually(
    () => handle.describe(),
    (d) => d.runId !== runId,
  );
  const view = await handle.query(stateQuery);
  expect(view).toMatchObject({ sop: { version: 2 }, stage: { id: 'contract', deliverables: { required: ['nda', 'dpa'] } } });
  // The new run knows the new version's stages: completing needs its deliverables.
  await handle.executeUpdate('act', {
    args: [{ action: { type: 'submit_deliverable', stage: 'contract', deliverable: 'dpa' }, actor: ALICE }],
  });
  expect((await handle.query(stateQuery)).stage?.deliverables.submitted).toEqual(['dpa']);
  await handle.terminate('test done');
});

describe('the migration run', () => {
  const listed = (sopId: string, count: number) =>
    eventually(
      async () => {
        let n = 0;
        for await (const _ of env.client.workflow.list({ query: `SopId = '${sopId}' AND DealStatus = 'open'` })) n++;
        return n;
      },
      (n) => n >= count,
    );
  const startDeals = async (sop: Sop, count: number): Promise<string[]> => {
    const handles = await Promise.all(Array.from({ length: count }, () => startDeal(sop)));
    await Promise.all(handles.map((handle) => handle.query(stateQuery)));
    return handles.map((handle) => handle.workflowId);
  };
  const runMigration = (sop: Sop, extra: Partial<MigrationInput> = {}) =>
    env.client.workflow.start(sopMigrationWorkflow, {
      taskQueue,
      workflowId: uniqueId('migration'),
      args: [
        { migrationId: uniqueId('mig'), sop, stageMap: { legal: 'contract' }, actor: OPS, startedAt: new Date().toISOString(), ...extra },
      ],
    });

  test('lists the open deals from visibility and continues as new as it goes, each deal migrated once', async () => {
    const sopV1 = makeSop({ ...v1, id: uniqueId('listed').toLowerCase().slice(0, 40) });
    const sopV2 = makeSop({ ...v2, id: sopV1.id, stages: [{ ...v2.stages[0], sla: { breachAfter: '1h' } }, v2.stages[1]] });
    const ids = await startDeals(sopV1, 25);
    await listed(sopV1.id, 25);
    const run = await runMigration(sopV2, { dealsPerRun: 10 });
    const status = await run.result();
    expect(status).toMatchObject({ status: 'completed', counts: { total: 25, migrated: 25, refused: 0, skipped: 0, pending: 0 } });
    expect(status.deals.map((d) => d.dealId).sort()).toEqual(ids.map((id) => dealIdOf(id) ?? id).sort());
    // Three runs at least: 25 deals, 10 a run.
    let runs = 0;
    for await (const _ of env.client.workflow.list({ query: `WorkflowId = '${run.workflowId}'` })) runs++;
    expect(runs).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect((await env.client.workflow.getHandle(id).query(stateQuery)).sop.version).toBe(2);
    if (process.env.RECORD_HISTORIES === '1') {
      // The first run (it continued as new): a fixture for replay.test.ts.
      const first = await env.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).fetchHistory();
      writeFileSync(MIGRATION_FIXTURE, temporal.api.history.v1.History.encode(first).finish());
    }
  });

  test('cancelled, it stops: deals it migrated stay migrated, the rest are left alone', async () => {
    const ids = await startDeals(v1, 120);
    const run = await runMigration(v2, { dealIds: ids.map((id) => dealIdOf(id) ?? id) });
    const answer = await run.executeUpdate(cancelMigrationUpdate);
    expect(answer.status).toBe('cancelled');
    const status = await run.result();
    expect(status.status).toBe('cancelled');
    expect(status.counts.migrated).toBeLessThan(120);
    expect(status.counts.migrated + status.counts.pending).toBe(120);
    for (const row of status.deals) {
      const view = await env.client.workflow.getHandle(dealWorkflowId(row.dealId)).query(stateQuery);
      expect({ dealId: row.dealId, version: view.sop.version }).toEqual({
        dealId: row.dealId,
        version: row.outcome === 'migrated' ? 2 : 1,
      });
    }
  });
});

/** Saved by RECORD_HISTORIES=1 for `replay.test.ts`: a migration's first run, and a deal that used every repair, under today's code. */
const MIGRATION_FIXTURE = path.resolve(__dirname, '..', 'histories', 'sop-migration-first-run.binpb');
const REPAIRS_FIXTURE = path.resolve(__dirname, '..', 'histories', 'deal-repairs.binpb');

test('a deal migrated, its refused alert sent again, moved, lost and reopened, then won, replays through the current code', async () => {
  receiver.respondWith(() => 400);
  const handle = await startDeal();
  await handle.query(stateQuery);
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  const act = (action: Action, actor: Actor = MIA) => handle.executeUpdate(actUpdate, { args: [{ action, actor }] });
  try {
    expect((await handle.executeUpdate(migrateUpdate, { args: [request()] })).outcome).toBe('migrate');
    const failed = await eventually(
      () => handle.query(stateQuery),
      (view) => view.escalations.some((alert) => alert.delivery === 'failed'),
    );
    receiver.respondWith(() => 204);
    const alertId = failed.escalations[0].id;
    expect(await handle.executeUpdate(redeliverUpdate, { args: [{ alertId, actor: OPS }] })).toEqual({ alertId, delivery: 'pending' });
    await eventually(
      () => handle.query(stateQuery),
      (view) => view.escalations[0].delivery === 'delivered',
    );
    await act({ type: 'move_to_stage', stage: 'close', reason: 'signed early' });
    await act({ type: 'move_to_stage', stage: 'contract', reason: 'legal wants another look' });
    await act({ type: 'mark_lost', reason: 'budget' });
    await act({ type: 'reopen', reason: 'budget back' });
    await act({ type: 'submit_deliverable', stage: 'contract', deliverable: 'nda' });
    await act({ type: 'submit_deliverable', stage: 'contract', deliverable: 'dpa' });
    await act({ type: 'complete_stage', stage: 'contract' });
    await act({ type: 'complete_stage', stage: 'close' });
    expect((await handle.result()).status).toBe('won');
  } finally {
    receiver.respondWith(() => 204);
  }
  const history = await handle.fetchHistory();
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, [{ workflowId: handle.workflowId, history }])) {
    if (result.error) failures.push(result.error.message);
  }
  expect(failures).toEqual([]);
  if (process.env.RECORD_HISTORIES === '1') writeFileSync(REPAIRS_FIXTURE, temporal.api.history.v1.History.encode(history).finish());
});
