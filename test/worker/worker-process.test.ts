// `npm run worker` as a user runs it: a real process against a real dev server, stopped by a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dealWorkflow } from '../../workflows';
import { stateQuery } from '../../workflows/messages';
import { ALICE, makeOpening, makeSop } from '../helpers/fixtures';
import { freePort } from '../helpers/ports';
import { devServerEnv, uniqueId } from '../helpers/temporal';

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
