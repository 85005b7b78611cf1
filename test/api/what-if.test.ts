// `CONTRACT.md` v2.2 what-if and why through the API on a real dev server: POST /v1/sops/:id/simulations, GET /v1/deals/:dealId/explain.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { eventually } from '../helpers/eventually';
import { dealBody, expectProblem, quickSop, TestService } from '../helpers/service';
import { uniqueId } from '../helpers/temporal';

// quick-sop v1: requirements (deliverable requirements-doc; warns at 2 s, breaches at 4 s), pricing
// (skipped for tier A), contract (deliverable contract).
let service: TestService;
let quickDeal: string;
let slowDeal: string;
let openDeal: string;
let openedBetween: { from: string; to: string };

const act = (dealId: string, body: unknown) => service.call('POST', `/v1/deals/${dealId}/actions`, { as: 'manager', body });
const simulate = (body: unknown, as: 'ops' | 'manager' | 'alice' | 'viewer' = 'manager', sopId = 'quick-sop') =>
  service.call('POST', `/v1/sops/${sopId}/simulations`, { as, body });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The draft: requirements must be done within 1 s, need a budget too, and tier-B deals skip pricing. */
function draft(): Record<string, any> {
  const sop = quickSop('quick-sop', 2);
  sop.stages = [
    { id: 'requirements', name: 'Requirements confirmed', deliverables: ['requirements-doc', 'budget'], sla: { breachAfter: '1s' } },
    { id: 'pricing', name: 'Internal price comparison', skipWhen: { field: 'customer.tier', op: 'eq', value: 'B' } },
    { id: 'contract', name: 'Contract signed', deliverables: ['contract'] },
  ];
  return sop;
}

async function open(prefix: string): Promise<string> {
  const dealId = uniqueId(prefix);
  expect((await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(dealId) })).status).toBe(201);
  return dealId;
}

async function finishRequirements(dealId: string): Promise<void> {
  expect((await act(dealId, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' })).status).toBe(200);
  expect((await act(dealId, { type: 'complete_stage', stage: 'requirements' })).status).toBe(200);
}

beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() })).status).toBe(201);
  // Three deals: one done with requirements at once and won, one that warns and breaches before
  // it is done and lost, one still open in pricing.
  const from = new Date().toISOString();
  quickDeal = await open('quick');
  slowDeal = await open('slow');
  await finishRequirements(quickDeal);
  await sleep(400);
  const to = new Date().toISOString();
  openedBetween = { from, to };
  openDeal = await open('open');
  await finishRequirements(openDeal);
  expect((await act(quickDeal, { type: 'complete_stage', stage: 'pricing' })).status).toBe(200);
  expect((await act(quickDeal, { type: 'submit_deliverable', stage: 'contract', deliverable: 'contract' })).status).toBe(200);
  expect((await act(quickDeal, { type: 'complete_stage', stage: 'contract' })).status).toBe(200);
  await eventually(
    async () => (await service.call('GET', `/v1/deals/${slowDeal}`, { as: 'ops' })).body.health,
    (health) => health === 'red',
  );
  await finishRequirements(slowDeal);
  expect((await act(slowDeal, { type: 'mark_lost', reason: 'budget frozen' })).status).toBe(200);
  // Visibility lists every deal's latest status.
  await eventually(
    async () => (await service.call('GET', '/v1/deals?sopId=quick-sop&status=open', { as: 'ops' })).body.deals.length,
    (count) => count === 1,
  );
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

test('replays every deal under its own version (reproducing what it fired) and under the draft', async () => {
  const reply = await simulate({ sop: draft() });
  expect(reply.status).toBe(200);
  const report = reply.body;
  expect(report).toMatchObject({ sopId: 'quick-sop', deals: 3, consistency: { checked: 3, reproduced: 3, differences: [] }, unread: [] });
  // Baseline: the slow deal warned and breached in requirements; the open deal is past it.
  expect(report.baseline).toMatchObject({ warnings: 1, breaches: 1, blocked: 0, visits: 7 });
  const requirements = report.stages.find((stage: any) => stage.stage === 'requirements');
  expect(requirements.baseline).toMatchObject({ visits: 3, warnings: 1, breaches: 1, warningRate: 0.333, breachRate: 0.333 });
  // Proposed: every completion of requirements lacks the budget (blocked, then applied as if
  // accepted); the slow deal breaches the 1 s; tier-B deals skip pricing, so the won deal's
  // completion of pricing is blocked as the wrong stage.
  expect(requirements.proposed).toMatchObject({ visits: 3, warnings: 0, blocked: 3 });
  expect(requirements.proposed.breaches).toBeGreaterThanOrEqual(1);
  const perDeal = Object.fromEntries(report.perDeal.map((deal: any) => [deal.dealId, deal]));
  expect(Object.keys(perDeal).sort()).toEqual([openDeal, quickDeal, slowDeal].sort());
  expect(perDeal[slowDeal].baseline.alerts.map((alert: any) => alert.type)).toEqual(['deal.sla.warning', 'deal.sla.breached']);
  expect(perDeal[slowDeal].proposed.alerts).toContainEqual(
    expect.objectContaining({ type: 'deal.sla.breached', stage: 'requirements', level: null }),
  );
  expect(perDeal[quickDeal].proposed.blocked.map((blocked: any) => `${blocked.type}:${blocked.code}`)).toEqual([
    'complete_stage:missing_deliverables',
    'complete_stage:wrong_stage',
  ]);
  expect(perDeal[quickDeal].proposed.skipped).toEqual(['pricing']);
  expect(report.took).toEqual({ readMs: expect.any(Number), simulateMs: expect.any(Number) });
});

