// Updates, visibility and continue-as-new with real timers, on a real dev server with SLAs of seconds.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Action, Actor, DealView, Rejection } from '../../domain';
import { dealWorkflow } from '../../workflows';
import { actUpdate, REJECTED_FAILURE, stateQuery, timelineQuery } from '../../workflows/messages';
import { dealWorker, webhookTarget } from '../helpers/deal-harness';
import { ALICE, makeOpening, makeSop, MIA } from '../helpers/fixtures';
import { WebhookReceiver } from '../helpers/receiver';
import { bundleWorkflows, devServerEnv, uniqueId } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let worker: Worker;
let running: Promise<void>;
const receiver = new WebhookReceiver();
const taskQueue = uniqueId('updates');

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

const sop = makeSop({
  stages: [
    { id: 'requirements', name: 'Requirements', deliverables: ['requirements-doc'], sla: { warnAfter: '2s', breachAfter: '4s' } },
    { id: 'contract', name: 'Contract' },
  ],
});

function startDeal(extra: { maxHistoryEvents?: number; owner?: string } = {}): Promise<WorkflowHandle<typeof dealWorkflow>> {
  const dealId = uniqueId('deal');
  return env.client.workflow.start(dealWorkflow, {
    taskQueue,
    workflowId: dealId,
    args: [
      {
        opening: makeOpening({ dealId, owner: extra.owner ?? 'alice' }),
        sop,
        openedBy: ALICE,
        maxHistoryEvents: extra.maxHistoryEvents,
        // A lost deal completes at once: these tests read its result.
        reopenWindowMs: 0,
      },
    ],
  });
}

function act(handle: WorkflowHandle<typeof dealWorkflow>, action: Action, actor: Actor = ALICE) {
  return handle.executeUpdate(actUpdate, { args: [{ action, actor }] });
}

async function rejectionOf(promise: Promise<unknown>): Promise<Rejection> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(REJECTED_FAILURE);
  return (cause as ApplicationFailure).details?.[0] as Rejection;
}

