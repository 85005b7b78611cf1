// npm run verify-replay against a dev server: running deals replay on this code (exit 0); a deal
// whose history came from changed code is named and fails the run (exit 1); bad options are exit 2.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { sampleRuns } from '../../worker/verify-replay';
import { dealWorker, TestDeal } from '../helpers/deal-harness';
import { makeOpening, makeSop, ALICE } from '../helpers/fixtures';
import { eventually } from '../helpers/eventually';
import { bundleWorkflows, devServerEnv, quietLogger, uniqueId } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let changedBundle: WorkflowBundleWithSourceMap;
let dataDir: string;
const queue = uniqueId('replay-ok');
const changedQueue = uniqueId('replay-changed');

beforeAll(async () => {
  [env, bundle, changedBundle] = await Promise.all([
    devServerEnv(),
    bundleWorkflows(),
    bundleWorkflowCode({ workflowsPath: require.resolve('./changed-deal-workflow'), logger: quietLogger }),
  ]);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'verify-replay-'));
});
afterAll(async () => {
  await env?.teardown();
  rmSync(dataDir, { recursive: true, force: true });
});

function verify(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSX, 'scripts/verify-replay.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: queue, DATA_DIR: dataDir, NODE_ENV: 'test', ...extraEnv },
        timeout: 120_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

/** Waits until every workflow the query lists has completed its first task. */
async function settled(query: string, count: number): Promise<void> {
  const histories = await eventually(
    async () => {
      const runs = [];
      for await (const run of env.client.workflow.list({ query })) runs.push(run);
      return Promise.all(runs.map((run) => env.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()));
    },
    (list) => list.length >= count && list.every((h) => (h.events ?? []).some((e) => e.workflowTaskCompletedEventAttributes)),
    30_000,
  );
  expect(histories.length).toBeGreaterThanOrEqual(count);
}

test('running deals replay on this code; a deal from changed code is named and fails the run', async () => {
  const sop = makeSop({
    stages: [
      { id: 'requirements', name: 'Requirements', sla: { breachAfter: '30d' } },
      { id: 'contract', name: 'Contract' },
    ],
  });
  const worker = await dealWorker(env, bundle, queue, null);
  const changedWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: changedQueue, workflowBundle: changedBundle });
  await worker.runUntil(
    changedWorker.runUntil(async () => {
      const deals = [await TestDeal.start(env, queue, sop), await TestDeal.start(env, queue, sop)];
      await deals[0].act({ type: 'log_activity', kind: 'call', note: 'first call' });
      await env.client.workflow.start('dealWorkflow', {
        taskQueue: changedQueue,
        workflowId: 'deal:changed-without-patch',
        args: [{ opening: makeOpening({ dealId: 'changed-without-patch' }), sop, openedBy: ALICE }],
      });
      // Two deals and their SOP's analytics on the real code; one deal on the changed code.
      await settled(`TaskQueue = "${queue}"`, 3);
      await settled(`TaskQueue = "${changedQueue}"`, 1);

      // At least one run of each type, whatever the sample size.
      const { matched, sample } = await sampleRuns(env.client, `TaskQueue = "${queue}"`, 1);
      expect(matched).toBe(3);
      expect(new Set(sample.map((run) => run.type))).toEqual(new Set(['dealWorkflow', 'sopAnalyticsWorkflow']));

      const ok = await verify([]);
      expect(ok.out).toContain(`query: TaskQueue = "${queue}" AND ExecutionStatus = "Running"`);
      expect(ok.out).toContain('3 workflow runs match; replaying 3 (');
      expect(ok.out).toContain('all 3 replayed against this code.');
      expect(ok.code).toBe(0);

      const both = await verify(['--query', `TaskQueue = "${queue}" OR TaskQueue = "${changedQueue}"`, '--sample=10']);
      expect(both.out).toMatch(
        /DOES NOT REPLAY: deal:changed-without-patch \(run [\w-]+, dealWorkflow\): \[TMPRL1100\] Nondeterminism error: .+/,
      );
      expect(both.out).toContain('3 of 4 replayed; 1 did not');
      expect(both.out).not.toMatch(/DOES NOT REPLAY: deal-/);
      expect(both.code).toBe(1);
    }),
  );
});

test.each([
  [['--sample=0'], '--sample must be a whole number of at least 1, not "0"'],
  [['--sample', 'many'], '--sample must be a whole number of at least 1, not "many"'],
  [['--query='], '--query must not be empty'],
  [['--limit=3'], 'unknown option --limit=3; options are --query and --sample'],
])('%j is refused before anything is read (exit 2)', async (args, message) => {
  const run = await verify(args);
  expect(run.out.trim()).toBe(`verify-replay: ${message}`);
  expect(run.code).toBe(2);
});

test('bad configuration is exit 2 and names the variable', async () => {
  const run = await verify([], { TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dataDir, 'missing.pem') });
  expect(run.out).toMatch(/^verify-replay: Bad configuration:\n\s+TEMPORAL_TLS_CLIENT_CERT_PATH: /);
  expect(run.code).toBe(2);
});
