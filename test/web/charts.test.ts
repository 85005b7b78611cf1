// The board's pictures in Chromium: each chart draws the figures the API gave (bar lengths and
// heights proportional to the counts, dots at their rates), has a text alternative, fits a phone;
// the analytics period picker, the what-if tab and the "why" of a deal. Screenshots go to test-results/.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { BoardBrowser, RESULTS, signIn as signInAt } from '../helpers/board-browser';
import { TestService, dealBody, quickSop, type KeyName } from '../helpers/service';

declare const document: any;

const WAIT_MS = 15_000;

let service: TestService;
let browser: BoardBrowser;

const act = async (dealId: string, action: Record<string, unknown>) => {
  const reply = await service.call('POST', `/v1/deals/${dealId}/actions`, { body: action });
  if (reply.status !== 200) throw new Error(`${action.type} on ${dealId}: ${reply.status} ${JSON.stringify(reply.body)}`);
};
const open = async (dealId: string, tier = 'B') => {
  const reply = await service.call('POST', '/v1/deals', { body: dealBody(dealId, { customer: { name: dealId, tier } }) });
  if (reply.status !== 201) throw new Error(`open ${dealId}: ${reply.status}`);
};
const finish = async (dealId: string) => {
  await act(dealId, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' });
  await act(dealId, { type: 'complete_stage', stage: 'requirements' });
};

const newPage = (viewport = { width: 1280, height: 900 }): Promise<Page> => browser.page({ viewport });
const signIn = (page: Page, as: KeyName, hash: string): Promise<void> => signInAt(page, service.url, as, hash);

beforeAll(async () => {
  [service, browser] = await Promise.all([TestService.start(), BoardBrowser.launch()]);
  expect((await service.call('POST', '/v1/sops', { body: quickSop() })).status).toBe(201);
  // Six deals: two done with requirements at once, two after their warning and breach (4 s), one
  // lost there, one still in it; tier A skips pricing.
  for (const id of ['fast-1', 'fast-2', 'slow-1', 'slow-2', 'lost-1', 'open-1']) await open(id, id === 'fast-2' ? 'A' : 'B');
  await finish('fast-1');
  await finish('fast-2');
  await new Promise((resolve) => setTimeout(resolve, 4_500));
  await finish('slow-1');
  await finish('slow-2');
  await act('lost-1', { type: 'mark_lost', reason: 'Price too high' });
  await act('slow-2', { type: 'complete_stage', stage: 'pricing' });
  // The analytics have every fact once requirements has five ended visits.
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const { body } = await service.call('GET', '/v1/sops/quick-sop/analytics', { as: 'manager' });
    if (body.stages?.[0]?.visits?.ended === 5 && body.stages?.[1]?.visits?.ended === 1) break;
    if (Date.now() > deadline) throw new Error(`analytics never caught up: ${JSON.stringify(body.stages)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

afterEach(() => {
  expect(browser.problems.splice(0)).toEqual([]);
});

test('analytics pictures draw the figures the API gave: funnel, time in stage, weekly rates', async () => {
  const analytics = (await service.call('GET', '/v1/sops/quick-sop/analytics', { as: 'manager' })).body;
  const page = await newPage();
  await signIn(page, 'manager', '#sop=quick-sop&view=analytics');
  await page.waitForSelector('[data-chart="funnel"] svg');

  // Funnel: bar widths proportional to the visits entered, split into lost, open and moved on.
  const funnel = await page.$$eval('[data-chart="funnel"] g[data-stage]', (groups) =>
    groups.map((g: any) => ({
      stage: g.dataset.stage,
      entered: Number(g.dataset.entered),
      width: Number(g.dataset.width),
      parts: Object.fromEntries(
        [...g.querySelectorAll('rect')].map((r: any) => [
          r.dataset.part,
          { value: Number(r.dataset.value), width: Number(r.getAttribute('width')) },
        ]),
      ),
    })),
  );
  expect(funnel.map((row) => [row.stage, row.entered])).toEqual(analytics.stages.map((stage: any) => [stage.stage, stage.visits.entered]));
  const widest = Math.max(...funnel.map((row) => row.width));
  const most = Math.max(...funnel.map((row) => row.entered));
  for (const row of funnel) {
    expect(row.width / widest).toBeCloseTo(row.entered / most, 2);
    const stage = analytics.stages.find((s: any) => s.stage === row.stage);
    expect(row.parts.lost.value).toBe(stage.lostHere);
    expect(row.parts.open.value).toBe(stage.visits.open);
    if (row.entered > 0) expect(row.parts.lost.width / row.width).toBeCloseTo(stage.lostHere / row.entered, 2);
  }
  expect(await page.getAttribute('[data-chart="funnel"] svg', 'aria-label')).toContain(
    'Requirements confirmed: entered 6, skipped 0, lost 1, still open 1',
  );

  // Time in stage: column heights proportional to the visits in each range; p50 and p90 marked.
  const wall = await page.$$eval('[data-chart="time-requirements-wall"] rect', (rects) =>
    rects.map((r: any) => ({ value: Number(r.dataset.value), height: Number(r.getAttribute('height')) })),
  );
  const bins = analytics.stages[0].timeInStage.distribution.wallMs;
  expect(wall.map((bar) => bar.value)).toEqual(bins.map((bin: any) => bin.count));
  const tallest = Math.max(...wall.map((bar) => bar.height));
  const largest = Math.max(...bins.map((bin: any) => bin.count));
  for (const bar of wall) expect(bar.height / tallest).toBeCloseTo(bar.value / largest, 2);
  const markers = await page.$$eval('[data-chart="time-requirements-wall"] line[data-marker]', (lines) =>
    lines.map((l: any) => [l.dataset.marker, Number(l.dataset.value)]),
  );
  expect(markers).toEqual([
    ['p50', analytics.stages[0].timeInStage.wallMs.p50],
    ['p90', analytics.stages[0].timeInStage.wallMs.p90],
  ]);

  // Weekly rates: this week's dots at the rates of the visits that ended this week.
  const week = analytics.weekly.at(-1);
  const rates = week.stages.find((entry: any) => entry.stage === 'requirements');
  const dots = await page.$$eval('[data-chart="rates-requirements"] circle', (circles) =>
    circles.map((c: any) => ({
      series: c.dataset.series,
      week: c.dataset.week,
      value: Number(c.dataset.value),
      cy: Number(c.getAttribute('cy')),
    })),
  );
  expect(dots.filter((dot) => dot.week === week.week).map((dot) => [dot.series, dot.value])).toEqual([
    ['warning', rates.warningRate],
    ['breach', rates.breachRate],
  ]);
  // 0% at y 84, 100% at y 8.
  for (const dot of dots) expect(dot.cy).toBeCloseTo(84 - dot.value * 76, 1);

  // Every chart has a caption and a text alternative.
  const alternatives = await page.$$eval('#analytics-view figure.chart', (figures) =>
    figures.map((f: any) => ({
      caption: f.querySelector('figcaption')?.textContent ?? '',
      label: f.querySelector('svg')?.getAttribute('aria-label') ?? '',
      role: f.querySelector('svg')?.getAttribute('role'),
    })),
  );
  expect(alternatives.length).toBeGreaterThanOrEqual(4);
  for (const alternative of alternatives) {
    expect(alternative.role).toBe('img');
    expect(alternative.caption.length).toBeGreaterThan(0);
    expect(alternative.label).toMatch(/\d/);
  }
  expect(await page.$$eval('.protocol-table tbody tr', (rows) => rows.map((row: any) => row.dataset.stage))).toEqual(
    analytics.stages.map((stage: any) => stage.stage),
  );
  await page.screenshot({ path: path.join(RESULTS, 'board-charts.png'), fullPage: true });

  // The period picker: last quarter has none of this week's visits; all time brings them back.
  await page.click('.period button:has-text("Last quarter")');
  await page.waitForFunction(() => document.querySelector('[data-period]')?.dataset.period !== 'all');
  expect(page.url()).toMatch(/from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d/);
  await page.waitForFunction(() => document.querySelector('[data-chart="funnel"] g[data-stage]')?.dataset.entered === '0');
  await page.click('.period button:has-text("All time")');
  await page.waitForFunction(() => document.querySelector('[data-period]')?.dataset.period === 'all');
  await page.waitForFunction(() => document.querySelector('[data-chart="funnel"] g[data-stage]')?.dataset.entered === '6');
});

test('what-if: a manager edits a draft, replays the deals, and sees baseline against proposed per stage', async () => {
  const page = await newPage();
  await signIn(page, 'manager', '#sop=quick-sop&view=whatif');
  await page.waitForSelector('#what-if-draft');
  const draft = JSON.parse(await page.inputValue('#what-if-draft'));
  // Pricing gets an SLA of a second: the deals that sat in it would have breached.
  draft.stages[1].sla = { breachAfter: '1s' };
  await page.fill('#what-if-draft', JSON.stringify(draft, null, 2));
  await page.click('.what-if-form button[type=submit]');
  await page.waitForSelector('[data-chart="what-if"] svg');
  const answer = (await service.call('POST', '/v1/sops/quick-sop/simulations', { as: 'manager', body: { sop: draft } })).body;
  expect(await page.getAttribute('[data-consistency]', 'data-consistency')).toBe(
    `${answer.consistency.reproduced}/${answer.consistency.checked}`,
  );
  expect(answer.consistency.differences).toEqual([]);
  const bars = await page.$$eval('[data-chart="what-if"] rect', (rects) =>
    rects.map((r: any) => ({
      series: r.dataset.series,
      category: r.dataset.category,
      value: Number(r.dataset.value),
      width: Number(r.getAttribute('width')),
    })),
  );
  const pricing = answer.stages.find((stage: any) => stage.stage === 'pricing');
  const of = (series: string) => bars.find((bar) => bar.series === series && bar.category === 'Internal price comparison');
  expect(of('baseline-breaches')?.value).toBe(pricing.baseline.breaches);
  expect(of('proposed-breaches')?.value).toBe(pricing.proposed.breaches);
  expect(pricing.proposed.breaches).toBeGreaterThan(pricing.baseline.breaches);
  const widest = Math.max(...bars.map((bar) => bar.width));
  const largest = Math.max(...bars.map((bar) => bar.value));
  for (const bar of bars) expect(bar.width / widest).toBeCloseTo(bar.value / largest, 2);
  expect(await page.textContent('.what-if-deals')).toContain('alerts');
  await page.screenshot({ path: path.join(RESULTS, 'board-what-if.png'), fullPage: true });

  // A draft that does not lint shows every problem, and publishes nothing.
  draft.stages[0].sla = { warnAfter: '5s', breachAfter: '1s' };
  await page.fill('#what-if-draft', JSON.stringify(draft));
  await page.click('.what-if-form button[type=submit]');
  await page.waitForSelector('.what-if-result .error li');
  expect(await page.textContent('.what-if-result .error')).toContain('sop.stages.0.sla.warnAfter');
  expect((await service.call('GET', '/v1/sops/quick-sop/versions', { as: 'ops' })).body.versions).toEqual([1]);
});

test('reps see no what-if tab', async () => {
  const page = await newPage();
  await signIn(page, 'alice', '#sop=quick-sop');
  await page.waitForSelector('.column');
  expect(await page.isHidden('#tab-whatif')).toBe(true);
});

test("a deal's detail says why each deadline falls when it does", async () => {
  // An SOP on a business clock, so the steps walk working days, a weekend and a holiday.
  const sop = {
    ...quickSop('why-sop'),
    requestSla: { warnAfter: '24h', breachAfter: '48h' },
    calendar: { timezone: 'Asia/Shanghai', workdays: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '18:00' }, holidays: ['2026-12-25'] },
    stages: [{ id: 'solution', name: 'Solution confirmed', sla: { warnAfter: '2d', breachAfter: '5d', clock: 'business' } }],
  };
  expect((await service.call('POST', '/v1/sops', { body: sop })).status).toBe(201);
  expect((await service.call('POST', '/v1/deals', { body: dealBody('why-1', { sopId: 'why-sop' }) })).status).toBe(201);
  await act('why-1', { type: 'open_request', requestId: 'price-list', summary: 'Price list for 300 seats' });
  const page = await newPage();
  await signIn(page, 'manager', '#sop=why-sop&deal=why-1');
  await page.waitForSelector('[data-section="why"] [data-deadline]');
  const explanation = (await service.call('GET', '/v1/deals/why-1/explain', { as: 'manager' })).body;
  const kinds = await page.$$eval('[data-section="why"] [data-deadline]', (items) => items.map((i: any) => i.dataset.deadline));
  expect(kinds).toEqual(explanation.deadlines.map((deadline: any) => deadline.kind));
  expect(kinds).toEqual(expect.arrayContaining(['stage.warning', 'stage.breach', 'request.warning']));
  const breach = explanation.deadlines.find((deadline: any) => deadline.kind === 'stage.breach');
  expect(await page.textContent('[data-section="why"] [data-deadline="stage.breach"]')).toContain(
    'stages[0].sla.breachAfter = 5d business',
  );
  await page.click('[data-section="why"] [data-deadline="stage.breach"] summary');
  const steps = await page.$$eval('[data-section="why"] [data-deadline="stage.breach"] .why-steps li', (items) =>
    items.map((i: any) => i.textContent),
  );
  expect(steps).toEqual(breach.steps);
  expect(steps.join('\n')).toMatch(/not a working day, not counted/);
  await page.locator('[data-section="why"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'board-why.png') });
});

test('on a phone the charts fit the screen', async () => {
  const page = await newPage({ width: 390, height: 844 });
  await signIn(page, 'manager', '#sop=quick-sop&view=analytics');
  await page.waitForSelector('[data-chart="funnel"] svg');
  const widths = await page.$$eval('#analytics-view figure.chart svg', (svgs) => svgs.map((svg: any) => svg.getBoundingClientRect().right));
  for (const right of widths) expect(right).toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(RESULTS, 'board-charts-phone.png'), fullPage: true });
});

test('the Risks view answers the review: the threat, who owns it, by when, the most overdue first; a deal shows its playbook tasks', async () => {
  const sop = {
    ...quickSop('risky-sop'),
    riskPlaybooks: {
      'decision-maker-change': {
        name: 'Decision-maker changed',
        steps: [
          { id: 'map-new-dm', summary: 'Map the new decision-maker', owner: 'owner', dueIn: '2d' },
          { id: 'exec-call', summary: 'Executive call', owner: 'manager', dueIn: '5d' },
        ],
      },
    },
  };
  expect((await service.call('POST', '/v1/sops', { body: sop })).status).toBe(201);
  for (const id of ['risky-1', 'risky-2']) {
    expect(
      (await service.call('POST', '/v1/deals', { body: dealBody(id, { sopId: 'risky-sop', customer: { name: id, tier: 'B' } }) })).status,
    ).toBe(201);
  }
  await act('risky-1', { type: 'raise_risk', riskId: 'dm', summary: 'The CIO left', playbook: 'decision-maker-change' });
  await act('risky-1', { type: 'complete_task', riskId: 'dm', taskId: 'map-new-dm' });
  await act('risky-2', {
    type: 'raise_risk',
    riskId: 'budget',
    summary: 'Budget frozen',
    owner: 'mia',
    dueBy: new Date(Date.now() - 3_600_000).toISOString(),
  });
  const page = await newPage();
  await signIn(page, 'manager', '#sop=risky-sop&view=risks');
  await page.waitForSelector('.risk-table tbody tr:nth-child(2)');
  const rows = await page.$$eval('.risk-table tbody tr', (trs) => trs.map((tr: any) => ({ risk: tr.dataset.risk, text: tr.textContent })));
  expect(rows.map((row) => row.risk)).toEqual(['risky-2/budget', 'risky-1/dm']);
  expect(rows[0].text).toContain('Overdue');
  expect(rows[1].text).toContain('Executive call — mia');
  expect(rows[1].text).toContain('1 of 2 steps done');
  await page.screenshot({ path: path.join(RESULTS, 'board-risks.png'), fullPage: true });

  await page.goto(`${service.url}/?refresh=300#sop=risky-sop&deal=risky-1`);
  await page.waitForSelector('[data-section="risks"] [data-task="exec-call"]');
  const tasks = await page.$$eval('[data-section="risks"] [data-task]', (items) => items.map((i: any) => [i.dataset.task, i.className]));
  expect(tasks).toEqual([
    ['map-new-dm', 'done'],
    ['exec-call', 'open'],
  ]);
});

test('an idle deal and one whose stage asks for a cause say so on their cards, in words as well as in style', async () => {
  const sop = {
    ...quickSop('idle-sop'),
    stages: [
      {
        id: 'solution',
        name: 'Solution',
        idleAfter: '1s',
        sla: { warnAfter: '1s', breachAfter: '1h' },
        onYellow: { require: 'cause', within: '1h' },
      },
      { id: 'close', name: 'Close' },
    ],
  };
  expect((await service.call('POST', '/v1/sops', { body: sop })).status).toBe(201);
  expect(
    (
      await service.call('POST', '/v1/deals', {
        body: dealBody('idle-1', { sopId: 'idle-sop', customer: { name: 'Quiet Corp', tier: 'B' } }),
      })
    ).status,
  ).toBe(201);
  const page = await newPage();
  await signIn(page, 'manager', '#sop=idle-sop');
  await page.waitForSelector('.card.is-idle [data-idle-since]', { timeout: WAIT_MS });
  await page.waitForSelector('.card [data-response="cause"]', { timeout: WAIT_MS });
  const text = await page.textContent('.card[data-deal-id="idle-1"]');
  expect(text).toContain('Idle: no contact for');
  expect(text).toContain('Needs a cause of the delay, due in');
  await page.screenshot({ path: path.join(RESULTS, 'board-idle.png') });
  await act('idle-1', { type: 'explain_delay', cause: 'Buyer at a trade fair' });
  await page.waitForFunction(() => !document.querySelector('.card[data-deal-id="idle-1"] [data-response]'), undefined, {
    timeout: WAIT_MS,
  });
  await page.waitForFunction(() => !document.querySelector('.card[data-deal-id="idle-1"]')?.classList.contains('is-idle'), undefined, {
    timeout: WAIT_MS,
  });
});