test('an invalid action sent as an update is refused with its code and leaves no trace in history', async () => {
  const handle = await startDeal();
  await handle.query(stateQuery);
  // The opening facts go to the SOP's analytics first; wait until that activity has finished.
  await eventually(
    () => handle.describe(),
    (d) => d.raw.pendingActivities?.length === 0,
  );
  await handle.query(stateQuery);
  const historyBefore = (await handle.fetchHistory()).events?.length;
  const timelineBefore = await handle.query(timelineQuery);

  const missing = await rejectionOf(act(handle, { type: 'complete_stage', stage: 'requirements' }));
  expect(missing).toMatchObject({ code: 'missing_deliverables', details: { missing: ['requirements-doc'] } });
  expect((await rejectionOf(act(handle, { type: 'resume' }))).code).toBe('not_paused');
  expect((await rejectionOf(act(handle, { type: 'reassign', owner: 'bob' }))).code).toBe('forbidden');
  const malformed = await rejectionOf(act(handle, { type: 'pause' } as unknown as Action));
  expect(malformed.code).toBe('validation_failed');

  const history = (await handle.fetchHistory()).events ?? [];
  expect(history.length).toBe(historyBefore);
  expect(history.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
  expect(await handle.query(timelineQuery)).toEqual(timelineBefore);
  await handle.terminate('test done');
});

test('a valid update returns the deal as it stands after the action', async () => {
  const handle = await startDeal();
  const submitted = await act(handle, {
    type: 'submit_deliverable',
    stage: 'requirements',
    deliverable: 'requirements-doc',
    ref: 'doc://1',
  });
  expect(submitted.accepted).toBe(true);
  expect(submitted.deal.stage?.deliverables).toEqual({ required: ['requirements-doc'], submitted: ['requirements-doc'] });
  const completed = await act(handle, { type: 'complete_stage', stage: 'requirements', note: 'signed off' });
  expect(completed.deal).toMatchObject({ stage: { id: 'contract' }, history: [{ stage: 'requirements' }] });
  expect(await handle.query(stateQuery)).toEqual(completed.deal);
  await handle.terminate('test done');
});

test('search attributes follow stage, health, owner and status', async () => {
  const handle = await startDeal();
  const id = handle.workflowId;
  const find = (query: string) => async () => {
    const ids: string[] = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${id}' AND ${query}` })) ids.push(execution.workflowId);
    return ids;
  };
  const listed = (ids: string[]) => ids.length === 1;

  expect(
    await eventually(find(`SopStage = 'requirements' AND DealHealth = 'green' AND DealOwner = 'alice' AND DealStatus = 'open'`), listed),
  ).toEqual([id]);
  expect(await eventually(find(`SopId = 'test-sop' AND CustomerTier = 'B' AND DealAmount = 1200000`), listed)).toEqual([id]);
  expect(await eventually(find(`DealHealth = 'red'`), listed)).toEqual([id]);

  await act(handle, { type: 'reassign', owner: 'bob' }, MIA);
  expect(await eventually(find(`DealOwner = 'bob'`), listed)).toEqual([id]);
  await act(handle, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' }, MIA);
  await act(handle, { type: 'complete_stage', stage: 'requirements' }, MIA);
  expect(await eventually(find(`SopStage = 'contract' AND DealHealth = 'green'`), listed)).toEqual([id]);

  await act(handle, { type: 'mark_lost', reason: 'budget cut' }, MIA);
  const final: DealView = await handle.result();
  expect(final.status).toBe('lost');
  expect(await eventually(find(`DealStatus = 'lost'`), listed)).toEqual([id]);
});

test('timers and pending deliveries carry over a continue-as-new', async () => {
  receiver.respondWith(() => 503);
  const handle = await startDeal({ maxHistoryEvents: 40 });
  const firstRun = (await handle.describe()).runId;
  // The warning (2 s) fires while the receiver is down: its delivery is pending.
  const warned = await eventually(
    () => handle.query(stateQuery),
    (deal) => deal.escalations.length === 1,
  );
  expect(warned.escalations[0]).toMatchObject({ type: 'deal.sla.warning', delivery: 'pending' });
  for (let i = 0; (await handle.describe()).runId === firstRun && i < 40; i++) {
    await act(handle, { type: 'log_activity', kind: 'call', note: `call ${i}` });
  }
  expect((await handle.describe()).runId).not.toBe(firstRun);
  receiver.respondWith(() => 204);

  // The breach (4 s) fires in the new run, and the warning is sent again under its id.
  const settled = await eventually(
    () => handle.query(stateQuery),
    (deal) => deal.escalations.length === 2 && deal.escalations.every((e) => e.delivery === 'delivered'),
    20_000,
  );
  expect(settled.escalations.map((e) => [e.type, e.delivery])).toEqual([
    ['deal.sla.warning', 'delivered'],
    ['deal.sla.breached', 'delivered'],
  ]);
  expect(settled.escalations[0].id).toBe(warned.escalations[0].id);
  const ours = receiver.delivered<{ type: string; deal: { dealId: string } }>().filter((body) => body.deal.dealId === settled.dealId);
  expect(ours.map((body) => body.type)).toEqual(['deal.sla.warning', 'deal.sla.breached']);
  await handle.terminate('test done');
});

test('an update retried with the same idempotency key applies once and gets the first answer again', async () => {
  const handle = await startDeal();
  const request = {
    action: { type: 'open_request', requestId: 'q1' } as Action,
    actor: ALICE,
    idempotencyKey: 'key-1',
    bodyHash: 'hash-1',
  };
  const first = await handle.executeUpdate(actUpdate, { args: [request] });
  await act(handle, { type: 'log_activity', kind: 'call' });
  const again = await handle.executeUpdate(actUpdate, { args: [request] });
  expect(again).toEqual(first);
  const opened = (await handle.query(timelineQuery)).filter((e) => e.type === 'request_opened');
  expect(opened).toHaveLength(1);
  // The key is scoped to the caller: another caller's same key is a new request (here refused as a duplicate request id).
  const other = await rejectionOf(handle.executeUpdate(actUpdate, { args: [{ ...request, actor: MIA }] }));
  expect(other.code).toBe('request_exists');
  const reused = await rejectionOf(handle.executeUpdate(actUpdate, { args: [{ ...request, bodyHash: 'hash-2' }] }));
  expect(reused.code).toBe('idempotency_key_reused');
  await handle.terminate('test done');
});
