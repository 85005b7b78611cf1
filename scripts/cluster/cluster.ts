// The production topology on one machine: PostgreSQL, the Temporal server on it, then workers and
// API processes, each a process of its own (so one can be killed, as in production). Used by
// `npm run cluster` and by the cluster tests.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Child } from './child';
import { freePortBelow, waitForPort } from '../ports';
import { startPostgres, type RunningPostgres } from './postgres';
import { setUpNamespace, setUpSchemas, startTemporalServer, temporalPorts, type ClusterTls, type TemporalPorts } from './temporal-cluster';
import { temporalServer, type TemporalServerBinaries } from './temporal-server';
import { DEFAULT_TASK_QUEUE } from '../../workflows/messages';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface ClusterOptions {
  readonly dataDir: string;
  /** The first API's port; the others follow it. */
  readonly apiPort: number;
  readonly temporalPort: number;
  readonly workers: number;
  readonly apis: number;
  readonly namespace: string;
  readonly retention: string;
  /** The environment every worker and API process gets (API_KEYS, SOP_DIR, TASK_QUEUE, LOG_LEVEL, ...). */
  readonly env: Record<string, string>;
  /** mTLS on the frontend: workers and APIs then connect with the client certificate, through TEMPORAL_TLS_*. */
  readonly tls?: ClusterTls;
  readonly log: (line: string) => void;
}

export class Cluster {
  readonly workers: Child[] = [];
  readonly apis: Child[] = [];
  private server: Child | null = null;
  private readonly retired: Child[] = [];

  private constructor(
    private readonly options: ClusterOptions,
    private readonly binaries: TemporalServerBinaries,
    private readonly postgres: RunningPostgres,
    private readonly ports: TemporalPorts,
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    mkdirSync(options.dataDir, { recursive: true });
    const binaries = await temporalServer(options.log);
    const postgres = await startPostgres(
      options.dataDir,
      await freePortBelow(new Set([options.temporalPort, options.apiPort])),
      options.log,
    );
    const cluster = new Cluster(options, binaries, postgres, await temporalPorts(options.temporalPort));
    try {
      options.log(`PostgreSQL on 127.0.0.1:${postgres.port}; applying the Temporal schemas`);
      await setUpSchemas(binaries, postgres.port);
      await cluster.startServer();
      await setUpNamespace(cluster.temporalAddress, options.namespace, options.retention, options.tls);
      await Promise.all(Array.from({ length: options.workers }, (_, i) => cluster.startWorker(i)));
      await Promise.all(Array.from({ length: options.apis }, (_, i) => cluster.startApi(i)));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.frontend}`;
  }

  /** The Temporal server's and PostgreSQL's processes (the bench reads their CPU). */
  get pids(): { server: number | null; database: number | null } {
    return { server: this.server?.pid ?? null, database: this.postgres.child.pid ?? null };
  }

  get postgresPort(): number {
    return this.postgres.port;
  }

  apiUrl(index: number): string {
    return `http://127.0.0.1:${this.options.apiPort + index}`;
  }

  /** The Temporal server, on the schemas already set up. */
  async startServer(): Promise<void> {
    this.server = this.track(
      await startTemporalServer({
        binaries: this.binaries,
        dir: path.join(this.options.dataDir, 'temporal'),
        ports: this.ports,
        postgresPort: this.postgres.port,
        tls: this.options.tls,
      }),
    );
  }

  async stopServer(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.server?.stop(signal, 30_000);
  }

  /** How workers and APIs reach Temporal: its address, and with mTLS the client certificate, as Temporal's environment configuration reads them. */
  private get temporalEnv(): Record<string, string> {
    const tls = this.options.tls;
    return {
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: this.options.namespace,
      ...(tls && {
        TEMPORAL_TLS_CLIENT_CERT_PATH: tls.clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: tls.clientKey,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: tls.ca,
        TEMPORAL_TLS_SERVER_NAME: tls.serverName,
      }),
    };
  }

  /** Worker `index`; ready once it polls the task queue. */
  async startWorker(index: number): Promise<void> {
    const env = {
      ...this.options.env,
      ...this.temporalEnv,
      // Its own bundle cache and metrics port.
      DATA_DIR: path.join(this.options.dataDir, `worker-${index}`),
      WORKER_METRICS_PORT: String(await freePortBelow(new Set([this.options.apiPort]), 40_000, 60_000)),
    };
    const pollersBefore = await this.workflowPollers();
    const worker = this.track(new Child(`worker-${index}`, process.execPath, [TSX, 'worker/main.ts'], { cwd: ROOT, env }));
    this.workers[index] = worker;
    // Ready once one more worker polls the task queue (a worker's identity is its pid@host, and
    // `worker.pid` is that of tsx's launcher, so the count is what tells).
    const until = Date.now() + 120_000;
    while ((await this.workflowPollers()).filter((identity) => !pollersBefore.includes(identity)).length === 0) {
      if (!worker.running || Date.now() > until) throw new Error(`worker ${index} did not start polling:\n${worker.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Identities of the workers polling the deal task queue now. */
  private async workflowPollers(): Promise<string[]> {
    const tls = this.options.tls;
    const connection = await Connection.connect({
      address: this.temporalAddress,
      ...(tls && {
        tls: {
          serverNameOverride: tls.serverName,
          serverRootCACertificate: readFileSync(tls.ca),
          clientCertPair: { crt: readFileSync(tls.clientCert), key: readFileSync(tls.clientKey) },
        },
      }),
    });
    try {
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace: this.options.namespace,
        taskQueue: { name: this.options.env.TASK_QUEUE || DEFAULT_TASK_QUEUE },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return (pollers ?? []).map((poller) => poller.identity ?? '');
    } finally {
      await connection.close();
    }
  }

  /** API `index` on apiPort + index; ready once /readyz answers 200. */
  async startApi(index: number): Promise<void> {
    const port = this.options.apiPort + index;
    const env = {
      ...this.options.env,
      ...this.temporalEnv,
      PORT: String(port),
      DATA_DIR: path.join(this.options.dataDir, `api-${index}`),
    };
    const api = this.track(new Child(`api-${index}`, process.execPath, [TSX, 'api/main.ts'], { cwd: ROOT, env }));
    this.apis[index] = api;
    await waitForPort(port, 120_000, `API ${index}`, () => api.running).catch((error: Error) => {
      throw new Error(`${error.message}:\n${api.tail()}`);
    });
    const until = Date.now() + 120_000;
    while (
      (await fetch(`${this.apiUrl(index)}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    ) {
      if (!api.running || Date.now() > until) throw new Error(`API ${index} did not become ready:\n${api.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Everything, in order: the APIs (no new requests), the workers (they finish their tasks), the server, PostgreSQL. */
  async stop(): Promise<void> {
    await Promise.all(this.apis.map((api) => api?.stop('SIGTERM', 15_000)));
    await Promise.all(this.workers.map((worker) => worker?.stop('SIGTERM', 30_000)));
    await this.server?.stop('SIGTERM', 30_000);
    await Promise.all(this.retired.map((child) => child.stop('SIGKILL', 5_000)));
    await this.postgres.stop();
  }

  /** What each process printed last, for an error message. */
  tails(): string {
    return this.retired.map((child) => `--- ${child.name} ---\n${child.tail().slice(-3_000)}`).join('\n');
  }

  private track(child: Child): Child {
    this.retired.push(child);
    return child;
  }
}
