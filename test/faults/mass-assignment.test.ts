// Mass assignment and limits: fields a client must not set, in every request body, are 422 and
// never reach a deal; bodies nested 10,000 deep or over 1 MB are refused at once as problem+json.
import { dealBody, faultSop } from './helpers/deals';
import { call } from './helpers/http';
import { ServiceProcess } from './helpers/service-process';

let service: ServiceProcess;
beforeAll(async () => {
  service = await ServiceProcess.create({ sops: [faultSop()] });
  await service.startAll();
}, 300_000);
afterAll(async () => service?.stop());

const PRIVILEGED: Record<string, unknown> = {
  status: 'won',
  health: 'green',
  escalations: [],
  alerts: [],
  history: [],
  paused: true,
  closedAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  revisions: { requirements: 9 },
  role: 'admin',
  actor: { subject: 'root', role: 'admin' },
  idempotencyKey: 'x',
  constructor: { prototype: { isAdmin: true } },
  prototype: { isAdmin: true },
};

/** A JSON text with one extra key, `__proto__` included (JSON.stringify would drop it). */
function withKey(body: Record<string, unknown>, key: string, value: unknown): string {
  return `${JSON.stringify(body).slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}

const ACTIONS: Array<Record<string, unknown>> = [
  { type: 'submit_deliverable', stage: 'requirements', deliverable: 'doc' },
  { type: 'complete_stage', stage: 'requirements' },
  { type: 'log_activity', kind: 'call' },
  { type: 'open_request', requestId: 'q1' },
  { type: 'answer_request', requestId: 'q1' },
  { type: 'request_revision', stage: 'requirements', reason: 'scope' },
  { type: 'pause', reason: 'holiday' },
  { type: 'resume' },
  { type: 'reassign', owner: 'bob' },
  { type: 'update_deal', amount: 5 },
  { type: 'raise_risk', riskId: 'r1', summary: 'price' },
  { type: 'resolve_risk', riskId: 'r1' },
  { type: 'mark_lost', reason: 'budget' },
];

test('privileged and unknown fields in every body are 422 and change nothing', async () => {
  const dealId = 'mass-target';
  expect((await call(service.apiUrl, 'POST', '/v1/deals', { body: dealBody(dealId) })).status).toBe(201);
  const before = (await call(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body;
  const timelineBefore = (await call(service.apiUrl, 'GET', `/v1/deals/${dealId}/timeline`)).body.events.length;

  const attempts: Array<{ route: string; body: string }> = [];
  const keys = [...Object.keys(PRIVILEGED), '__proto__'];
  for (const key of keys) {
    const value = key === '__proto__' ? { status: 'won', isAdmin: true } : PRIVILEGED[key];
    attempts.push({ route: '/v1/deals', body: withKey(dealBody(`mass-${key.replace(/_/g, 'u')}`), key, value) });
    attempts.push({
      route: '/v1/deals',
      body: JSON.stringify(dealBody(`mass-c-${key.replace(/_/g, 'u')}`)).replace(
        '"customer":{',
        `"customer":{${JSON.stringify(key)}:${JSON.stringify(value)},`,
      ),
    });
    attempts.push({ route: '/v1/sops', body: withKey({ ...faultSop('mass-sop'), version: 2 }, key, value) });
    for (const action of ACTIONS) attempts.push({ route: `/v1/deals/${dealId}/actions`, body: withKey(action, key, value) });
  }
  const answers = await Promise.all(
    attempts.map(async (attempt) => ({ ...attempt, answer: await call(service.apiUrl, 'POST', attempt.route, { body: attempt.body }) })),
  );
  const accepted = answers.filter(({ answer }) => answer.status !== 422 || !answer.contentType.startsWith('application/problem+json'));
  console.log(
    `mass assignment: ${answers.length} bodies with ${keys.length} privileged keys, ${answers.length - accepted.length} refused with 422`,
  );
  expect(accepted.map(({ route, body, answer }) => `${route} ${body} -> ${answer.status} ${answer.text.slice(0, 200)}`)).toEqual([]);

  const after = (await call(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body;
  expect({ ...after, health: null }).toEqual({ ...before, health: null });
  expect(after.status).toBe('open');
  expect((await call(service.apiUrl, 'GET', `/v1/deals/${dealId}/timeline`)).body.events.length).toBe(timelineBefore);
  const listed = (await call(service.apiUrl, 'GET', '/v1/deals?pageSize=100')).body.deals.map((d: any) => d.dealId);
  expect(listed.filter((id: string) => id !== dealId)).toEqual([]);
  expect((await call(service.apiUrl, 'GET', '/v1/sops/mass-sop')).status).toBe(404);
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
});

test.each([
  [
    'nested 10,000 deep',
    () => withKey(dealBody('deep'), 'attributes', null).replace('null', `${'['.repeat(10_000)}${']'.repeat(10_000)}`),
    [400, 422],
  ],
  [
    'nested 10,000 deep in objects',
    () => withKey(dealBody('deep2'), 'attributes', null).replace('null', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
    [400, 422],
  ],
  ['over 1 MB', () => withKey(dealBody('huge'), 'attributes', { note: 'x'.repeat(1_100_000) }), [413]],
  ['over 1 MB of actions', () => JSON.stringify({ type: 'log_activity', kind: 'call', note: 'x'.repeat(1_100_000) }), [413]],
])('a body %s is refused in under a second with problem+json', async (_what, body, statuses) => {
  for (const route of ['/v1/deals', '/v1/deals/mass-target/actions', '/v1/sops']) {
    const answer = await call(service.apiUrl, 'POST', route, { body: body() });
    expect({ route, status: answer.status, problem: answer.contentType.startsWith('application/problem+json') }).toEqual({
      route,
      status: statuses.includes(answer.status) ? answer.status : statuses[0],
      problem: true,
    });
    expect(answer.ms).toBeLessThan(1_000);
  }
});
