// `CONTRACT.md` v2.3 through the API on a real dev server: alert endpoints (create, read, change,
// delete, rotate, test, deliveries), the people directory, and who may do what. What reaches each
// tool is in `alert-delivery.test.ts`.
import { expectProblem, TestService, type KeyName } from '../helpers/service';

let service: TestService;
beforeAll(async () => {
  service = await TestService.start();
});
afterAll(() => service?.stop());

const create = (body: unknown, as: KeyName = 'ops') => service.call('POST', '/v1/alert-endpoints', { as, body });
const errorsOf = (reply: { body: { errors?: Array<{ path: string }> } }) => (reply.body.errors ?? []).map((e) => e.path);

describe('alert endpoints', () => {
  test('a standard endpoint gets a signing secret shown once; reads never show it', async () => {
    const created = await create({ url: 'https://hooks.example.com/alerts', description: 'Leadership', tiers: ['A'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^ep_/),
      format: 'standard',
      description: 'Leadership',
      events: null,
      sopIds: null,
      tiers: ['A'],
      enabled: true,
      secretSet: true,
      signingSecret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
    });
    const { id, signingSecret } = created.body;
    const one = await service.call('GET', `/v1/alert-endpoints/${id}`, { as: 'admin' });
    const all = await service.call('GET', '/v1/alert-endpoints', { as: 'ops' });
    expect(one.status).toBe(200);
    expect(all.body.endpoints.map((e: { id: string }) => e.id)).toContain(id);
    for (const reply of [one, all]) {
      expect(JSON.stringify(reply.body)).not.toContain(signingSecret);
      expect(JSON.stringify(reply.body)).not.toContain('signingSecret');
    }
  });

  test('bad input is 422 with the path, and nothing is created', async () => {
    const before = (await service.call('GET', '/v1/alert-endpoints')).body.endpoints.length;
    const cases: Array<[unknown, string]> = [
      [{ url: 'ftp://example.com/x' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'https://example.com', format: 'telegram' }, 'format'],
      [{ url: 'https://example.com', format: 'pagerduty' }, 'routingKey'],
      [{ url: 'https://example.com', events: ['deal.sla.breached', 'deal.exploded'] }, 'events.1'],
      [{ url: 'https://example.com', secret: 'mine' }, 'secret'],
      [{ url: 'https://example.com', tiers: ['Z'] }, 'tiers.0'],
      [{ format: 'slack' }, 'url'],
    ];
    for (const [body, path] of cases) {
      const reply = await create(body);
      expectProblem(reply, 422, 'validation_failed');
      expect(errorsOf(reply)).toEqual([path]);
    }
    expect((await service.call('GET', '/v1/alert-endpoints')).body.endpoints).toHaveLength(before);
  });

  test('secrets of bots and routing keys are kept, never answered', async () => {
    const feishu = await create({ url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc', format: 'feishu', secret: 'f3ishu-s3cret' });
    const pd = await create({
      url: 'https://events.pagerduty.com/v2/enqueue',
      format: 'pagerduty',
      routingKey: 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12',
    });
    expect(feishu.status).toBe(201);
    expect(pd.status).toBe(201);
    expect(feishu.body).toMatchObject({ secretSet: true });
    expect(pd.body).toMatchObject({ routingKeySet: true });
    const listed = JSON.stringify((await service.call('GET', '/v1/alert-endpoints')).body);
    for (const text of [JSON.stringify(feishu.body), JSON.stringify(pd.body), listed]) {
      expect(text).not.toContain('f3ishu-s3cret');
      expect(text).not.toContain('R0UT1NGKEY');
    }
  });

  test('PATCH changes what it names, null clears a filter, bad changes are 422 and change nothing', async () => {
    const { id } = (await create({ url: 'https://hooks.example.com/a', tiers: ['A'], events: ['deal.sla.breached'] })).body;
    const changed = await service.call('PATCH', `/v1/alert-endpoints/${id}`, {
      body: { tiers: null, enabled: false, description: 'All tiers' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ tiers: null, enabled: false, description: 'All tiers', events: ['deal.sla.breached'] });
    const bad = await service.call('PATCH', `/v1/alert-endpoints/${id}`, { body: { format: 'pagerduty' } });
    expectProblem(bad, 422, 'validation_failed');
    expect(errorsOf(bad)).toEqual(['routingKey']);
    const stray = await service.call('PATCH', `/v1/alert-endpoints/${id}`, { body: { routingKey: 'R0UT1NGKEY' } });
    expectProblem(stray, 422, 'validation_failed');
    expect(errorsOf(stray)).toEqual(['routingKey']);
    expect((await service.call('GET', `/v1/alert-endpoints/${id}`)).body).toMatchObject({
      format: 'standard',
      enabled: false,
      routingKeySet: false,
    });
  });

  test('rotate-secret answers a new secret and when the old one stops signing; only standard endpoints rotate', async () => {
    const { id, signingSecret } = (await create({ url: 'https://hooks.example.com/r' })).body;
    const rotated = await service.call('POST', `/v1/alert-endpoints/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.signingSecret).toMatch(/^whsec_/);
    expect(rotated.body.signingSecret).not.toBe(signingSecret);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt) - Date.now();
    expect(expires).toBeGreaterThan(23.9 * 3_600_000);
    expect(expires).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await service.call('GET', `/v1/alert-endpoints/${id}`)).body.previousSecretExpiresAt).toBe(
      rotated.body.previousSecretExpiresAt,
    );
    const slack = (await create({ url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' })).body;
    expectProblem(await service.call('POST', `/v1/alert-endpoints/${slack.id}/rotate-secret`), 409, 'not_rotatable');
  });

  test('DELETE removes the endpoint; an unknown one is 404 unknown_endpoint', async () => {
    const { id } = (await create({ url: 'https://hooks.example.com/d' })).body;
    expect((await service.call('DELETE', `/v1/alert-endpoints/${id}`)).status).toBe(204);
    expectProblem(await service.call('GET', `/v1/alert-endpoints/${id}`), 404, 'unknown_endpoint');
    expectProblem(await service.call('DELETE', `/v1/alert-endpoints/${id}`), 404, 'unknown_endpoint');
    expectProblem(await service.call('GET', '/v1/alert-endpoints/ep_nothere/deliveries'), 404, 'unknown_endpoint');
    expectProblem(await service.call('GET', '/v1/alert-endpoints/not-an-id'), 422, 'validation_failed');
  });

  test('nobody below ops may read or change endpoints', async () => {
    const { id } = (await create({ url: 'https://hooks.example.com/roles' })).body;
    for (const as of ['manager', 'alice', 'viewer'] as const) {
      expectProblem(await create({ url: 'https://hooks.example.com/x' }, as), 403, 'forbidden');
      expectProblem(await service.call('GET', '/v1/alert-endpoints', { as }), 403, 'forbidden');
      expectProblem(await service.call('GET', `/v1/alert-endpoints/${id}`, { as }), 403, 'forbidden');
      expectProblem(await service.call('PATCH', `/v1/alert-endpoints/${id}`, { as, body: { enabled: false } }), 403, 'forbidden');
      expectProblem(await service.call('POST', `/v1/alert-endpoints/${id}/rotate-secret`, { as }), 403, 'forbidden');
      expectProblem(await service.call('GET', `/v1/alert-endpoints/${id}/deliveries`, { as }), 403, 'forbidden');
      expectProblem(await service.call('DELETE', `/v1/alert-endpoints/${id}`, { as }), 403, 'forbidden');
    }
    expectProblem(await service.call('GET', '/v1/alert-endpoints', { as: null }), 401);
  });
});

describe('the people directory', () => {
  test('PUT adds (201) then replaces (200); GET lists and reads; DELETE removes', async () => {
    const added = await service.call('PUT', '/v1/people/mia', {
      as: 'ops',
      body: { name: 'Mia Chen', manager: 'ivan', wecom: 'chen.mia' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ subject: 'mia', name: 'Mia Chen', manager: 'ivan', wecom: 'chen.mia' });
    const replaced = await service.call('PUT', '/v1/people/mia', { as: 'admin', body: { name: 'Mia Chen', manager: 'vera' } });
    expect(replaced.status).toBe(200);
    expect((await service.call('GET', '/v1/people/mia', { as: 'manager' })).body).toEqual({
      subject: 'mia',
      name: 'Mia Chen',
      manager: 'vera',
    });
    expect((await service.call('GET', '/v1/people', { as: 'manager' })).body.people).toContainEqual({
      subject: 'mia',
      name: 'Mia Chen',
      manager: 'vera',
    });
    expect((await service.call('DELETE', '/v1/people/mia', { as: 'ops' })).status).toBe(204);
    expectProblem(await service.call('GET', '/v1/people/mia'), 404);
  });

  test('bad entries are 422 with the path; reps and viewers may not read or change it', async () => {
    const unknown = await service.call('PUT', '/v1/people/ivan', { body: { name: 'Ivan', boss: 'vera' } });
    expectProblem(unknown, 422, 'validation_failed');
    expect(errorsOf(unknown)).toEqual(['boss']);
    const self = await service.call('PUT', '/v1/people/ivan', { body: { manager: 'ivan' } });
    expectProblem(self, 422, 'validation_failed');
    expect(errorsOf(self)).toEqual(['manager']);
    expectProblem(await service.call('PUT', '/v1/people/bad%20subject', { body: {} }), 422, 'validation_failed');
    for (const as of ['alice', 'viewer'] as const) {
      expectProblem(await service.call('GET', '/v1/people', { as }), 403, 'forbidden');
      expectProblem(await service.call('PUT', '/v1/people/ivan', { as, body: { name: 'Ivan' } }), 403, 'forbidden');
    }
    expectProblem(await service.call('PUT', '/v1/people/ivan', { as: 'manager', body: { name: 'Ivan' } }), 403, 'forbidden');
  });
});
