// Hardening of the HTTP API beyond the contract tests: requests that used to reach Temporal and fail
// there slowly (odd list filters, forged page tokens), role checks that ran after validation, the
// OpenAPI document's 403s, and the scope of an Idempotency-Key.
import { PERMISSIONS } from '../../domain';
import { routes } from '../../api/routes';
import { dealBody, expectProblem, quickSop, TestService, type KeyName, type Reply } from '../helpers/service';
import { eventually } from '../helpers/eventually';

let service: TestService;
beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() })).status).toBe(201);
});
afterAll(async () => service?.stop());

let counter = 0;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** Well inside the API's 10 s Temporal deadline: the answer came without waiting on Temporal. */
const FAST_MS = 2_000;

async function timed<T>(call: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const value = await call();
  return [value, Date.now() - started];
}

async function openDeal(as: KeyName = 'alice', overrides: Record<string, unknown> = {}): Promise<string> {
  const dealId = newId('deal');
  const reply = await service.call('POST', '/v1/deals', { as, body: dealBody(dealId, overrides) });
  expect(reply.status).toBe(201);
  return dealId;
}

const act = (dealId: string, body: unknown, as: KeyName = 'alice', headers?: Record<string, string>) =>
  service.call('POST', `/v1/deals/${dealId}/actions`, { as, body, headers });

describe('list filters take only values a deal can hold', () => {
  test.each([
    ['owner', '%00'],
    ['owner', 'alice%00'],
    ['owner', "x'%20OR%20'1'%3D'1"],
    ['owner', 'a%20b'],
    ['owner', 'x'.repeat(129)],
    ['stage', '%00'],
    ['stage', 'Requirements'],
    ['stage', 'a%0Ab'],
    ['sopId', '%00'],
    ['sopId', 'quick_sop'],
    ['sopId', 'q'],
  ])('%s=%s is 422 at once, naming the parameter', async (name, value) => {
    const [reply, ms] = await timed(() => service.call('GET', `/v1/deals?${name}=${value}`, { as: 'manager' }));
    expectProblem(reply, 422, 'validation_failed');
    expect(reply.body.errors.map((e: { path: string }) => e.path)).toEqual([`query.${name}`]);
    expect(ms).toBeLessThan(FAST_MS);
  });

  test('every value a deal can hold is still accepted', async () => {
    const reply = await service.call('GET', '/v1/deals?owner=alice.smith%40example.com&stage=requirements&sopId=quick-sop', {
      as: 'manager',
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ deals: expect.any(Array), nextPageToken: null });
  });
});

describe('page tokens', () => {
  const expectTokenRefused = (reply: Reply, ms: number) => {
    expectProblem(reply, 422, 'validation_failed');
    expect(reply.body.errors).toEqual([{ path: 'query.pageToken', message: expect.stringMatching(/page token/) }]);
    expect(ms).toBeLessThan(FAST_MS);
  };

  test.each(['AAAA', 'AAAA.AAAAAAAAAAAAAAAA', 'AAAA.AAAAAAAAAAAAAAAA.AAAA', '.AAAAAAAAAAAAAAAA', 'AAAA.short'])(
    'a token this API did not issue (%s) is 422 at once, never sent to Temporal',
    async (token) => {
      const [reply, ms] = await timed(() => service.call('GET', `/v1/deals?pageToken=${token}`, { as: 'manager' }));
      expectTokenRefused(reply, ms);
    },
  );

  test('a token pages only the list it was issued for: other filters, another rep, or a changed byte are 422', async () => {
    const sopId = newId('paging').toLowerCase();
    expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop(sopId) })).status).toBe(201);
    const dealIds = [await openDeal('alice', { sopId }), await openDeal('alice', { sopId })];
    const page = (query: string, as: KeyName = 'manager') => timed(() => service.call('GET', `/v1/deals?${query}`, { as }));
    await eventually(
      () => page(`sopId=${sopId}`).then(([reply]) => reply.body.deals.length),
      (count) => count === 2,
    );

    const [first] = await page(`sopId=${sopId}&pageSize=1`);
    const token: string = first.body.nextPageToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
    const [second] = await page(`sopId=${sopId}&pageSize=1&pageToken=${token}`);
    expect(second.status).toBe(200);
    expect([first.body.deals[0].dealId, second.body.deals[0].dealId].sort()).toEqual([...dealIds].sort());

    expectTokenRefused(...(await page(`sopId=${sopId}&tier=B&pageSize=1&pageToken=${token}`)));
    expectTokenRefused(...(await page(`sopId=quick-sop&pageSize=1&pageToken=${token}`)));
    expectTokenRefused(...(await page(`pageSize=1&pageToken=${token}`)));
    // Alice's list is her own deals only: the manager's token is not a token for it.
    expectTokenRefused(...(await page(`sopId=${sopId}&pageSize=1&pageToken=${token}`, 'alice')));
    const [raw, sum] = token.split('.');
    const flipped = `${raw.slice(0, -1)}${raw.endsWith('A') ? 'B' : 'A'}.${sum}`;
    expectTokenRefused(...(await page(`sopId=${sopId}&pageSize=1&pageToken=${flipped}`)));
  });

  test('an empty pageToken is the first page', async () => {
    expect((await service.call('GET', '/v1/deals?pageToken=&pageSize=1', { as: 'manager' })).status).toBe(200);
  });
});

