// Bad input as a fuzzer sends it: always a 4xx problem, never a 5xx, and the deal unchanged.
import { eventually } from '../helpers/eventually';
import { random } from '../helpers/random';
import { dealBody, quickSop, TestService } from '../helpers/service';

let service: TestService;
let dealId: string;
beforeAll(async () => {
  service = await TestService.start();
  await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() });
  dealId = `fuzz-${Date.now().toString(36)}`;
  expect((await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(dealId) })).status).toBe(201);
});
afterAll(async () => service?.stop());

const NASTY: unknown[] = [
  null,
  true,
  -1,
  0,
  1e308,
  '',
  ' ',
  'x'.repeat(100_000),
  '💥\u0000\u202e<script>',
  '__proto__',
  [],
  [1, 'a', null],
  {},
  { __proto__: { admin: true } },
  { constructor: { prototype: {} } },
  '2026-13-45T99:99:99Z',
  'NaN',
];

function mutate(base: Record<string, unknown>, next: () => number): Record<string, unknown> {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(base));
  const keys = [...Object.keys(copy), 'status', 'health', 'escalations', '__proto__', 'constructor', 'owner', 'extra'];
  for (let i = 0; i < 1 + Math.floor(next() * 3); i++) {
    const key = keys[Math.floor(next() * keys.length)];
    const roll = next();
    if (roll < 0.2) delete copy[key];
    else copy[key] = NASTY[Math.floor(next() * NASTY.length)];
  }
  return copy;
}

const bases: Array<{ method: string; path: () => string; body: Record<string, unknown> }> = [
  { method: 'POST', path: () => '/v1/deals', body: dealBody('fuzz-new') },
  {
    method: 'POST',
    path: () => `/v1/deals/${dealId}/actions`,
    body: { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' },
  },
  {
    method: 'POST',
    path: () => `/v1/deals/${dealId}/actions`,
    body: { type: 'raise_risk', riskId: 'r1', summary: 's', dueBy: new Date(Date.now() + 30 * 86_400_000).toISOString() },
  },
  { method: 'POST', path: () => `/v1/deals/${dealId}/actions`, body: { type: 'update_deal', amount: 5, attributes: { region: 'east' } } },
  { method: 'POST', path: () => '/v1/sops', body: quickSop('fuzz-sop') },
];

test('mutated bodies are refused with a 4xx problem or accepted, never a 5xx', async () => {
  const next = random(20261127);
  const statuses: Record<number, number> = {};
  for (let i = 0; i < 200; i++) {
    const base = bases[i % bases.length];
    const body = mutate(base.body, next);
    const reply = await service.call(base.method, base.path(), { as: 'ops', body });
    statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
    expect({ i, body: JSON.stringify(body).slice(0, 300), status: reply.status < 500 }).toEqual({
      i,
      body: JSON.stringify(body).slice(0, 300),
      status: true,
    });
    if (reply.status >= 400) expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
  }
  expect(Object.keys(statuses).some((status) => Number(status) >= 400)).toBe(true);
});

/**
 * The deal once time has nothing left to change in it while the next test runs: its stage breached
 * (quickSop's last stage deadline; the stage has no escalations), every alert's delivery settled,
 * and nothing else due within the next minute. Without this, a snapshot taken while the breach's
 * delivery was `pending` differs from one taken after it turned `skipped`, whatever the requests did.
 */
async function settledDeal(): Promise<any> {
  const read = async () => (await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' })).body;
  const quiet = (deal: any) => deal.health === 'red' && deal.escalations.every((alert: any) => alert.delivery !== 'pending');
  const deal = await eventually(read, quiet);
  expect({ health: deal.health, pending: deal.escalations.filter((alert: any) => alert.delivery === 'pending') }).toEqual({
    health: 'red',
    pending: [],
  });
  const soon = Date.now() + 60_000;
  const ahead = [
    ...deal.requests.filter((request: any) => !request.answeredAt).map((request: any) => request.breachAt),
    ...deal.risks.filter((risk: any) => !risk.resolvedAt && risk.dueBy).map((risk: any) => risk.dueBy),
  ];
  expect(ahead.filter((at: string) => Date.parse(at) < soon)).toEqual([]);
  return deal;
}

test('privileged fields never reach state; odd paths, types and encodings are 4xx', async () => {
  const before = await settledDeal();
  const attempts: Array<{ method: string; path: string; body?: unknown; headers?: Record<string, string> }> = [
    { method: 'POST', path: `/v1/deals/${dealId}/actions`, body: { type: 'log_activity', kind: 'call', status: 'won', health: 'green' } },
    { method: 'POST', path: `/v1/deals/${dealId}/actions`, body: '{"type":"update_deal","attributes":{"__proto__":{"x":1}}}' },
    { method: 'POST', path: `/v1/deals/${dealId}/actions`, body: { type: 'update_deal', customer: { name: 'X', escalations: [] } } },
    { method: 'POST', path: `/v1/deals/${dealId}/actions`, body: [{ type: 'log_activity', kind: 'call' }] },
    { method: 'POST', path: `/v1/deals/${dealId}/actions`, body: '"just a string"' },
    {
      method: 'POST',
      path: `/v1/deals/${dealId}/actions`,
      body: 'kind=call',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    {
      method: 'POST',
      path: `/v1/deals/${dealId}/actions`,
      body: '{"type":"log_activity","kind":"call"}',
      headers: { 'content-type': 'text/plain' },
    },
    { method: 'POST', path: `/v1/deals/${dealId}/actions`, body: '' },
    { method: 'POST', path: `/v1/deals/${encodeURIComponent('💥\u0000')}/actions`, body: { type: 'log_activity', kind: 'call' } },
    { method: 'GET', path: `/v1/deals/${encodeURIComponent('../../etc/passwd')}` },
    { method: 'GET', path: `/v1/deals/${'a'.repeat(5000)}` },
    { method: 'GET', path: '/v1/deals?pageSize=-1&pageToken=%00%01' },
    { method: 'GET', path: '/v1/deals?tier=A&tier=B' },
    { method: 'POST', path: '/v1/deals', body: `[${'['.repeat(100_000)}${']'.repeat(100_000)}]` },
    // Raw text: 1e309 parses to Infinity, which JSON.stringify could not write.
    { method: 'POST', path: '/v1/sops', body: `{"id":"${'x'.repeat(100_000)}","version":1e309,"name":1,"stages":"all"}` },
  ];
  for (const [i, attempt] of attempts.entries()) {
    const reply = await service.call(attempt.method, attempt.path, { as: 'alice', body: attempt.body, headers: attempt.headers });
    expect({ i, refused: reply.status >= 400 && reply.status < 500 ? true : reply.status }).toEqual({ i, refused: true });
    expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
  }
  // An injection-looking owner filter is no owner a deal can have: refused before it reaches a query.
  expect((await service.call('GET', "/v1/deals?owner=x'%20OR%20'1'='1", { as: 'manager' })).status).toBe(422);
  expect((await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' })).body).toEqual(before);
});