test('selects deals by status and by when they were opened; the same request gives the same answer', async () => {
  const closed = await simulate({ sop: draft(), deals: { status: 'closed' } });
  expect(closed.body.perDeal.map((deal: any) => deal.dealId).sort()).toEqual([quickDeal, slowDeal].sort());
  const open = await simulate({ sop: draft(), deals: { status: 'open' } }, 'ops');
  expect(open.body.perDeal.map((deal: any) => deal.dealId)).toEqual([openDeal]);
  const period = await simulate({ sop: draft(), deals: { openedFrom: openedBetween.from, openedTo: openedBetween.to } });
  expect(period.body.perDeal.map((deal: any) => deal.dealId).sort()).toEqual([quickDeal, slowDeal].sort());
  const limited = await simulate({ sop: draft(), deals: { limit: 1 } });
  expect(limited.body.deals).toBe(1);
  const again = await simulate({ sop: draft(), deals: { status: 'closed' } });
  const { took: _first, ...first } = closed.body;
  const { took: _second, ...second } = again.body;
  expect(second).toEqual(first);
});

test('bad input is a precise 422 and changes nothing: the draft is never published', async () => {
  const notLinting = draft();
  notLinting.stages[0].sla = { warnAfter: '5s', breachAfter: '1s' };
  notLinting.stages[2].skipWhen = { field: 'nowhere', op: 'eq', value: 1 };
  const lint = await simulate({ sop: notLinting });
  expectProblem(lint, 422, 'validation_failed');
  expect(lint.body.errors.map((error: any) => error.path)).toEqual(
    expect.arrayContaining(['sop.stages.0.sla.warnAfter', 'sop.stages.2.skipWhen.field']),
  );
  expect(lint.body.errors.every((error: any) => error.path.startsWith('sop.'))).toBe(true);

  const otherId = await simulate({ sop: { ...draft(), id: 'other-sop' } });
  expectProblem(otherId, 422, 'validation_failed');
  expect(otherId.body.errors).toEqual([{ path: 'sop.id', message: expect.stringContaining('other-sop') }]);

  const many = await simulate({ sop: draft(), deals: { limit: 5_001, status: 'someday' } });
  expectProblem(many, 422, 'validation_failed');
  expect(many.body.errors.map((error: any) => error.path).sort()).toEqual(['deals.limit', 'deals.status']);

  const backwards = await simulate({ sop: draft(), deals: { openedFrom: '2026-12-01T00:00:00Z', openedTo: '2026-11-01T00:00:00Z' } });
  expectProblem(backwards, 422, 'validation_failed');
  expect(backwards.body.errors).toEqual([{ path: 'deals.openedTo', message: 'openedTo is before openedFrom' }]);

  expectProblem(await simulate({ deals: {} }), 422, 'validation_failed');
  expectProblem(await simulate('[]'), 422, 'validation_failed');
  expectProblem(await simulate({ sop: { ...draft(), id: 'nobody-published' } }, 'manager', 'nobody-published'), 404);
  expect((await service.call('GET', '/v1/sops/quick-sop/versions', { as: 'ops' })).body).toEqual({ versions: [1] });
});

test('admin, ops and managers run what-ifs; reps and viewers may not', async () => {
  expectProblem(await simulate({ sop: draft() }, 'alice'), 403, 'forbidden');
  expectProblem(await simulate({ sop: draft() }, 'viewer'), 403, 'forbidden');
  expect((await simulate({ sop: draft(), deals: { limit: 1 } }, 'ops')).status).toBe(200);
});