describe('a role that may never do a thing gets 403 before its request is validated', () => {
  test.each<[string, KeyName, unknown]>([
    ['/v1/sops', 'viewer', { id: 'x' }],
    ['/v1/sops', 'manager', { stages: 'none' }],
    ['/v1/sops', 'alice', {}],
    ['/v1/deals', 'viewer', { dealId: 'bad id!', amount: 'lots' }],
    ['/v1/deals/any-deal/actions', 'viewer', { type: 'teleport' }],
    ['/v1/deals/bad%20id!/actions', 'viewer', {}],
  ])('POST %s as %s with an invalid request: 403', async (path, as, body) => {
    const reply = await service.call('POST', path, { as, body });
    expectProblem(reply, 403, 'forbidden');
    expect(reply.body.errors).toBeUndefined();
  });

  test('a role that may do it still gets 422 for an invalid request', async () => {
    expectProblem(await service.call('POST', '/v1/sops', { as: 'ops', body: { id: 'x' } }), 422, 'validation_failed');
    expectProblem(await service.call('POST', '/v1/deals', { as: 'alice', body: { dealId: 'bad id!' } }), 422, 'validation_failed');
    expectProblem(await act('any-deal', { type: 'teleport' }, 'alice'), 422, 'validation_failed');
  });

  test('the checks that need the request still run: a rep opening a deal for another owner, a rep reassigning', async () => {
    expectProblem(await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('a'), { owner: 'bob' }) }), 403, 'forbidden');
    expectProblem(await act(await openDeal('alice'), { type: 'reassign', owner: 'bob' }, 'alice'), 403, 'forbidden');
  });
});

