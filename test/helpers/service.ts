import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { WebhookTarget } from '../../activities';
import { createApp } from '../../api/app';
import { Callers } from '../../api/callers';
import { KeyRing } from '../../api/key-ring';
import { listen } from '../../api/http-server';
import { AnalyticsService } from '../../api/analytics-service';
import { DealService } from '../../api/deal-service';
import { createReadiness } from '../../api/readiness';
import { MigrationService } from '../../api/migration-service';
import { RiskService } from '../../api/risk-service';
import { SimulationService } from '../../api/simulation-service';
import { SopService } from '../../api/sop-service';
import type { SsoVerifier } from '../../api/sso';
import type { Actor } from '../../domain';
import { hashKey, type ApiKey } from '../../config';
import { dealWorker } from './deal-harness';
import { AlertEndpointService } from '../../api/alert-endpoint-service';
import { KeyedRegistryClient } from '../../api/keyed-registry-client';
import { PeopleService } from '../../api/people-service';
import type { AlertEndpoint, Person } from '../../domain';
import { alertIds } from '../../workflows/alert-messages';
import { bundleWorkflows, devServerEnv, uniqueId } from './temporal';

const SYSTEM: Actor = { subject: 'consistency-check', role: 'system' };

/** One key per role, plus a second rep, as API_KEYS would configure them. */
export const KEYS = {
  admin: { token: 'test-admin', role: 'admin', subject: 'root' },
  ops: { token: 'test-ops', role: 'ops', subject: 'ops-team' },
  manager: { token: 'test-manager', role: 'manager', subject: 'mia' },
  alice: { token: 'test-alice', role: 'rep', subject: 'alice' },
  bob: { token: 'test-bob', role: 'rep', subject: 'bob' },
  viewer: { token: 'test-viewer', role: 'viewer', subject: 'victor' },
} as const satisfies Record<string, ApiKey>;
export type KeyName = keyof typeof KEYS;