/** `npm run simulate -- …` against the test service, as a user runs it. */
function simulateCommand(args: string[], apiKey = 'test-ops'): Promise<{ code: number; stdout: string; stderr: string }> {
  const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
  return new Promise((resolve) => {
    execFile(
      tsx,
      ['scripts/simulate.ts', ...args],
      { cwd: path.resolve(__dirname, '../..'), env: { ...process.env, API_URL: service.url, API_KEY: apiKey } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('npm run simulate prints the per-stage comparison for a draft file, and the problems of one that does not lint', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'what-if-'));
  const file = path.join(dir, 'draft.yaml');
  writeFileSync(file, stringify(draft()));
  const run = await simulateCommand([file, '--status', 'closed']);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toContain('What-if for SOP quick-sop: 2 deals replayed, baseline → proposed.');
  expect(run.stdout).toContain('Consistency: 2 of 2 deals replayed under their own versions fire exactly the alerts they fired.');
  expect(run.stdout).toMatch(/^stage\s+visits\s+warnings\s+warn rate\s+breaches\s+breach rate\s+escalations\s+blocked$/m);
  expect(run.stdout).toMatch(/^requirements\s+2\s+1 → 0\s+50% → 0%\s+1\s+50%\s+0\s+2$/m);
  expect(run.stdout).toContain('Deals that change most:');

  const bad = draft();
  bad.stages[0].sla = { warnAfter: '5s', breachAfter: '1s' };
  writeFileSync(file, stringify(bad));
  const refused = await simulateCommand([file]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('422');
  expect(refused.stderr).toContain('sop.stages.0.sla.warnAfter');
  expect((await simulateCommand([file], 'test-alice')).stderr).toContain('403');
});

describe('GET /v1/deals/:dealId/explain', () => {
  test("explains each pending deadline on the deal's clock, landing where the deal says, and each alert fired with its rule", async () => {
    const dealId = await open('why');
    expect((await act(dealId, { type: 'open_request', requestId: 'price-list' })).status).toBe(200);
    expect((await act(dealId, { type: 'pause', reason: 'customer on holiday' })).status).toBe(200);
    await sleep(300);
    expect((await act(dealId, { type: 'resume' })).status).toBe(200);
    const deal = (await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' })).body;
    const why = await service.call('GET', `/v1/deals/${dealId}/explain`, { as: 'alice' });
    expect(why.status).toBe(200);
    expect(why.body.dealId).toBe(dealId);
    const byKind = Object.fromEntries(why.body.deadlines.map((deadline: any) => [deadline.kind, deadline]));
    expect(Object.keys(byKind).sort()).toEqual(['request.breach', 'stage.breach', 'stage.warning']);
    expect(byKind['stage.breach']).toMatchObject({
      stage: 'requirements',
      at: deal.stage.breachAt,
      rule: 'stages[0].sla.breachAfter = 4s continuous',
      clock: 'continuous',
      from: deal.stage.enteredAt,
      calendar: { timezone: 'UTC' },
    });
    // The pause moved the deadline by exactly the time it took.
    expect(byKind['stage.breach'].pausedMs).toBe(Date.parse(deal.stage.breachAt) - Date.parse(deal.stage.enteredAt) - 4_000);
    expect(byKind['stage.breach'].steps[0]).toMatch(
      /^4s on the continuous clock is 4s of wall time, counted from \w{3} \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? \(UTC\)\.$/,
    );
    expect(byKind['stage.breach'].steps.at(-1)).toMatch(/; 4s of 4s\), due at [\d:]+(; paused .+, not counted)?\.$/);
    expect(byKind['request.breach']).toMatchObject({
      requestId: 'price-list',
      rule: 'requestSla.breachAfter = 3s continuous',
      at: deal.requests[0].breachAt,
    });

    const warned = await eventually(
      async () => (await service.call('GET', `/v1/deals/${dealId}/explain`, { as: 'manager' })).body,
      (body) => body.alerts.some((alert: any) => alert.type === 'deal.sla.warning'),
    );
    expect(warned.alerts).toContainEqual({
      alertId: expect.stringMatching(/^msg_/),
      type: 'deal.sla.warning',
      firedAt: expect.any(String),
      deadline: byKind['stage.warning'].at,
      rule: 'stages[0].sla.warnAfter = 2s continuous',
    });
    expect(warned.deadlines.map((deadline: any) => deadline.kind)).not.toContain('stage.warning');
  });

  test('whoever may read the deal may ask why; anyone else gets 404', async () => {
    const dealId = await open('why-not');
    expect((await service.call('GET', `/v1/deals/${dealId}/explain`, { as: 'viewer' })).status).toBe(200);
    expectProblem(await service.call('GET', `/v1/deals/${dealId}/explain`, { as: 'bob' }), 404);
    expectProblem(await service.call('GET', '/v1/deals/nobody-has-this/explain', { as: 'ops' }), 404);
  });
});
