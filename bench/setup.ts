import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Cluster } from '../scripts/cluster/cluster';
import { startEmbeddedTemporal } from '../scripts/embedded-temporal';
import { freePort } from '../test/helpers/ports';
import { WebhookReceiver } from '../test/helpers/receiver';
import { DEFAULT_TASK_QUEUE } from '../workflows/messages';
import { HttpClient } from './http-client';
import { MEM_PROBE } from './memory-probe';
import { childByName, startChild, treeCpuSeconds, waitFor, type Child } from './procs';

export const ADMIN = { token: 'bench-admin', role: 'admin', subject: 'root' } as const;
export const BASELINE_TASK_QUEUE = 'bench-baseline';

/**
 * Which Temporal the bench runs on: the embedded dev server (SQLite, what `npm start` runs), or
 * the cluster topology `npm run cluster` runs (the Temporal server on PostgreSQL) with N workers.
 */
export type Topology = { readonly kind: 'dev' } | { readonly kind: 'cluster'; readonly workers: number };

export const topologyName = (t: Topology): string =>
  t.kind === 'dev' ? 'dev server (SQLite)' : `cluster (PostgreSQL), ${t.workers} worker${t.workers > 1 ? 's' : ''}`;

/** Everything one bench run talks to, each measured process with its pid. */
export interface Bench {
  readonly topology: Topology;
  readonly dataDir: string;
  readonly memDir: string;
  readonly temporalAddress: string;
  readonly client: Client;
  readonly receiver: WebhookReceiver;
  readonly api: HttpClient;
  readonly apiUrl: string;
  readonly echo: HttpClient;
  readonly metricsUrl: string;
  /**
   * `server`: the Temporal server; `database`: PostgreSQL on a cluster (the dev server's SQLite is
   * inside it); `worker`: the first worker (memory is sampled there), `moreWorkers` the others.
   */
  readonly pids: {
    server: number;
    database: number | null;
    worker: number;
    moreWorkers: number[];
    api: number;
    baselineWorker: number;
    echo: number;
  };
  readonly worker: Child;
  /** CPU seconds the worker (its process tree) has used so far. */
  workerCpuSeconds(): number;
  stop(): Promise<void>;
}

const ECHO_SERVER = `require('node:http').createServer((req, res) => { const c = []; req.on('data', (d) => c.push(d));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(c.length ? Buffer.concat(c) : '{}')); })
  .listen(Number(process.env.PORT), '127.0.0.1');`;