/** The callers the API knows in tests: `KEYS`, hashed as the API holds them; no SSO. */
export function testCallers(sso: SsoVerifier | null = null): Callers {
  return new Callers(new KeyRing(Object.values(KEYS).map(hashKey)), sso);
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** The whole service on a real dev server: a real worker, the real app on a loopback port. */
export class TestService {
  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly taskQueue: string,
    readonly url: string,
    readonly sops: SopService,
    private readonly simulations: SimulationService,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    private readonly server: Server,
  ) {}

  /** `rateLimit`: RATE_LIMIT; by default far above what any test sends, so only a test about limits meets one. `sso`: JWTs too. */
  /** `reopenWindowMs`: REOPEN_WINDOW (default the contract's 30 days). */
  static async start(
    options: {
      webhook?: WebhookTarget | null;
      rateLimit?: number;
      sso?: SsoVerifier;
      reopenWindowMs?: number;
      /** ALERT_RETRY_WINDOW in ms (default 25 h). */
      alertRetryForMs?: number;
    } = {},
  ): Promise<TestService> {
    const [env, bundle] = await Promise.all([devServerEnv(), bundleWorkflows()]);
    const taskQueue = uniqueId('api');
    // Tests share one server: each service keeps its own endpoints and people.
    const ids = alertIds(`${uniqueId('alerts')}:`);
    const retryForMs = options.alertRetryForMs ?? 25 * 60 * 60 * 1000;
    const worker = await dealWorker(env, bundle, taskQueue, options.webhook ?? null, { ids, retryForMs, publicUrl: 'http://board.test' });
    const running = worker.run();
    const sops = new SopService(env.client, taskQueue, uniqueId('sop-registry'));
    const deals = new DealService(env.client, sops, taskQueue, env.namespace ?? 'default', undefined, options.reopenWindowMs);
    const analytics = new AnalyticsService(env.client, sops, deals);
    const simulations = new SimulationService(env.client, env.namespace ?? 'default', sops, deals);
    const { app } = createApp({
      services: {
        deals,
        sops,
        migrations: new MigrationService(env.client, sops, taskQueue),
        simulations,
        risks: new RiskService(deals),
        people: new PeopleService(new KeyedRegistryClient<Person>(env.client, taskQueue, ids.people)),
        endpoints: new AlertEndpointService({
          client: env.client,
          taskQueue,
          registry: new KeyedRegistryClient<AlertEndpoint>(env.client, taskQueue, ids.endpoints),
          ids,
          defaultUrl: options.webhook?.url ?? null,
          retryForMs,
        }),
      },
      analytics,
      callers: testCallers(options.sso),
      rateLimit: options.rateLimit ?? 100_000,
      readiness: createReadiness({
        client: env.client,
        namespace: env.namespace ?? 'default',
        taskQueue,
        sopsPublished: () => true,
        sso: options.sso ? () => (options.sso as SsoVerifier).keys.status() : undefined,
      }),
      onUnexpectedError: (error) => console.error('unexpected', error),
    });
    const server: Server = await listen(app, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new TestService(env, taskQueue, url, sops, simulations, worker, running, server);
  }

  /** A real HTTP request; `body` is sent as JSON unless it is a string (sent raw). */
  async call<T = any>(
    method: string,
    path: string,
    options: { as?: KeyName | null; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const as = options.as === undefined ? 'admin' : options.as;
    if (as) headers.authorization = `Bearer ${KEYS[as].token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** Stops the worker alone: what the API can still answer without one. */
  async stopWorker(): Promise<void> {
    if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
  }

  /**
   * The what-if's key property on every deal this service ran: replayed by the simulator under its
   * own SOP versions, each deal fires exactly the alerts it fired. Needs the worker (open deals are
   * read through it). Deals that cannot be read (a test that broke one on purpose) are not checked.
   */
  async consistency(): Promise<{ checked: number; differences: string[]; unread: number }> {
    const total = { checked: 0, differences: [] as string[], unread: 0 };
    for (const sop of await this.sops.list()) {
      const answer = await this.simulations.simulate(sop.id, { sop, deals: { status: 'all', limit: 5_000 } }, SYSTEM);
      total.checked += answer.consistency.checked;
      total.differences.push(...answer.consistency.differences.map((dealId) => `${sop.id}/${dealId}`));
      total.unread += answer.unread.length;
    }
    return total;
  }

  /** Stops everything; first checks `consistency()` while the worker still runs, and fails if any deal differs. */
  async stop(): Promise<void> {
    const consistency = this.worker.getState() === 'RUNNING' ? await this.consistency().catch((error: Error) => error) : null;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.stopWorker();
    await this.env.teardown();
    if (consistency instanceof Error) throw consistency;
    if (consistency && consistency.differences.length > 0) {
      throw new Error(`Replayed by the simulator, these deals fire other alerts than they fired: ${consistency.differences.join(', ')}`);
    }
  }
}

/** A small SOP with SLAs of seconds, for tests that wait out real time. */
export function quickSop(id = 'quick-sop', version = 1): Record<string, unknown> {
  return {
    id,
    version,
    name: 'Quick SOP',
    requestSla: { breachAfter: '3s' },
    stages: [
      {
        id: 'requirements',
        name: 'Requirements confirmed',
        deliverables: ['requirements-doc'],
        sla: { warnAfter: '2s', breachAfter: '4s' },
      },
      { id: 'pricing', name: 'Internal price comparison', skipWhen: { field: 'customer.tier', op: 'eq', value: 'A' } },
      { id: 'contract', name: 'Contract signed', deliverables: ['contract'] },
    ],
  };
}

export function dealBody(dealId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dealId,
    sopId: 'quick-sop',
    customer: { name: 'ACME', tier: 'B' },
    amount: 1_200_000,
    currency: 'CNY',
    team: { manager: 'mia' },
    ...overrides,
  };
}

/** A problem+json answer with this status and, if given, this `code`. */
export function expectProblem(reply: Reply, status: number, code?: string): void {
  expect({ status: reply.status, code: reply.body?.code }).toEqual({ status, code });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
}
