// The HTTP API against CONTRACT.md: auth matrix, every error code, idempotency, lists, OpenAPI.
import { execFileSync } from 'node:child_process';
import { dealBody, expectProblem, quickSop, TestService, type KeyName } from '../helpers/service';
import { eventually } from '../helpers/eventually';
import { LATEST_SOP_TTL_MS } from '../../api/sop-cache';
import { SopService } from '../../api/sop-service';

let service: TestService;
beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() })).status).toBe(201);
});
afterAll(async () => service?.stop());

let counter = 0;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

async function openDeal(as: KeyName = 'alice', overrides: Record<string, unknown> = {}): Promise<string> {
  const dealId = newId('deal');
  const reply = await service.call('POST', '/v1/deals', { as, body: dealBody(dealId, overrides) });
  expect(reply.status).toBe(201);
  return dealId;
}

const act = (dealId: string, body: unknown, as: KeyName = 'alice', headers?: Record<string, string>) =>
  service.call('POST', `/v1/deals/${dealId}/actions`, { as, body, headers });

describe('auth', () => {
  test.each([
    ['no header', {}],
    ['not Bearer', { authorization: 'Basic abc' }],
    ['an unknown token', { authorization: 'Bearer nope' }],
  ])('%s is 401 with WWW-Authenticate', async (_name, headers) => {
    const reply = await service.call('GET', '/v1/sops', { as: null, headers });
    expectProblem(reply, 401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
  });

  test.each<[KeyName, number]>([
    ['admin', 200],
    ['ops', 200],
    ['manager', 403],
    ['alice', 403],
    ['viewer', 403],
  ])('POST /v1/sops as %s: %i', async (as, status) => {
    const reply = await service.call('POST', '/v1/sops', { as, body: quickSop() });
    expect(reply.status).toBe(status);
  });

  test.each<KeyName>(['admin', 'ops', 'manager', 'alice', 'viewer'])('GET /v1/sops as %s: 200', async (as) => {
    expect((await service.call('GET', '/v1/sops', { as })).status).toBe(200);
  });

  test('creating deals: viewer 403, rep for another owner 403, rep owns its own, manager for anyone', async () => {
    expectProblem(await service.call('POST', '/v1/deals', { as: 'viewer', body: dealBody(newId('v')) }), 403, 'forbidden');
    expectProblem(await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('a'), { owner: 'bob' }) }), 403, 'forbidden');
    const own = await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('a')) });
    expect(own.body.owner).toBe('alice');
    const forBob = await service.call('POST', '/v1/deals', { as: 'manager', body: dealBody(newId('m'), { owner: 'bob' }) });
    expect([forBob.status, forBob.body.owner]).toEqual([201, 'bob']);
  });

  test("a rep never reads, acts on or sees the timeline of another rep's deal: 404 without the deal", async () => {
    const dealId = await openDeal('bob');
    for (const reply of [
      await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' }),
      await service.call('GET', `/v1/deals/${dealId}/timeline`, { as: 'alice' }),
      await act(dealId, { type: 'log_activity', kind: 'call' }, 'alice'),
    ]) {
      expectProblem(reply, 404);
      expect(JSON.stringify(reply.body)).not.toContain('"owner"');
    }
    expect((await service.call('GET', `/v1/deals/${dealId}`, { as: 'viewer' })).status).toBe(200);
    expect((await service.call('GET', `/v1/deals/${dealId}`, { as: 'manager' })).status).toBe(200);
  });

  test('acting: viewer 403, rep on its own deal 200, reassign by a rep 403 and by a manager 200', async () => {
    const dealId = await openDeal('alice');
    expectProblem(await act(dealId, { type: 'log_activity', kind: 'call' }, 'viewer'), 403, 'forbidden');
    expect((await act(dealId, { type: 'log_activity', kind: 'visit', note: 'on site' }, 'alice')).status).toBe(200);
    expectProblem(await act(dealId, { type: 'reassign', owner: 'bob' }, 'alice'), 403, 'forbidden');
    const reassigned = await act(dealId, { type: 'reassign', owner: 'bob' }, 'manager');
    expect([reassigned.status, reassigned.body.deal.owner]).toEqual([200, 'bob']);
  });

  test('a rep lists only its own deals, whatever owner it asks for', async () => {
    const bobs = await openDeal('bob');
    const alices = await openDeal('alice');
    const asAlice = await eventually(
      () => service.call('GET', '/v1/deals?owner=bob&pageSize=100', { as: 'alice' }),
      (reply) => reply.body.deals.some((d: any) => d.dealId === alices),
    );
    const ids = asAlice.body.deals.map((d: any) => d.dealId);
    expect(ids).toContain(alices);
    expect(ids).not.toContain(bobs);
    expect(asAlice.body.deals.every((d: any) => d.owner === 'alice')).toBe(true);
  });
});

