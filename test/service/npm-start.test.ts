// `npm start` as a user runs it: the embedded Temporal server, the worker and the API in one process,
// stopped by SIGTERM and started again on the same DATA_DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { WEBHOOK_SECRET } from '../helpers/deal-harness';
import { freePort } from '../helpers/ports';
import { WebhookReceiver } from '../helpers/receiver';
import { quickSop } from '../helpers/service';

const ROOT = path.resolve(__dirname, '..', '..');
const receiver = new WebhookReceiver();
const dir = mkdtempSync(path.join(tmpdir(), 'sales-sop-start-'));
const env: Record<string, string> = {};

beforeAll(async () => {
  const sopDir = path.join(dir, 'sops');
  mkdirSync(sopDir);
  writeFileSync(path.join(sopDir, 'quick.yaml'), stringify(quickSop()));
  Object.assign(env, {
    PATH: process.env.PATH ?? '',
    DATA_DIR: path.join(dir, 'data'),
    SOP_DIR: sopDir,
    PORT: await freePort(),
    TEMPORAL_DEV_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
    API_KEYS: 'k-ops:ops:ops-team,k-alice:rep:alice',
    ALERT_WEBHOOK_URL: await receiver.start(),
    ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    LOG_LEVEL: 'info',
  });
});
afterAll(async () => {
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Service {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(extra: Record<string, string> = {}): Service {
  let output = '';
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a test can Ctrl-C the whole group as a terminal does.
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** Whatever happens in a test, nothing it started outlives it. */
function killGroup(service: Service): void {
  try {
    process.kill(-(service.child.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
}

async function until<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const api = (route: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${env.PORT}${route}`, {
    ...init,
    headers: { authorization: 'Bearer k-alice', 'content-type': 'application/json', ...(init.headers ?? {}) },
  });

async function ready(service: Service): Promise<number> {
  const started = Date.now();
  await until(
    () =>
      api('/readyz').then(
        (r) => r.status,
        () => 0,
      ),
    (status) => status === 200 || service.child.exitCode !== null,
    90_000,
  );
  expect(service.child.exitCode).toBeNull();
  return Date.now() - started;
}

test('a restart on the same DATA_DIR finds the deal where it was and delivers the overdue escalations once', async () => {
  const first = start();
  try {
    const coldMs = await ready(first);
    expect(first.output()).toMatch(/ready in/);
    expect(first.output()).toContain(`UI: http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    const opened = await api('/v1/deals', {
      method: 'POST',
      body: JSON.stringify({ dealId: 'restart-1', sopId: 'quick-sop', customer: { name: 'ACME', tier: 'B' }, amount: 10, currency: 'CNY' }),
    });
    expect(opened.status).toBe(201);
    // One /metrics: the API's HTTP metrics and the in-process worker's SDK metrics.
    const metrics = await (await api('/metrics')).text();
    expect(metrics).toMatch(/http_requests_total\{method="POST",route="\/v1\/deals",status="201"\} 1/);
    expect(metrics).toMatch(/temporal_workflow_task_/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    console.log(`npm start: cold start to ready ${coldMs} ms`, first.output().match(/ready in [0-9.]+ s/)?.[0]);
  } finally {
    killGroup(first);
  }

  // Both the warning (2 s) and the breach (4 s) fall due while the service is down.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect(receiver.received).toHaveLength(0);

  const second = start();
  try {
    const warmMs = await ready(second);
    console.log(`npm start: warm start to ready ${warmMs} ms`, second.output().match(/ready in [0-9.]+ s/)?.[0]);
    const deal: any = await until(
      () => api('/v1/deals/restart-1').then((r) => r.json()),
      (view: any) => view.escalations?.length === 2 && view.escalations.every((e: any) => e.delivery === 'delivered'),
      30_000,
    );
    expect(deal.stage.id).toBe('requirements');
    expect(deal.health).toBe('red');
    expect(deal.escalations.map((e: any) => e.type)).toEqual(['deal.sla.warning', 'deal.sla.breached']);
    const ids = receiver.delivered<{ id: string }>().map((body) => body.id);
    expect(ids.sort()).toEqual(deal.escalations.map((e: any) => e.id).sort());
    // Ctrl-C: SIGINT to the whole process group.
    process.kill(-(second.child.pid as number), 'SIGINT');
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/"msg":"stopped"/);
  } finally {
    killGroup(second);
  }
});

test('an SOP file that changes a published version stops the start, naming the file and the fix', async () => {
  writeFileSync(path.join(env.SOP_DIR, 'quick.yaml'), stringify({ ...quickSop(), name: 'Changed without a new version' }));
  const service = start();
  try {
    expect(await service.exited).toBe(1);
    expect(service.output()).toMatch(/quick\.yaml: it changes a published version; bump its version/);
  } finally {
    killGroup(service);
  }
});
