// With Temporal unreachable, every request that needs it is a 503 problem (never a 500), and /readyz says so.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { AnalyticsService } from '../../api/analytics-service';
import { DealService } from '../../api/deal-service';
import { createReadiness } from '../../api/readiness';
import { SopService } from '../../api/sop-service';
import { freePort } from '../helpers/ports';
import { KEYS } from '../helpers/service';

let server: Server;
let connection: Connection;
let url: string;
beforeAll(async () => {
  // Nothing listens on this port: the connection is lazy, so each call fails as Temporal being down.
  connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  const client = new Client({ connection });
  const sops = new SopService(client, 'q', 'sop-registry', 1_000);
  const deals = new DealService(client, sops, 'q', 'default', 1_000);
  const { app } = createApp({
    services: { sops, deals },
    analytics: new AnalyticsService(client, sops, deals, Date.now, 1_000),
    apiKeys: Object.values(KEYS),
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
])('%s %s is 503 problem+json with Retry-After', async (method, path, body) => {
  const response = await call(method, path, body);
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(response.headers.get('retry-after')).toBe('5');
  expect(await response.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
});

test('/readyz is 503 and names Temporal; /healthz stays 200', async () => {
  const ready = await fetch(`${url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ ready: false, checks: { temporal: false, worker: false } });
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
});