describe('errors', () => {
  test('400 malformed JSON, 413 over 1 MiB, 404 unknown route and deal', async () => {
    expectProblem(await service.call('POST', '/v1/deals', { body: '{"dealId":' }), 400);
    expectProblem(await service.call('POST', '/v1/deals', { body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) }), 413);
    expectProblem(await service.call('GET', '/v1/nowhere'), 404);
    expectProblem(await service.call('GET', '/v1/deals/no-such-deal'), 404);
    expectProblem(await act('no-such-deal', { type: 'log_activity', kind: 'call' }, 'manager'), 404);
  });

  test('422 lists every problem of a request at once, with paths', async () => {
    const reply = await service.call('POST', '/v1/deals', {
      body: {
        dealId: 'bad id!',
        sopId: 'quick-sop',
        customer: { name: 'ACME', tier: 'Z' },
        amount: 'lots',
        currency: 'CNY',
        status: 'won',
      },
    });
    expectProblem(reply, 422, 'validation_failed');
    expect(reply.body.errors.map((e: any) => e.path).sort()).toEqual(['amount', 'customer.tier', 'dealId', 'status']);
  });

  test('422 unknown_sop, 409 deal_exists', async () => {
    expectProblem(await service.call('POST', '/v1/deals', { body: dealBody(newId('u'), { sopId: 'no-such-sop' }) }), 422, 'unknown_sop');
    expectProblem(await service.call('POST', '/v1/deals', { body: dealBody(newId('u'), { sopVersion: 99 }) }), 422, 'unknown_sop');
    const dealId = await openDeal();
    expectProblem(await service.call('POST', '/v1/deals', { body: dealBody(dealId) }), 409, 'deal_exists');
  });

  test('SOPs: 201 then 200 for the same content, 409 sop_version_conflict, 422 lint with every problem', async () => {
    const sop = quickSop(newId('sop').toLowerCase());
    expect((await service.call('POST', '/v1/sops', { as: 'ops', body: sop })).status).toBe(201);
    expect((await service.call('POST', '/v1/sops', { as: 'ops', body: sop })).status).toBe(200);
    expectProblem(await service.call('POST', '/v1/sops', { as: 'ops', body: { ...sop, name: 'Other' } }), 409, 'sop_version_conflict');
    const lint = await service.call('POST', '/v1/sops', {
      as: 'ops',
      body: {
        ...sop,
        version: 2,
        stages: [
          { id: 'a', name: 'A', sla: { warnAfter: '2d', breachAfter: '1d' } },
          { id: 'a', name: 'B' },
        ],
      },
    });
    expectProblem(lint, 422, 'validation_failed');
    expect(lint.body.errors.map((e: any) => e.path).sort()).toEqual(['stages.0.sla.warnAfter', 'stages.1.id']);
    expect((await service.call('GET', `/v1/sops/${sop.id}/versions/1`)).body).toMatchObject({ id: sop.id, version: 1 });
    expectProblem(await service.call('GET', `/v1/sops/${sop.id}/versions/2`), 404);
  });

  test('every rejection code of an action, and a refused action changes nothing', async () => {
    const dealId = await openDeal();
    const before = (await service.call('GET', `/v1/deals/${dealId}`)).body;
    expectProblem(await act(dealId, { type: 'complete_stage', stage: 'contract' }), 409, 'wrong_stage');
    expectProblem(await act(dealId, { type: 'complete_stage', stage: 'requirements' }), 409, 'missing_deliverables');
    expectProblem(await act(dealId, { type: 'complete_stage', stage: 'nope' }), 422, 'unknown_stage');
    expectProblem(
      await act(dealId, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'nope' }),
      422,
      'unknown_deliverable',
    );
    expectProblem(await act(dealId, { type: 'resume' }), 409, 'not_paused');
    expectProblem(await act(dealId, { type: 'answer_request', requestId: 'q1' }), 409, 'unknown_request');
    expectProblem(await act(dealId, { type: 'resolve_risk', riskId: 'r1' }), 409, 'unknown_risk');
    expectProblem(await act(dealId, { type: 'teleport' }), 422, 'validation_failed');
    expect((await service.call('GET', `/v1/deals/${dealId}`)).body).toEqual(before);

    expect((await act(dealId, { type: 'pause', reason: 'holiday' })).status).toBe(200);
    expectProblem(await act(dealId, { type: 'pause', reason: 'again' }), 409, 'already_paused');
    expect((await act(dealId, { type: 'open_request', requestId: 'q1' })).status).toBe(200);
    expectProblem(await act(dealId, { type: 'open_request', requestId: 'q1' }), 409, 'request_exists');
    expect((await act(dealId, { type: 'raise_risk', riskId: 'r1', summary: 'price war' })).status).toBe(200);
    expectProblem(await act(dealId, { type: 'raise_risk', riskId: 'r1', summary: 'again' }), 409, 'risk_exists');
    expect((await act(dealId, { type: 'mark_lost', reason: 'budget cut' })).status).toBe(200);
    expectProblem(await act(dealId, { type: 'log_activity', kind: 'call' }), 409, 'deal_closed');
  });
});

