// `npm run worker` as a user runs it: a real process against a real dev server, stopped by a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DealService } from '../../api/deal-service';
import { ProblemError } from '../../api/problem';
import { SopService } from '../../api/sop-service';
import { dealWorkflow } from '../../workflows';
import { actSignal, dealWorkflowId, stateQuery } from '../../workflows/messages';
import { ALICE, makeOpening, makeSop } from '../helpers/fixtures';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/ports';
import { devServerEnv, quietLogger, uniqueId } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => env?.teardown());

function startWorker(extraEnv: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'worker/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('runs deals from TEMPORAL_ADDRESS, serves Prometheus metrics and stops cleanly on SIGTERM', async () => {
  const taskQueue = uniqueId('process');
  const metricsPort = await freePort();
  const worker = startWorker({ TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, LOG_LEVEL: 'INFO', WORKER_METRICS_PORT: metricsPort });
  try {
    await waitFor(() => worker.output().includes('worker started'), 60_000);
    const handle = await env.client.workflow.start(dealWorkflow, {
      taskQueue,
      workflowId: uniqueId('deal'),
      args: [{ opening: makeOpening(), sop: makeSop(), openedBy: ALICE }],
    });
    expect((await handle.query(stateQuery)).stage?.id).toBe('requirements');
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/temporal_workflow_task_/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('worker stopped');
    await handle.terminate('test done');
  } finally {
    worker.child.kill('SIGKILL');
  }
});

test('bad configuration stops it at start, naming every variable at fault', async () => {
  const worker = startWorker({ TEMPORAL_ADDRESS: 'nope', ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook', LOG_LEVEL: 'chatty' });
  expect(await worker.exited).toBe(1);
  expect(worker.output()).toMatch(/TEMPORAL_ADDRESS: .*host:port/);
  expect(worker.output()).toMatch(/ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_URL is set/);
  expect(worker.output()).toMatch(/LOG_LEVEL: /);
});

/** The worker's JSON log lines that report a failed workflow task. */
function failureLines(output: string): Array<{ dealId: string | null; cause: string; failure: string; msg: string }> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('its workflow task failed'))
    .map((line) => JSON.parse(line));
}

test('a deal whose workflow task fails is logged with its dealId and counted: an error in workflow code, and non-determinism', async () => {
  const taskQueue = uniqueId('failing');
  const metricsPort = await freePort();
  const opening = (dealId: string) => ({
    opening: makeOpening({ dealId }),
    sop: makeSop(),
    openedBy: ALICE,
    openedAt: new Date().toISOString(),
  });

  // Non-determinism: the deal's first task recorded by other code registered under the deal workflow's name.
  const impostorDeal = uniqueId('impostor');
  const impostor = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./impostor-deal-workflow'), logger: quietLogger }),
  });
  await impostor.runUntil(async () => {
    const handle = await env.client.workflow.start('dealWorkflow', {
      taskQueue,
      workflowId: dealWorkflowId(impostorDeal),
      args: [opening(impostorDeal)],
    });
    // Its first task recorded: started, scheduled, started, completed, and the timer.
    expect(
      await eventually(
        async () => (await handle.describe()).historyLength,
        (length) => length >= 5,
        30_000,
      ),
    ).toBeGreaterThanOrEqual(5);
  });

  const brokenDeal = uniqueId('broken');
  const worker = startWorker({ TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, LOG_LEVEL: 'INFO', WORKER_METRICS_PORT: metricsPort });
  try {
    await waitFor(() => worker.output().includes('worker started'), 60_000);
    // An error in workflow code: input no API sends (an SOP snapshot without a stages array).
    await env.client.workflow.start(dealWorkflow, {
      taskQueue,
      workflowId: dealWorkflowId(brokenDeal),
      args: [{ ...opening(brokenDeal), sop: { ...makeSop(), stages: null } as unknown as ReturnType<typeof makeSop> }],
    });
    // A new task for the impostor's deal, which the real code replays from its history.
    await env.client.workflow.getHandle(dealWorkflowId(impostorDeal)).signal(actSignal, {
      action: { type: 'log_activity', kind: 'call' },
      actor: ALICE,
    });

    await waitFor(() => {
      const causes = failureLines(worker.output()).map((line) => `${line.dealId}:${line.cause}`);
      return causes.includes(`${brokenDeal}:workflow_error`) && causes.includes(`${impostorDeal}:nondeterminism`);
    }, 60_000).catch(() => {
      throw new Error(`no failure lines for both deals; the worker printed:\n${worker.output().slice(-4_000)}`);
    });
    const lines = failureLines(worker.output());
    expect(lines.find((line) => line.dealId === brokenDeal)).toMatchObject({
      msg: `Deal ${brokenDeal}: its workflow task failed (workflow_error); the deal is stuck until this is fixed`,
      failure: expect.stringMatching(/Cannot read properties of null/),
    });
    expect(lines.find((line) => line.dealId === impostorDeal)?.failure).toMatch(/Nondeterminism error/);
    expect(worker.output()).toMatch(/"level":50,[^\n]*its workflow task failed/);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const counted = (cause: string) =>
      Number(new RegExp(`^deal_workflow_task_failures_total\\{[^}]*cause="${cause}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    expect(counted('workflow_error')).toBeGreaterThanOrEqual(1);
    expect(counted('nondeterminism')).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/deal_workflow_task_failures_total\{[^}]*workflow_type="dealWorkflow"/);

    // And the API says why, rather than a generic "Temporal unavailable".
    const deals = new DealService(env.client, new SopService(env.client, taskQueue), taskQueue, env.namespace ?? 'default');
    const refusal = await deals.get(impostorDeal, { subject: 'mia', role: 'manager' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProblemError);
    expect(refusal).toMatchObject({
      status: 503,
      code: 'deal_unavailable',
      detail: expect.stringMatching(/non-determinism.*Nondeterminism error/),
    });

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  } finally {
    worker.child.kill('SIGKILL');
    for (const dealId of [impostorDeal])
      await env.client.workflow
        .getHandle(dealWorkflowId(dealId))
        .terminate('test done')
        .catch(() => undefined);
  }
});
