import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../scripts/embedded-temporal';
import { freePort } from '../test/helpers/ports';
import { WebhookReceiver } from '../test/helpers/receiver';
import { DEFAULT_TASK_QUEUE } from '../workflows/messages';
import { HttpClient } from './http-client';
import { MEM_PROBE } from './memory-probe';
import { childByName, startChild, treeCpuSeconds, waitFor, type Child } from './procs';

export const ADMIN = { token: 'bench-admin', role: 'admin', subject: 'root' } as const;
export const BASELINE_TASK_QUEUE = 'bench-baseline';

/** Everything one bench run talks to, each measured process with its pid. */
export interface Bench {
  readonly dataDir: string;
  readonly memDir: string;
  readonly temporal: EmbeddedTemporal;
  readonly client: Client;
  readonly receiver: WebhookReceiver;
  readonly api: HttpClient;
  readonly apiUrl: string;
  readonly echo: HttpClient;
  readonly metricsUrl: string;
  readonly pids: { server: number; worker: number; api: number; baselineWorker: number; echo: number };
  readonly worker: Child;
  /** CPU seconds the worker (its process tree) has used so far. */
  workerCpuSeconds(): number;
  stop(): Promise<void>;
}

const ECHO_SERVER = `require('node:http').createServer((req, res) => { const c = []; req.on('data', (d) => c.push(d));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(c.length ? Buffer.concat(c) : '{}')); })
  .listen(Number(process.env.PORT), '127.0.0.1');`;

/** One embedded dev server (SQLite file on loopback), the worker and the API as `npm run worker` / `npm run api` run them. */
export async function startBench(log: (line: string) => void, options: { profileDir?: string; cacheSize?: number } = {}): Promise<Bench> {
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
  let temporal: EmbeddedTemporal | null = null;
  let connection: Connection | null = null;
  let stopping = false;
  let stopped: Promise<void> | null = null;
  // Once, however many times it is called (the run stops each environment as it leaves it, and again on the way out).
  const stopAll = () =>
    (stopped ??= (async () => {
      stopping = true;
      await Promise.all(children.map((child) => child.stop()));
      await connection?.close();
      await temporal?.stop();
      await receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    })());
  try {
    temporal = await startEmbeddedTemporal({
      dataDir,
      port: Number(temporalPort),
      uiPort: Number(uiPort),
      namespace: 'default',
      retention: '1d',
      log,
    });
    const server = childByName('temporal');
    if (!server) throw new Error('cannot find the embedded temporal server among this process’s children');
    const receiverUrl = await receiver.start();
    const common = {
      TEMPORAL_ADDRESS: temporal.address,
      TASK_QUEUE: DEFAULT_TASK_QUEUE,
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    };
    const worker = startChild(
      'worker',
      'worker/main.ts',
      {
        ...common,
        WORKER_METRICS_PORT: metricsPort,
        ALERT_WEBHOOK_URL: receiverUrl,
        ALERT_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
        NODE_OPTIONS: `--require ${MEM_PROBE}`,
        BENCH_MEM_DIR: memDir,
        WORKER_MAX_CACHED_WORKFLOWS: String(options.cacheSize ?? 2_000),
      },
      profile,
    );
    children.push(worker);
    // A worker that dies mid-run invalidates every later figure: say so, with its last words.
    worker.process.once('exit', (code, signal) => {
      if (!stopping) log(`WORKER EXITED (${code ?? signal}) during the run; its last output:\n${worker.output().slice(-4_000)}`);
    });
    const baseline = startChild('baseline-worker', 'bench/baseline/worker.ts', {
      TEMPORAL_ADDRESS: temporal.address,
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
    await waitFor(worker, 'worker start', async () => worker.output().includes('worker started'));
    await waitFor(baseline, 'baseline worker start', async () => baseline.output().includes('baseline worker started'));
    await waitFor(api, 'API readiness', async () => (await fetch(`${apiUrl}/readyz`)).ok);
    const echo = new HttpClient(`http://127.0.0.1:${echoPort}`);
    await waitFor(children[3], 'echo server', async () => (await echo.call('POST', '/', { ping: 1 })) !== undefined);
    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: 'default' });
    const apiClient = new HttpClient(apiUrl, ADMIN.token);
    return {
      dataDir,
      memDir,
      temporal,
      client,
      receiver,
      api: apiClient,
      apiUrl,
      echo,
      metricsUrl,
      pids: { server, worker: worker.pid, api: api.pid, baselineWorker: baseline.pid, echo: echoProcess.pid as number },
      worker,
      workerCpuSeconds: () => treeCpuSeconds(worker.pid),
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