describe('idempotency', () => {
  test('POST /v1/deals retried with the same key and body gets 201 and the deal; another body is 422', async () => {
    const body = dealBody(newId('idem'));
    const headers = { 'idempotency-key': newId('key') };
    const first = await service.call('POST', '/v1/deals', { body, headers });
    const again = await service.call('POST', '/v1/deals', { body, headers });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.dealId).toBe(body.dealId);
    expectProblem(await service.call('POST', '/v1/deals', { body: { ...body, amount: 1 }, headers }), 422, 'idempotency_key_reused');
    expectProblem(
      await service.call('POST', '/v1/deals', { body, headers: { 'idempotency-key': 'x'.repeat(256) } }),
      422,
      'validation_failed',
    );
  });

  test('an action retried with the same key gets the identical answer and applies once', async () => {
    const dealId = await openDeal();
    const headers = { 'idempotency-key': 'retry-1' };
    const first = await act(dealId, { type: 'open_request', requestId: 'q1' }, 'alice', headers);
    await act(dealId, { type: 'log_activity', kind: 'call' });
    const again = await act(dealId, { type: 'open_request', requestId: 'q1' }, 'alice', headers);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    const events = (await service.call('GET', `/v1/deals/${dealId}/timeline`)).body.events;
    expect(events.filter((e: any) => e.type === 'request_opened')).toHaveLength(1);
    expectProblem(await act(dealId, { type: 'open_request', requestId: 'q2' }, 'alice', headers), 422, 'idempotency_key_reused');
  });
});

