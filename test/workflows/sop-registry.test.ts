// The SOP registry workflow on a real dev server: publish, idempotent republish, conflicts, lint.
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { sopRegistryWorkflow } from '../../workflows';
import { getSopQuery, listSopsQuery, publishSopUpdate, type SopProblems } from '../../workflows/messages';
import { SOP_REJECTED_FAILURE } from '../../workflows/sop-registry';
import { dealWorker } from '../helpers/deal-harness';
import { bundleWorkflows, devServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueId('registry');
const registryId = uniqueId('sop-registry');

beforeAll(async () => {
  const [started, bundle] = await Promise.all([devServerEnv(), bundleWorkflows()]);
  env = started;
  worker = await dealWorker(env, bundle, taskQueue, null);
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** Publishes through update-with-start, so the first publish also starts the registry. */
function publish(definition: unknown) {
  const startRegistry = new WithStartWorkflowOperation(sopRegistryWorkflow, {
    workflowId: registryId,
    taskQueue,
    args: [{}],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return env.client.workflow.executeUpdateWithStart(publishSopUpdate, { args: [definition], startWorkflowOperation: startRegistry });
}

async function problemsOf(promise: Promise<unknown>): Promise<SopProblems> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe(SOP_REJECTED_FAILURE);
  return cause.details?.[0] as SopProblems;
}

const definition = { id: 'enterprise-b2b', version: 1, name: 'Enterprise B2B', stages: [{ id: 'requirements', name: 'Requirements' }] };

test('publishes a version, republishes the same content idempotently and refuses changed content', async () => {
  expect(await publish(definition)).toEqual({ id: 'enterprise-b2b', version: 1, created: true });
  expect(await publish(JSON.parse(JSON.stringify(definition)))).toEqual({ id: 'enterprise-b2b', version: 1, created: false });

  const conflict = await problemsOf(publish({ ...definition, name: 'Changed' }));
  expect(conflict.code).toBe('sop_version_conflict');
  expect(conflict.problems[0].message).toMatch(/version 2/);

  expect(await publish({ ...definition, version: 2, name: 'Changed' })).toEqual({ id: 'enterprise-b2b', version: 2, created: true });
  const registry = env.client.workflow.getHandle(registryId);
  expect(await registry.query(getSopQuery, 'enterprise-b2b')).toMatchObject({ version: 2, name: 'Changed' });
  expect(await registry.query(getSopQuery, 'enterprise-b2b', 1)).toMatchObject({
    version: 1,
    name: 'Enterprise B2B',
    calendar: { timezone: 'UTC' },
  });
  expect(await registry.query(getSopQuery, 'missing')).toBeNull();
  expect((await registry.query(listSopsQuery)).map((sop) => [sop.id, sop.version])).toEqual([['enterprise-b2b', 2]]);
});

test('refuses a definition that does not lint, with every problem and its path, and stores nothing', async () => {
  const bad = {
    ...definition,
    id: 'bad-sop',
    extra: true,
    stages: [
      { id: 'a', name: 'A', sla: { warnAfter: '2d', breachAfter: '1d' } },
      { id: 'a', name: 'A2' },
    ],
  };
  const rejected = await problemsOf(publish(bad));
  expect(rejected.code).toBe('validation_failed');
  expect(rejected.problems.map((p) => p.path).sort()).toEqual(['extra', 'stages.0.sla.warnAfter', 'stages.1.id']);
  expect(await env.client.workflow.getHandle(registryId).query(getSopQuery, 'bad-sop')).toBeNull();
});
