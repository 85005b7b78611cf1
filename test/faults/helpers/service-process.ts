import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { devServerArgs } from '../../../scripts/embedded-temporal';
import { portOpen } from '../../../scripts/ports';
import { cliPath } from '../../../scripts/temporal-binaries';
import { WEBHOOK_SECRET } from '../../helpers/deal-harness';
import { freePort } from '../../helpers/ports';
import { ChildGroup } from './child-group';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** The keys every fault test uses, as API_KEYS configures them. */
export const FAULT_KEYS = { admin: 'f-admin', alice: 'f-alice', manager: 'f-mia' } as const;
const API_KEYS = 'f-admin:admin:root,f-alice:rep:alice,f-mia:manager:mia';

export async function until<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The service as three processes that a test can SIGKILL and restart one at a time: the Temporal dev
 * server (the pinned CLI, on a SQLite file in a temporary DATA_DIR, search attributes registered, as
 * `npm start` runs it), `worker/main.ts` and `api/main.ts`, configured through the environment only.
 */
export class ServiceProcess {
  server: ChildGroup | null = null;
  worker: ChildGroup | null = null;
  api: ChildGroup | null = null;
  private readonly retired: ChildGroup[] = [];
  private stopped = false;

  private constructor(
    readonly dir: string,
    readonly env: Record<string, string>,
  ) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  get temporalAddress(): string {
    return this.env.TEMPORAL_ADDRESS;
  }

  /** SOP files to publish at the API's start; `webhookUrl` where escalations go (none: recorded only). */
  static async create(options: {
    sops: ReadonlyArray<Record<string, unknown>>;
    webhookUrl?: string;
    rateLimit?: number;
    /** More environment for the worker and the API (e.g. ALERT_RETRY_WINDOW). */
    env?: Readonly<Record<string, string>>;
  }): Promise<ServiceProcess> {
    const dir = mkdtempSync(path.join(tmpdir(), 'sales-sop-faults-'));
    const sopDir = path.join(dir, 'sops');
    mkdirSync(sopDir);
    options.sops.forEach((sop, index) => writeFileSync(path.join(sopDir, `sop-${index}.json`), JSON.stringify(sop)));
    const temporalPort = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      PORT: await freePort(),
      HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_DEV_PORT: temporalPort,
      TASK_QUEUE: 'sales-sop-faults',
      DATA_DIR: path.join(dir, 'data'),
      SOP_DIR: sopDir,
      API_KEYS,
      // Far above what a fault test sends, unless the test is about the limit.
      RATE_LIMIT: String(options.rateLimit ?? 100_000),
      WORKER_METRICS_PORT: await freePort(),
      LOG_LEVEL: 'warn',
      ...(options.webhookUrl ? { ALERT_WEBHOOK_URL: options.webhookUrl, ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET } : {}),
      ...options.env,
    };
    mkdirSync(env.DATA_DIR);
    return new ServiceProcess(dir, env);
  }

  /** Server, worker, API, each ready. */
  async startAll(): Promise<void> {
    await this.startServer();
    await this.startWorker();
    await this.startApi();
  }

  /** The dev server on the same SQLite file every time, so a restart finds every deal. */
  async startServer(): Promise<void> {
    const cli = cliPath({ install: true });
    const args = devServerArgs({ dataDir: this.env.DATA_DIR, port: Number(this.env.TEMPORAL_DEV_PORT), namespace: 'default' });
    const server = this.track(new ChildGroup('temporal', cli, args, { cwd: this.dir, env: this.env }));
    this.server = server;
    await until(
      () => portOpen(Number(this.env.TEMPORAL_DEV_PORT)).then((open) => open || !server.running),
      Boolean,
      60_000,
      'the dev server',
    );
    if (!server.running) throw new Error(`the dev server exited:\n${server.tail()}`);
    // Up once the namespace answers (the port opens a moment before).
    await until(
      () =>
        promisify(execFile)(cli, ['operator', 'namespace', 'describe', '--address', this.temporalAddress, '--namespace', 'default']).then(
          () => true,
          () => false,
        ),
      Boolean,
      30_000,
      'the default namespace',
    );
  }

  /** `worker/main.ts`; ready once it logs "worker started" (its workflow bundle is built by then). */
  async startWorker(): Promise<void> {
    const worker = this.track(new ChildGroup('worker', process.execPath, [TSX, 'worker/main.ts'], { cwd: ROOT, env: this.workerEnv() }));
    this.worker = worker;
    await until(() => /worker started/.test(worker.tail()) || !worker.running, Boolean, 120_000, 'the worker').catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${worker.tail()}`);
    });
    if (!worker.running) throw new Error(`the worker exited:\n${worker.tail()}`);
  }

  /** `api/main.ts`; ready once /readyz says so (Temporal reachable, a worker polling, SOPs published). */
  async startApi(options: { waitReady?: boolean } = {}): Promise<void> {
    const api = this.track(new ChildGroup('api', process.execPath, [TSX, 'api/main.ts'], { cwd: ROOT, env: this.apiEnv() }));
    this.api = api;
    const probe = options.waitReady === false ? '/healthz' : '/readyz';
    await until(
      () =>
        fetch(`${this.apiUrl}${probe}`).then(
          (r) => r.status === 200 || !api.running,
          () => !api.running,
        ),
      Boolean,
      120_000,
      'the API',
    );
    if (!api.running) throw new Error(`the API exited:\n${api.tail()}`);
  }

  async killServer(): Promise<void> {
    await this.server?.kill();
  }

  async killWorker(): Promise<void> {
    await this.worker?.kill();
  }

  async killApi(): Promise<void> {
    await this.api?.kill();
  }

  /** Every process this service ever started, killed; its temporary directory removed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.retired.map((child) => child.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** What each process printed last, for a failure message. */
  tails(): string {
    return [this.server, this.worker, this.api]
      .filter((child): child is ChildGroup => child !== null)
      .map((child) => `--- ${child.name} ---\n${child.tail().slice(-4_000)}`)
      .join('\n');
  }

  private track(child: ChildGroup): ChildGroup {
    // A test that failed half-way may still be restarting processes: none may outlive `stop()`.
    if (this.stopped) {
      void child.kill();
      throw new Error('the service was stopped');
    }
    this.retired.push(child);
    return child;
  }

  private workerEnv(): Record<string, string> {
    // The worker's metrics port is its own; the API's PORT is not its business.
    const { PORT: _port, ...env } = this.env;
    // "worker started" is an info line; the readiness of a restart is read from it.
    return { ...env, LOG_LEVEL: 'info' };
  }

  private apiEnv(): Record<string, string> {
    const { WORKER_METRICS_PORT: _metrics, ...env } = this.env;
    return env;
  }
}