describe('reads and lists', () => {
  test("the 201 of POST /v1/deals is the deal's state as the workflow holds it, skipped stages and deadlines included", async () => {
    const sopId = newId('opened').toLowerCase();
    const sop = quickSop(sopId);
    const stages = sop.stages as Record<string, unknown>[];
    stages.unshift({ id: 'intro', name: 'Intro', skipWhen: { field: 'amount', op: 'gte', value: 1_000_000 } });
    expect((await service.call('POST', '/v1/sops', { as: 'ops', body: sop })).status).toBe(201);
    const dealId = newId('opened');
    const body = dealBody(dealId, { sopId, attributes: { industry: 'retail' } });
    const created = await service.call('POST', '/v1/deals', { as: 'alice', body });
    expect(created.status).toBe(201);
    expect(created.body.skipped).toEqual([{ stage: 'intro', rule: { field: 'amount', op: 'gte', value: 1_000_000 } }]);
    expect(created.body.stage).toMatchObject({ id: 'requirements', enteredAt: created.body.createdAt });
    expect(Date.parse(created.body.stage.breachAt) - Date.parse(created.body.createdAt)).toBe(4_000);
    const read = await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' });
    expect(read.body).toEqual(created.body);
  });

  test('a version published through another API replica is the latest here within about a second', async () => {
    const sopId = newId('replica').toLowerCase();
    expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop(sopId, 1) })).status).toBe(201);
    const open = async () =>
      (await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('r'), { sopId }) })).body.sop.version;
    expect(await open()).toBe(1);
    const otherReplica = new SopService(service.env.client, service.taskQueue, service.sops.registryId);
    const publishedAt = Date.now();
    await otherReplica.publish(quickSop(sopId, 2));
    expect(await eventually(open, (version) => version === 2, 5_000)).toBe(2);
    expect(Date.now() - publishedAt).toBeLessThan(LATEST_SOP_TTL_MS + 2_000);
  });

  test('a deal opened right after a publish gets the new version; a pinned sopVersion gets the one it names', async () => {
    const sopId = newId('versions').toLowerCase();
    expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop(sopId, 1) })).status).toBe(201);
    const first = await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('v1'), { sopId }) });
    expect(first.body.sop).toEqual({ id: sopId, version: 1 });
    expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop(sopId, 2) })).status).toBe(201);
    const latest = await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('v2'), { sopId }) });
    expect(latest.body.sop).toEqual({ id: sopId, version: 2 });
    const pinned = await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('p1'), { sopId, sopVersion: 1 }) });
    expect(pinned.body.sop).toEqual({ id: sopId, version: 1 });
    expectProblem(
      await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(newId('p3'), { sopId, sopVersion: 3 }) }),
      422,
      'unknown_sop',
    );
  });

  test('GET a deal has every field of the contract; the timeline is oldest first with the actor', async () => {
    const dealId = await openDeal('alice', { customer: { name: 'Big Co', tier: 'A' } });
    const deal = (await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' })).body;
    expect(Object.keys(deal).sort()).toEqual(
      [
        'dealId',
        'status',
        'sop',
        'owner',
        'team',
        'customer',
        'amount',
        'currency',
        'attributes',
        'health',
        'paused',
        // v2.4: null unless idle, or asked for a cause or a plan.
        'idleSince',
        'response',
        'stage',
        'skipped',
        'history',
        'requests',
        'risks',
        'revisions',
        'escalations',
        'createdAt',
        'closedAt',
      ].sort(),
    );
    await act(dealId, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' });
    const completed = await act(dealId, { type: 'complete_stage', stage: 'requirements' });
    expect(completed.body.deal.stage.id).toBe('contract');
    expect(completed.body.deal.skipped).toEqual([{ stage: 'pricing', rule: { field: 'customer.tier', op: 'eq', value: 'A' } }]);
    const events = (await service.call('GET', `/v1/deals/${dealId}/timeline`, { as: 'alice' })).body.events;
    expect(events.map((e: any) => e.at)).toEqual([...events.map((e: any) => e.at)].sort());
    expect(events[0]).toMatchObject({ type: 'deal_created', actor: 'alice', data: expect.any(Object) });
    expect(events.every((e: any) => typeof e.at === 'string' && new Date(e.at).toISOString() === e.at)).toBe(true);
  });

  test('every list filter, item fields and paging', async () => {
    const sopId = newId('list').toLowerCase();
    await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop(sopId) });
    const tierA = await openDeal('alice', { sopId, customer: { name: 'A Co', tier: 'A' } });
    const tierC = await openDeal('manager', { sopId, owner: 'bob', customer: { name: 'C Co', tier: 'C' } });
    const list = (query: string) =>
      service.call('GET', `/v1/deals?sopId=${sopId}&${query}`, { as: 'manager' }).then((r) => r.body.deals.map((d: any) => d.dealId));
    expect(
      (
        await eventually(
          () => list(''),
          (ids) => ids.length === 2,
        )
      ).sort(),
    ).toEqual([tierA, tierC].sort());
    expect(await list('tier=A')).toEqual([tierA]);
    expect(await list('owner=bob')).toEqual([tierC]);
    expect(await list('stage=requirements&status=open')).toHaveLength(2);
    expect(await list('status=won')).toEqual([]);
    expect(
      await eventually(
        () => list('health=red'),
        (ids) => ids.length === 2,
        20_000,
      ),
    ).toHaveLength(2);

    const page1 = (await service.call('GET', `/v1/deals?sopId=${sopId}&pageSize=1`, { as: 'manager' })).body;
    expect(page1.deals).toHaveLength(1);
    expect(typeof page1.nextPageToken).toBe('string');
    const page2 = (await service.call('GET', `/v1/deals?sopId=${sopId}&pageSize=1&pageToken=${page1.nextPageToken}`, { as: 'manager' }))
      .body;
    expect([page1.deals[0].dealId, page2.deals[0].dealId].sort()).toEqual([tierA, tierC].sort());
    expect(Object.keys(page1.deals[0]).sort()).toEqual(
      [
        'dealId',
        'sopId',
        'sopVersion',
        'status',
        'stage',
        'health',
        'owner',
        'customer',
        'amount',
        'currency',
        'stageEnteredAt',
        'nextDeadline',
        'pausedSince',
        'stagePausedMs',
        'idleSince',
        'response',
      ].sort(),
    );
    expectProblem(await service.call('GET', '/v1/deals?health=purple'), 422, 'validation_failed');
  });

  test('/v1/openapi.json is a valid OpenAPI 3.1 document that documents every route', async () => {
    const doc = (await service.call('GET', '/v1/openapi.json', { as: null })).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/v1/deals',
        '/v1/deals/{dealId}',
        '/v1/deals/{dealId}/actions',
        '/v1/deals/{dealId}/timeline',
        '/v1/sops',
        '/v1/sops/{id}',
        '/v1/sops/{id}/versions',
        '/v1/sops/{id}/versions/{version}',
        '/v1/sops/{id}/analytics',
        '/v1/sops/{id}/analytics/pace',
        '/v1/sops/{id}/migrations',
        '/v1/sops/{id}/simulations',
        '/v1/migrations/{migrationId}',
        '/v1/migrations/{migrationId}/cancel',
        '/v1/deals/{dealId}/alerts/{alertId}/redeliver',
        '/v1/deals/{dealId}/explain',
        '/v1/risks',
        '/v1/me',
        '/v1/alert-endpoints',
        '/v1/alert-endpoints/{id}',
        '/v1/alert-endpoints/{id}/rotate-secret',
        '/v1/alert-endpoints/{id}/test',
        '/v1/alert-endpoints/{id}/deliveries',
        '/v1/alert-endpoints/{id}/deliveries/{deliveryId}/redeliver',
        '/v1/deals/{dealId}/deliveries',
        '/v1/people',
        '/v1/people/{subject}',
      ].sort(),
    );
    // The validator is an ES module: run it in its own Node process.
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      let text = ''; for await (const chunk of process.stdin) text += chunk;
      const result = await new Validator().validate(JSON.parse(text));
      process.stdout.write(JSON.stringify(result));`;
    const result = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(doc), cwd: process.cwd() }).toString(),
    );
    expect(result).toMatchObject({ valid: true });
  });
});
