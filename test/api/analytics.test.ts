// SOP analytics and pace through the API: known answers from a seeded set of deals, then real deals
// opened, paused, skipped, lost and breached through the API itself.
import { analyticsFigures, analyticsReport, emptyAnalytics, foldFacts, paceOf, timelineFacts, type TimelineEntry } from '../../domain';
import { analyticsWorkflowId, dealFactsSignal, SOP_ANALYTICS_WORKFLOW } from '../../workflows/messages';
import { analyticsSop, HOUR, seededTimelines } from '../helpers/seeded-deals';
import { dealBody, quickSop, TestService, type KeyName } from '../helpers/service';
import { eventually } from '../helpers/eventually';

let service: TestService;
beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { body: quickSop() })).status).toBe(201);
  expect((await service.call('POST', '/v1/sops', { body: { ...analyticsSop, version: 1 } })).status).toBe(201);
});
afterAll(() => service?.stop());

const analytics = (sopId: string, as: KeyName | null = 'manager', query = '') =>
  service.call('GET', `/v1/sops/${sopId}/analytics${query}`, { as });

describe('seeded deals with known answers', () => {
  const facts = seededTimelines().flatMap((events) => timelineFacts(events, analyticsSop));
  const expected = analyticsReport(analyticsFigures(foldFacts(emptyAnalytics(analyticsSop.id), facts)), analyticsSop);

  beforeAll(async () => {
    // The facts the seven deals of the domain tests reported, sent as their deals send them, in two batches, one of them twice.
    for (const batch of [facts.slice(0, 40), facts.slice(40), facts.slice(0, 40)]) {
      await service.env.client.workflow.signalWithStart(SOP_ANALYTICS_WORKFLOW, {
        workflowId: analyticsWorkflowId(analyticsSop.id),
        taskQueue: service.taskQueue,
        args: [{ sopId: analyticsSop.id }],
        signal: dealFactsSignal,
        signalArgs: [{ sopId: analyticsSop.id, facts: batch }],
      });
    }
  });

  it('answers every figure', async () => {
    const reply = await eventually(
      () => analytics(analyticsSop.id),
      (r) => r.body?.deals?.opened === 7,
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(expected);
    expect(reply.body.deals).toEqual({ opened: 7, open: 2, won: 2, lost: 3, winRate: 0.4, escalationsPerDeal: 0.1429, tasksOverdue: 0 });
    expect(reply.body.stages[0]).toMatchObject({
      stage: 'requirements',
      name: 'Requirements confirmed',
      timeInStage: { samples: 6, exact: true, wallMs: { p50: 2 * HOUR, p90: 10 * HOUR }, workingMs: { p50: 2 * HOUR, p90: 9 * HOUR } },
      slaWarningRate: 0.7143,
      slaBreachRate: 0.4286,
      escalationsPerVisit: 0.1429,
      lostHere: 1,
    });
    expect(reply.body.stages[1]).toMatchObject({ stage: 'pricing', visits: { entered: 5, ended: 4, open: 1, skipped: 1 } });
    expect(reply.body.stalls.lostReasons[0]).toEqual({ reason: 'Price too high', deals: 2 });
  });

  it('answers the figures of a period (whole weeks, by the week a visit ended) and the weekly series', async () => {
    const january = await analytics(analyticsSop.id, 'manager', '?from=2026-01-01T00:00:00Z&to=2026-01-31T23:59:59Z');
    expect(january.status).toBe(200);
    expect(january.body.period).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-31T23:59:59.000Z',
      firstWeek: '2025-12-29',
      lastWeek: '2026-01-26',
    });
    // Every seeded visit ended in the week of 2026-01-05: January has the all-time rates.
    expect(january.body.stages[0]).toMatchObject({ stage: 'requirements', slaWarningRate: 0.7143, slaBreachRate: 0.4286, lostHere: 1 });
    expect(january.body.deals).toMatchObject({ opened: 7, won: 2, lost: 3 });
    expect(january.body.weekly.map((week: { week: string }) => week.week)).toEqual(['2026-01-05']);
    expect((await analytics(analyticsSop.id)).body.weekly).toEqual(january.body.weekly);

    const before = await analytics(analyticsSop.id, 'manager', '?to=2025-12-31T00:00:00Z');
    expect(before.body.deals).toMatchObject({ opened: 0, won: 0, lost: 0 });
    expect(before.body.stages[0]).toMatchObject({ visits: { entered: 0, ended: 0, open: 0 }, slaWarningRate: null });
    expect(before.body.weekly).toEqual([]);

    const backwards = await analytics(analyticsSop.id, 'manager', '?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors).toEqual([{ path: 'query.to', message: 'to is before from' }]);
    expect((await analytics(analyticsSop.id, 'manager', '?from=yesterday')).body.errors).toEqual([
      { path: 'query.from', message: expect.any(String) },
    ]);
    const pace = await service.call('GET', `/v1/sops/${analyticsSop.id}/analytics/pace?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, {
      as: 'manager',
    });
    expect(pace.status).toBe(422);
  });

  it('gives an open deal its pace against the p50 of its stage, paused time left out', async () => {
    await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody('pace-1', { sopId: analyticsSop.id }) });
    const paused = await service.call('POST', '/v1/deals/pace-1/actions', { as: 'alice', body: { type: 'pause', reason: 'holiday' } });
    expect(paused.status).toBe(200);
    const enteredAt = Date.parse(paused.body.deal.stage.enteredAt);
    const timeline = (await service.call<{ events: TimelineEntry[] }>('GET', '/v1/deals/pace-1/timeline', { as: 'alice' })).body.events;
    const pausedAt = Date.parse(timeline.find((e) => e.type === 'paused')?.at ?? '');

    const reply = await eventually(
      () => service.call('GET', `/v1/sops/${analyticsSop.id}/analytics/pace`, { as: 'alice' }),
      (r) => r.body?.deals?.[0]?.timeInStageMs === pausedAt - enteredAt,
    );
    expect(reply.status).toBe(200);
    const timeInStageMs = pausedAt - enteredAt;
    expect(reply.body).toEqual({
      deals: [
        {
          dealId: 'pace-1',
          owner: 'alice',
          stage: 'requirements',
          timeInStageMs,
          peerP50Ms: 2 * HOUR,
          pace: paceOf(timeInStageMs, 2 * HOUR),
        },
      ],
      nextPageToken: null,
    });
    // bob, another rep, sees none of alice's deals.
    expect((await service.call('GET', `/v1/sops/${analyticsSop.id}/analytics/pace`, { as: 'bob' })).body.deals).toEqual([]);
  });
});

describe('deals opened and worked through the API', () => {
  const act = (dealId: string, body: Record<string, unknown>) =>
    service.call('POST', `/v1/deals/${dealId}/actions`, { as: 'manager', body });
  const finishRequirements = async (dealId: string) => {
    await act(dealId, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' });
    return act(dealId, { type: 'complete_stage', stage: 'requirements' });
  };
  const timeline = async (dealId: string) => (await service.call('GET', `/v1/deals/${dealId}/timeline`)).body.events as TimelineEntry[];
  const instant = (events: TimelineEntry[], type: string, stage?: string) =>
    Date.parse(events.find((e) => e.type === type && (!stage || (e.data as { stage?: string }).stage === stage))?.at ?? '');

  it('counts them, measures completed stages without paused time, and shows breaches still open', async () => {
    for (const [dealId, tier] of [
      ['e1', 'B'],
      ['e2', 'A'],
      ['e3', 'B'],
      ['e4', 'B'],
      ['e5', 'B'],
    ]) {
      const opened = await service.call('POST', '/v1/deals', {
        as: 'manager',
        body: dealBody(dealId, { customer: { name: `Customer ${dealId}`, tier } }),
      });
      expect(opened.status).toBe(201);
    }
    // e1 wins; e2 (tier A) skips pricing and is lost at the contract; e3 pauses in requirements and
    // moves on to pricing; e4 is lost in requirements; e5 waits in requirements past its 4 s breach.
    await finishRequirements('e1');
    await act('e1', { type: 'complete_stage', stage: 'pricing' });
    await act('e1', { type: 'submit_deliverable', stage: 'contract', deliverable: 'contract' });
    expect((await act('e1', { type: 'complete_stage', stage: 'contract' })).body.deal.status).toBe('won');
    await finishRequirements('e2');
    await act('e2', { type: 'request_revision', stage: 'contract', reason: 'Terms' });
    await act('e2', { type: 'mark_lost', reason: 'Budget frozen' });
    await act('e3', { type: 'pause', reason: 'Customer away' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await act('e3', { type: 'resume' });
    await finishRequirements('e3');
    await act('e4', { type: 'mark_lost', reason: 'budget frozen' });
    await new Promise((resolve) => setTimeout(resolve, 4_500));

    const reply = await eventually(
      () => analytics('quick-sop'),
      (r) => r.body?.deals?.opened === 5 && r.body.stages?.[0]?.breachedNow === 1 && r.body.deals.lost === 2,
    );
    expect(reply.body.deals).toEqual({ opened: 5, open: 2, won: 1, lost: 2, winRate: 0.3333, escalationsPerDeal: 0, tasksOverdue: 0 });
    const [requirements, pricing, contract] = reply.body.stages;
    expect(requirements).toMatchObject({ visits: { entered: 5, ended: 4, open: 1, skipped: 0 }, breachedNow: 1, lostHere: 1 });
    expect(pricing).toMatchObject({ visits: { entered: 2, ended: 1, open: 1, skipped: 1 } });
    expect(contract).toMatchObject({ visits: { entered: 2, ended: 2, open: 0, skipped: 0 }, lostHere: 1 });

    // Time in requirements, read back from each timeline: e3's pause does not count.
    const durations = await Promise.all(
      ['e1', 'e2', 'e3'].map(async (dealId) => {
        const events = await timeline(dealId);
        const paused = events.some((e) => e.type === 'paused') ? instant(events, 'resumed') - instant(events, 'paused') : 0;
        return instant(events, 'stage_completed', 'requirements') - instant(events, 'stage_entered', 'requirements') - paused;
      }),
    );
    const sorted = [...durations].sort((a, b) => a - b);
    expect(requirements.timeInStage).toMatchObject({ samples: 3, exact: true, wallMs: { p50: sorted[1], p90: sorted[2] } });
    expect(reply.body.revisions.find((r: { stage: string }) => r.stage === 'contract').outcomes).toEqual([
      { revisions: 0, orMore: false, won: 1, lost: 0, lossRate: 0 },
      { revisions: 1, orMore: false, won: 0, lost: 1, lossRate: 1 },
    ]);
    // Pace needs 3 completed visits of the stage: requirements has them, pricing (1) does not.
    const pace = await eventually(
      () => service.call('GET', '/v1/sops/quick-sop/analytics/pace?pageSize=10'),
      (r) => r.body?.deals?.length === 2 && r.body.deals.every((d: { stage: string }) => d.stage),
    );
    const byDeal = Object.fromEntries(pace.body.deals.map((d: { dealId: string }) => [d.dealId, d]));
    expect(byDeal.e5).toMatchObject({ stage: 'requirements', peerP50Ms: sorted[1] });
    expect(byDeal.e5.pace).toBe(paceOf(byDeal.e5.timeInStageMs, sorted[1]));
    expect(byDeal.e3).toMatchObject({ stage: 'pricing', peerP50Ms: null, pace: null });
    expect(reply.body.stalls).toEqual({
      lostReasons: [{ reason: 'Budget frozen', deals: 2 }],
      openRisks: [],
      breachedStages: [{ stage: 'requirements', breaches: 1 }],
    });
  });
});

describe('access and errors', () => {
  it('lets every reading role but a rep see analytics', async () => {
    for (const as of ['admin', 'ops', 'manager', 'viewer'] as const) expect((await analytics('quick-sop', as)).status).toBe(200);
    const rep = await analytics('quick-sop', 'alice');
    expect(rep.status).toBe(403);
    expect(rep.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('answers 404 for an SOP not published, 422 for a malformed id or filter, 401 without a key', async () => {
    expect((await analytics('no-such-sop')).status).toBe(404);
    expect((await service.call('GET', '/v1/sops/no-such-sop/analytics/pace')).status).toBe(404);
    expect((await analytics('NOT_AN_ID')).status).toBe(422);
    expect((await service.call('GET', '/v1/sops/quick-sop/analytics/pace?pageSize=0')).status).toBe(422);
    expect((await service.call('GET', '/v1/sops/quick-sop/analytics/pace?status=won')).status).toBe(422);
    expect((await analytics('quick-sop', null)).status).toBe(401);
  });

  it('shows zeros for a published SOP no deal has reported to yet', async () => {
    await service.call('POST', '/v1/sops', { body: quickSop('quiet-sop') });
    const reply = await analytics('quiet-sop');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ sopId: 'quiet-sop', asOf: null, deals: { opened: 0, winRate: null } });
    expect(reply.body.stages.map((s: { stage: string }) => s.stage)).toEqual(['requirements', 'pricing', 'contract']);
  });

  it('tells who is signed in', async () => {
    expect((await service.call('GET', '/v1/me', { as: 'alice' })).body).toEqual({ subject: 'alice', role: 'rep' });
  });

  it('documents the analytics endpoints in the OpenAPI document', async () => {
    const document = (await service.call('GET', '/v1/openapi.json', { as: null })).body;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/sops/{id}/analytics', '/v1/sops/{id}/analytics/pace', '/v1/me']),
    );
    expect(Object.keys(document.paths['/v1/sops/{id}/analytics'].get.responses)).toEqual(expect.arrayContaining(['200', '403', '404']));
  });
});