describe('OpenAPI lists 403 wherever a role can be refused', () => {
  // The route objects only close over their services; none is called here.
  const apiRoutes = routes({
    deals: {} as never,
    sops: {} as never,
    migrations: {} as never,
    simulations: {} as never,
    risks: {} as never,
    people: {} as never,
    endpoints: {} as never,
  });
  let doc: any;
  beforeAll(async () => {
    doc = (await service.call('GET', '/v1/openapi.json', { as: null })).body;
  });
  const operation = (method: string, path: string) => doc.paths[path.replace(/:([A-Za-z]+)/g, '{$1}')][method];

  test('POST /v1/sops documents its 403 as a problem', () => {
    expect(operation('post', '/v1/sops').responses['403']).toEqual({
      description: expect.any(String),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
  });

  test('every route with a role check, and every POST (each is some role\u2019s 403 in the contract), lists 403', () => {
    const gated = apiRoutes.filter((route) => route.allow || route.method === 'post');
    expect(gated.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      [
        'post /v1/deals',
        'post /v1/deals/:dealId/actions',
        'post /v1/sops',
        'post /v1/sops/:id/migrations',
        'post /v1/sops/:id/simulations',
        'get /v1/migrations/:migrationId',
        'post /v1/migrations/:migrationId/cancel',
        'post /v1/deals/:dealId/alerts/:alertId/redeliver',
        'post /v1/alert-endpoints',
        'get /v1/alert-endpoints',
        'get /v1/alert-endpoints/:id',
        'patch /v1/alert-endpoints/:id',
        'delete /v1/alert-endpoints/:id',
        'post /v1/alert-endpoints/:id/rotate-secret',
        'post /v1/alert-endpoints/:id/test',
        'get /v1/alert-endpoints/:id/deliveries',
        'post /v1/alert-endpoints/:id/deliveries/:deliveryId/redeliver',
        'get /v1/deals/:dealId/deliveries',
        'put /v1/people/:subject',
        'get /v1/people',
        'get /v1/people/:subject',
        'delete /v1/people/:subject',
      ].sort(),
    );
    const missing = gated.filter((route) => !operation(route.method, route.path).responses['403']);
    expect(missing.map((route) => `${route.method} ${route.path}`)).toEqual([]);
  });

  test("each route's role check refuses exactly the roles the contract's table refuses", () => {
    // Migrations (v2.1): started and cancelled by admin and ops (who publish SOPs), followed by managers too (who reassign).
    // What-ifs (v2.2): admin, ops and managers, as the contract says (the roles that reassign).
    const permission: Record<string, keyof (typeof PERMISSIONS)['admin']> = {
      'post /v1/sops': 'publishSops',
      'post /v1/deals': 'createDeals',
      'post /v1/deals/:dealId/actions': 'act',
      'post /v1/sops/:id/migrations': 'publishSops',
      'post /v1/sops/:id/simulations': 'reassign',
      'post /v1/migrations/:migrationId/cancel': 'publishSops',
      'get /v1/migrations/:migrationId': 'reassign',
      'post /v1/deals/:dealId/alerts/:alertId/redeliver': 'publishSops',
      // Alert endpoints and the people directory (v2.3): admin and ops; managers may read the directory.
      'post /v1/alert-endpoints': 'publishSops',
      'get /v1/alert-endpoints': 'publishSops',
      'get /v1/alert-endpoints/:id': 'publishSops',
      'patch /v1/alert-endpoints/:id': 'publishSops',
      'delete /v1/alert-endpoints/:id': 'publishSops',
      'post /v1/alert-endpoints/:id/rotate-secret': 'publishSops',
      'post /v1/alert-endpoints/:id/test': 'publishSops',
      'get /v1/alert-endpoints/:id/deliveries': 'publishSops',
      'post /v1/alert-endpoints/:id/deliveries/:deliveryId/redeliver': 'publishSops',
      'get /v1/deals/:dealId/deliveries': 'publishSops',
      'put /v1/people/:subject': 'publishSops',
      'get /v1/people': 'reassign',
      'get /v1/people/:subject': 'reassign',
      'delete /v1/people/:subject': 'publishSops',
    };
    const checked = apiRoutes.filter((route) => route.allow);
    expect(checked.map((route) => `${route.method} ${route.path}`).sort()).toEqual(Object.keys(permission).sort());
    for (const route of checked) {
      const key = `${route.method} ${route.path}`;
      for (const [role, row] of Object.entries(PERMISSIONS)) {
        const refusal = route.allow?.({ role: role as keyof typeof PERMISSIONS, subject: 'someone' }) ?? null;
        expect({ route: key, role, refused: refusal !== null }).toEqual({ route: key, role, refused: !row[permission[key]] });
      }
      expect(route.allow?.({ role: 'system', subject: 'system' })).toBeNull();
    }
  });
});

describe('Idempotency-Key scope: the caller and the deal', () => {
  test('one caller reusing a key on two deals makes two requests, each replayed on its own deal', async () => {
    const [dealA, dealB] = [await openDeal('alice'), await openDeal('alice')];
    const headers = { 'idempotency-key': newId('shared') };
    const onA = await act(dealA, { type: 'open_request', requestId: 'q1' }, 'alice', headers);
    const onB = await act(dealB, { type: 'log_activity', kind: 'call' }, 'alice', headers);
    expect([onA.status, onB.status]).toEqual([200, 200]);
    expect(onB.body.deal.dealId).toBe(dealB);
    expect(onB.body.deal.requests).toEqual([]);

    const againA = await act(dealA, { type: 'open_request', requestId: 'q1' }, 'alice', headers);
    const againB = await act(dealB, { type: 'log_activity', kind: 'call' }, 'alice', headers);
    expect([againA.body, againB.body]).toEqual([onA.body, onB.body]);
    const events = async (dealId: string) =>
      (await service.call('GET', `/v1/deals/${dealId}/timeline`)).body.events.map((e: { type: string }) => e.type);
    expect((await events(dealA)).filter((type: string) => type === 'request_opened')).toHaveLength(1);
    expect((await events(dealB)).filter((type: string) => type === 'activity_logged')).toHaveLength(1);
    // On the same deal the key is still bound to its first body.
    expectProblem(await act(dealB, { type: 'log_activity', kind: 'email' }, 'alice', headers), 422, 'idempotency_key_reused');
  });

  test("another caller's same key on the same deal is a request of its own", async () => {
    const dealId = await openDeal('alice');
    const headers = { 'idempotency-key': newId('mine') };
    expect((await act(dealId, { type: 'log_activity', kind: 'call' }, 'alice', headers)).status).toBe(200);
    const managers = await act(dealId, { type: 'log_activity', kind: 'demo' }, 'manager', headers);
    expect(managers.status).toBe(200);
  });

  test('POST /v1/deals: one key on two dealIds opens two deals', async () => {
    const headers = { 'idempotency-key': newId('create') };
    const first = await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('k')), headers });
    const second = await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('k')), headers });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.dealId).not.toBe(second.body.dealId);
  });
});

describe('Idempotency-Key on a refused action', () => {
  test('a retry gets the first refusal again, status and body, even after the deal has moved on', async () => {
    const dealId = await openDeal('alice');
    const headers = { 'idempotency-key': newId('refused') };
    const complete = { type: 'complete_stage', stage: 'requirements' };
    const first = await act(dealId, complete, 'alice', headers);
    expectProblem(first, 409, 'missing_deliverables');
    // The refusal's reason goes away: a fresh request would now be accepted...
    expect(
      (await act(dealId, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' }, 'alice')).status,
    ).toBe(200);
    // ...but the retry is the same request, and gets the same answer.
    const retry = await act(dealId, complete, 'alice', headers);
    expect([retry.status, retry.body]).toEqual([first.status, first.body]);
    expect((await service.call('GET', `/v1/deals/${dealId}`)).body.stage.id).toBe('requirements');
    // Another body under the same key is still a conflict; a new key is a new request.
    expectProblem(
      await act(dealId, { type: 'complete_stage', stage: 'requirements', note: 'x' }, 'alice', headers),
      422,
      'idempotency_key_reused',
    );
    expect((await act(dealId, complete, 'alice', { 'idempotency-key': newId('fresh') })).status).toBe(200);
  });
});
