// `npm start` as a user runs it: the embedded Temporal server, the worker and the API in one process,
// stopped by SIGTERM and started again on the same DATA_DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** Fresh ports for everything `npm start` binds; the embedded server picks its other ports itself. */
async function choosePorts(): Promise<void> {
  Object.assign(env, {
    PORT: await freePort(),
    TEMPORAL_DEV_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
  });
}

beforeAll(async () => {
  const sopDir = path.join(dir, 'sops');
  mkdirSync(sopDir);
  writeFileSync(path.join(sopDir, 'quick.yaml'), stringify(quickSop()));
  writeFileSync(path.join(dir, 'people.yaml'), 'alice: { name: Alice Wang, manager: mia, wecom: WangAlice }\nmia: { name: Mia Chen }\n');
  Object.assign(env, {
    PEOPLE_FILE: path.join(dir, 'people.yaml'),
    PATH: process.env.PATH ?? '',
    DATA_DIR: path.join(dir, 'data'),
    SOP_DIR: sopDir,
    API_KEYS: 'k-ops:ops:ops-team,k-alice:rep:alice',
    ALERT_WEBHOOK_URL: await receiver.start(),
    ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    LOG_LEVEL: 'info',
  });
  await choosePorts();
});

interface Service {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Every `npm start` of this file; whatever a test does or fails to do, none outlives it. */
const services: Service[] = [];

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
  // `close`, not `exit`: by then every byte the service printed is in `output`.
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', (error) => {
      output += `\nspawn failed: ${error.message}`;
      resolve(null);
    });
  });
  const service = { child, output: () => output, exited };
  services.push(service);
  return service;
}

const hasExited = (service: Service) => service.child.exitCode !== null || service.child.signalCode !== null;

/**
 * SIGKILL to the whole process group: tsx, the service under it and the embedded Temporal server.
 * Then waits for the exit, so no pipe or process keeps jest from exiting.
 */
async function killGroup(service: Service): Promise<void> {
  try {
    process.kill(-(service.child.pid as number), 'SIGKILL');
  } catch {
    // the group is gone already
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([service.exited, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
  service.child.stdout?.destroy();
  service.child.stderr?.destroy();
  service.child.unref();
}

afterEach(async () => {
  await Promise.all(services.splice(0).map(killGroup));
});
afterAll(async () => {
  await Promise.all(services.splice(0).map(killGroup));
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The failure message a reader needs: what happened, and everything the service printed. */
function failure(service: Service, what: string): Error {
  const { exitCode, signalCode } = service.child;
  return new Error(`npm start ${what} (exit code ${exitCode}, signal ${signalCode}); its whole output:\n${service.output()}`);
}

async function expectExit(service: Service, code: number): Promise<void> {
  if ((await service.exited) !== code) throw failure(service, `did not exit with ${code}`);
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

/** Ready: /readyz answers 200 and the banner is out. Resolves, ready or not, once the service exits. */
async function settled(service: Service): Promise<void> {
  await until(
    () =>
      api('/readyz').then(
        (r) => r.status,
        () => 0,
      ),
    (status) => (status === 200 && /ready in/.test(service.output())) || hasExited(service),
    90_000,
  ).catch(() => undefined);
}

const LOST_PORT_RACE = /EADDRINUSE|address already in use|already in use/i;

/**
 * Starts `npm start` and waits for `done`. A start that lost a race for one of its ports (another
 * process bound it between `freePort` and the service) is retried once on fresh ports.
 */
async function launch(
  done: (service: Service) => Promise<unknown>,
  extra: Record<string, string> = {},
): Promise<{ service: Service; attempts: number }> {
  for (let attempts = 1; ; attempts += 1) {
    const service = start(extra);
    await done(service);
    if (hasExited(service)) await service.exited;
    if (attempts > 1 || !hasExited(service) || !LOST_PORT_RACE.test(service.output())) return { service, attempts };
    console.warn(`npm start lost a port race; starting again on fresh ports. Its output:\n${service.output()}`);
    await killGroup(service);
    await choosePorts();
  }
}

/** `npm start`, ready; how long it took. Fails with the service's whole output when it is not. */
async function startReady(): Promise<{ service: Service; ms: number; attempts: number }> {
  const started = Date.now();
  const { service, attempts } = await launch(settled);
  if (hasExited(service)) throw failure(service, 'exited before it was ready');
  if (!/ready in/.test(service.output())) throw failure(service, 'was not ready within 90 s');
  return { service, ms: Date.now() - started, attempts };
}

test('a restart on the same DATA_DIR finds the deal where it was and delivers the overdue escalations once', async () => {
  const { service: first, ms: coldMs } = await startReady();
  expect(first.output()).toContain(`UI: http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
  const opened = await api('/v1/deals', {
    method: 'POST',
    body: JSON.stringify({ dealId: 'restart-1', sopId: 'quick-sop', customer: { name: 'ACME', tier: 'B' }, amount: 10, currency: 'CNY' }),
  });
  expect(opened.status).toBe(201);
  // PEOPLE_FILE, written into the people directory at start.
  const people = await api('/v1/people', { headers: { authorization: 'Bearer k-ops' } });
  expect(((await people.json()) as { people: unknown[] }).people).toEqual([
    { subject: 'alice', name: 'Alice Wang', manager: 'mia', wecom: 'WangAlice' },
    { subject: 'mia', name: 'Mia Chen' },
  ]);
  // One /metrics: the API's HTTP metrics and the in-process worker's SDK metrics.
  const metrics = await (await api('/metrics')).text();
  expect(metrics).toMatch(/http_requests_total\{method="POST",route="\/v1\/deals",status="201"\} 1/);
  expect(metrics).toMatch(/temporal_workflow_task_/);
  first.child.kill('SIGTERM');
  await expectExit(first, 0);
  console.log(`npm start: cold start to ready ${coldMs} ms`, first.output().match(/ready in [0-9.]+ s/)?.[0]);

  // Both the warning (2 s) and the breach (4 s) fall due while the service is down.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect(receiver.received).toHaveLength(0);

  const { service: second, ms: warmMs } = await startReady();
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
  await expectExit(second, 0);
  expect(second.output()).toMatch(/"msg":"stopped"/);
});

test('a start that lost the race for one of its ports is started again on fresh ports', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(Number(env.TEMPORAL_DEV_PORT), '127.0.0.1', resolve));
  try {
    const { service, attempts } = await startReady();
    expect(attempts).toBe(2);
    service.child.kill('SIGTERM');
    await expectExit(service, 0);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

test('a PEOPLE_FILE that is not a people directory stops the start, naming each problem', async () => {
  const bad = path.join(dir, 'bad-people.yaml');
  writeFileSync(bad, 'alice: { name: Alice, boss: mia }\n');
  const { service } = await launch((started) => started.exited, { PEOPLE_FILE: bad });
  await expectExit(service, 1);
  expect(service.output()).toMatch(/PEOPLE_FILE: ".*bad-people\.yaml" is not a people directory:\s+alice\.boss: unknown field "boss"/);
});

test('an SOP file that changes a published version stops the start, naming the file and the fix', async () => {
  writeFileSync(path.join(env.SOP_DIR, 'quick.yaml'), stringify({ ...quickSop(), name: 'Changed without a new version' }));
  const { service } = await launch((started) => started.exited);
  await expectExit(service, 1);
  expect(service.output()).toMatch(/quick\.yaml: it changes a published version; bump its version/);
});