/** One embedded dev server (SQLite file on loopback), the worker and the API as `npm run worker` / `npm run api` run them. */
export async function startBench(
  log: (line: string) => void,
  options: { profileDir?: string; cacheSize?: number; topology?: Topology } = {},
): Promise<Bench> {
  const topology = options.topology ?? { kind: 'dev' };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sop-bench-'));
  const memDir = path.join(dataDir, 'mem');
  mkdirSync(memDir);
  const [temporalPort, uiPort, apiPort, metricsPort, echoPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const children: Child[] = [];
  // With a profile directory, the worker and the API run under --cpu-prof (one file per thread).
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const receiver = new WebhookReceiver();
  let stopTemporal: (() => Promise<void>) | null = null;
  let connection: Connection | null = null;
  let stopping = false;
  let stopped: Promise<void> | null = null;
  // Once, however many times it is called (the run stops each environment as it leaves it, and again on the way out).
  const stopAll = () =>
    (stopped ??= (async () => {
      stopping = true;
      await Promise.all(children.map((child) => child.stop()));
      await connection?.close();
      await stopTemporal?.();
      await receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    })());
  try {
    let address: string;
    let server: number | null;
    let database: number | null = null;
    if (topology.kind === 'dev') {
      const temporal = await startEmbeddedTemporal({
        dataDir,
        port: Number(temporalPort),
        uiPort: Number(uiPort),
        namespace: 'default',
        retention: '1d',
        log,
      });
      stopTemporal = () => temporal.stop();
      address = temporal.address;
      server = childByName('temporal');
    } else {
      // PostgreSQL and the Temporal server exactly as `npm run cluster` sets them up; the bench starts its own workers and API.
      // PostgreSQL runs as its own user, which must pass through this folder (mkdtemp makes it 0700).
      chmodSync(dataDir, 0o711);
      const cluster = await Cluster.start({
        dataDir: path.join(dataDir, 'cluster'),
        apiPort: Number(apiPort),
        temporalPort: Number(temporalPort),
        workers: 0,
        apis: 0,
        namespace: 'default',
        retention: '1d',
        env: {},
        log,
      });
      stopTemporal = () => cluster.stop();
      address = cluster.temporalAddress;
      ({ server, database } = cluster.pids);
    }
    if (!server) throw new Error('cannot find the Temporal server among this process’s children');
    const receiverUrl = await receiver.start();
    const common = {
      TEMPORAL_ADDRESS: address,
      TASK_QUEUE: DEFAULT_TASK_QUEUE,
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    };
    const workerEnv = (index: number, port: string) => ({
      ...common,
      // Each worker its own bundle cache and metrics port.
      ...(index > 0 && { DATA_DIR: path.join(dataDir, `worker-${index}`) }),
      WORKER_METRICS_PORT: port,
      ALERT_WEBHOOK_URL: receiverUrl,
      ALERT_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      NODE_OPTIONS: `--require ${MEM_PROBE}`,
      BENCH_MEM_DIR: memDir,
      WORKER_MAX_CACHED_WORKFLOWS: String(options.cacheSize ?? 2_000),
    });
    const worker = startChild('worker', 'worker/main.ts', workerEnv(0, metricsPort), profile);
    children.push(worker);
    const moreWorkers: Child[] = [];
    for (let index = 1; index < (topology.kind === 'cluster' ? topology.workers : 1); index += 1) {
      mkdirSync(path.join(dataDir, `worker-${index}`));
      const more = startChild(`worker-${index}`, 'worker/main.ts', workerEnv(index, await freePort()), profile);
      children.push(more);
      moreWorkers.push(more);
    }
    // A worker that dies mid-run invalidates every later figure: say so, with its last words.
    worker.process.once('exit', (code, signal) => {
      if (!stopping) log(`WORKER EXITED (${code ?? signal}) during the run; its last output:\n${worker.output().slice(-4_000)}`);
    });
    const baseline = startChild('baseline-worker', 'bench/baseline/worker.ts', {
      TEMPORAL_ADDRESS: address,
      BENCH_TASK_QUEUE: BASELINE_TASK_QUEUE,
      BENCH_RECEIVER_URL: receiverUrl,
    });
    children.push(baseline);
    const emptySops = path.join(dataDir, 'sops');
    mkdirSync(emptySops);
    const api = startChild(
      'api',
      'api/main.ts',
      {
        ...common,
        PORT: apiPort,
        SOP_DIR: emptySops,
        API_KEYS: `${ADMIN.token}:${ADMIN.role}:${ADMIN.subject}`,
        // The bench is one caller at full speed: it measures the API, not RATE_LIMIT.
        RATE_LIMIT: '1000000',
        // Its own metrics port, never bound: only the worker serves metrics.
        WORKER_METRICS_PORT: await freePort(),
      },
      profile,
    );
    children.push(api);
    const echoProcess = spawn(process.execPath, ['-e', ECHO_SERVER], {
      env: { ...process.env, PORT: echoPort },
      stdio: 'ignore',
      detached: true,
    });
    const echoExited = new Promise<void>((resolve) => echoProcess.once('exit', () => resolve()));
    children.push({
      name: 'echo',
      process: echoProcess,
      pid: echoProcess.pid as number,
      output: () => '',
      async stop() {
        if (echoProcess.exitCode === null && echoProcess.signalCode === null) echoProcess.kill('SIGKILL');
        await echoExited;
      },
    });
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    for (const w of [worker, ...moreWorkers]) await waitFor(w, 'worker start', async () => w.output().includes('worker started'));
    await waitFor(baseline, 'baseline worker start', async () => baseline.output().includes('baseline worker started'));
    await waitFor(api, 'API readiness', async () => (await fetch(`${apiUrl}/readyz`)).ok);
    const echo = new HttpClient(`http://127.0.0.1:${echoPort}`);
    await waitFor(children[children.length - 1], 'echo server', async () => (await echo.call('POST', '/', { ping: 1 })) !== undefined);
    connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const apiClient = new HttpClient(apiUrl, ADMIN.token);
    return {
      topology,
      dataDir,
      memDir,
      temporalAddress: address,
      client,
      receiver,
      api: apiClient,
      apiUrl,
      echo,
      metricsUrl,
      pids: {
        server,
        database,
        worker: worker.pid,
        moreWorkers: moreWorkers.map((w) => w.pid),
        api: api.pid,
        baselineWorker: baseline.pid,
        echo: echoProcess.pid as number,
      },
      worker,
      workerCpuSeconds: () => [worker, ...moreWorkers].reduce((sum, w) => sum + treeCpuSeconds(w.pid), 0),
      async stop() {
        apiClient.close();
        echo.close();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
