// With Temporal unreachable, every request that needs it is a 503 problem (never a 500) by the API's
// deadline (1 s here), and /readyz says so within its own 2 s.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { AlertEndpointService } from '../../api/alert-endpoint-service';
import { KeyedRegistryClient } from '../../api/keyed-registry-client';
import { PeopleService } from '../../api/people-service';
import { alertIds } from '../../workflows/alert-messages';
import { createApp } from '../../api/app';
import { AnalyticsService } from '../../api/analytics-service';
import { DealService } from '../../api/deal-service';
import { createReadiness } from '../../api/readiness';
import { MigrationService } from '../../api/migration-service';
import { RiskService } from '../../api/risk-service';
import { SimulationService } from '../../api/simulation-service';
import { SopService } from '../../api/sop-service';
import { apiConnectionOptions, DEADLINE_GRACE_MS } from '../../api/temporal-connection';
import { freePort } from '../helpers/ports';
import { KEYS, testCallers } from '../helpers/service';

/** The services' deadline here; the API's is 10 s. */
const DEADLINE_MS = 1_000;
/**
 * What the answer may take past the deadline. Without a bound on the SDK's gRPC retries a 1 s
 * deadline answered at ~1.8 s (a 2 s one at ~3.2 s, the API's 10 s at ~14.7 s): its backoff slept past it.
 */
const MARGIN_MS = DEADLINE_GRACE_MS + 250;

let server: Server;
let connection: Connection;
let url: string;
beforeAll(async () => {
  // Nothing listens on this port: the connection is lazy, so each call fails as Temporal being down.
  // The options serveApi connects with.
  connection = Connection.lazy(apiConnectionOptions(`127.0.0.1:${await freePort()}`));
  const client = new Client({ connection });
  const sops = new SopService(client, 'q', 'sop-registry', DEADLINE_MS);
  const deals = new DealService(client, sops, 'q', 'default', DEADLINE_MS);
  const { app } = createApp({
    services: {
      sops,
      deals,
      migrations: new MigrationService(client, sops, 'q', DEADLINE_MS),
      simulations: new SimulationService(client, 'default', sops, deals, DEADLINE_MS),
      risks: new RiskService(deals),
      people: new PeopleService(new KeyedRegistryClient(client, 'q', 'people-directory', DEADLINE_MS)),
      endpoints: new AlertEndpointService({
        client,
        taskQueue: 'q',
        registry: new KeyedRegistryClient(client, 'q', 'alert-endpoints', DEADLINE_MS),
        ids: alertIds(),
        defaultUrl: null,
        retryForMs: 60_000,
        timeoutMs: DEADLINE_MS,
      }),
    },
    analytics: new AnalyticsService(client, sops, deals, Date.now, DEADLINE_MS),
    callers: testCallers(),
    rateLimit: 100_000,
    readiness: createReadiness({ client, namespace: 'default', taskQueue: 'q', sopsPublished: () => true }),
    onUnexpectedError: () => undefined,
  });
  server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await connection.close();
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEYS.admin.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

test.each([
  ['GET', '/v1/deals/acme-1', undefined],
  ['GET', '/v1/deals', undefined],
  ['GET', '/v1/sops', undefined],
  ['GET', '/v1/sops/quick-sop/analytics', undefined],
  ['GET', '/v1/sops/quick-sop/analytics/pace', undefined],
  ['POST', '/v1/deals/acme-1/actions', { type: 'log_activity', kind: 'call' }],
  ['POST', '/v1/deals', { dealId: 'x', sopId: 'quick-sop', customer: { name: 'A', tier: 'A' }, amount: 1, currency: 'CNY' }],
])('%s %s is 503 problem+json with Retry-After, within the 1 s deadline', async (method, path, body) => {
  const started = Date.now();
  const response = await call(method, path, body);
  expect(Date.now() - started).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(response.headers.get('retry-after')).toBe('5');
  expect(await response.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
});

test('/readyz is 503 and names Temporal within its 2 s; /healthz stays 200', async () => {
  const started = Date.now();
  const ready = await fetch(`${url}/readyz`);
  expect(Date.now() - started).toBeLessThan(2_000 + MARGIN_MS);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ ready: false, checks: { temporal: false, worker: false } });
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
});

test("the connection's retries end by the call's deadline: a raw gRPC call under 2 s fails by then, not at ~3.2 s", async () => {
  const client = new Client({ connection });
  const started = Date.now();
  const call = client.withDeadline(started + 2_000, () => client.workflowService.getSystemInfo({}));
  await expect(call).rejects.toMatchObject({ code: expect.any(Number) });
  expect(Date.now() - started).toBeLessThan(2_000 + 150);
});
