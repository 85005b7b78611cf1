import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WEB_DIR } from '../../api/board-static';
import type { Sop } from '../../domain';
import { dealWorkflow } from '../../workflows';
import { dealWorkflowId } from '../../workflows/messages';
import { ALICE, makeOpening, makeSop } from '../helpers/fixtures';
import { BoardBrowser, RESULTS, signIn as signInAt } from '../helpers/board-browser';
import { freePort } from '../helpers/ports';
import { KEYS, TestService, dealBody, quickSop, type KeyName } from '../helpers/service';
import { startReceiver } from '../receivers/receiver-server';

// The browser's globals, for the functions these tests run inside the page (the project's lib has no DOM).
declare const document: any;
declare const window: any;
declare const sessionStorage: any;

/** The board refreshes this often in these tests (`?refresh=`); the product default is 2 s. */
const REFRESH_MS = 300;
const WAIT_MS = 15_000;

let service: TestService;
let browser: BoardBrowser;

async function act(dealId: string, action: Record<string, unknown>): Promise<void> {
  const reply = await service.call('POST', `/v1/deals/${dealId}/actions`, { body: action });
  if (reply.status !== 200) throw new Error(`${action.type} on ${dealId}: ${reply.status} ${JSON.stringify(reply.body)}`);
}

async function openDeal(dealId: string, overrides: Record<string, unknown>, actions: Record<string, unknown>[] = []): Promise<void> {
  const reply = await service.call('POST', '/v1/deals', { body: dealBody(dealId, overrides) });
  if (reply.status !== 201) throw new Error(`open ${dealId}: ${reply.status} ${JSON.stringify(reply.body)}`);
  for (const action of actions) await act(dealId, action);
}

const finishRequirements = [
  { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc', ref: 'crm://doc/1' },
  { type: 'complete_stage', stage: 'requirements' },
];

function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  return browser.page({ viewport: { width: 1400, height: 900 }, ...options });
}

function signIn(page: Page, as: KeyName, hash = ''): Promise<void> {
  return signInAt(page, service.url, as, hash, REFRESH_MS);
}

/** The board as the page shows it: dealIds per column (sorted), and the column counts. */
function boardState(page: Page): Promise<{ columns: string[]; deals: Record<string, string[]>; counts: Record<string, string> }> {
  return page.evaluate(() => {
    const columns = [...document.querySelectorAll('.column')];
    const deals: Record<string, string[]> = {};
    const counts: Record<string, string> = {};
    for (const column of columns) {
      const stage = column.dataset.stage;
      deals[stage] = [...column.querySelectorAll('.card')].map((card: any) => card.dataset.dealId).sort();
      counts[stage] = column.querySelector('.count').textContent;
    }
    return { columns: columns.map((column: any) => column.dataset.stage), deals, counts };
  });
}

/** Polls the page until `check` holds; on timeout the error shows what the page had instead. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; the page shows ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

function waitForDeals(page: Page, expected: Record<string, string[]>, what: string) {
  return eventually(
    () => boardState(page),
    (state) => Object.entries(expected).every(([stage, ids]) => JSON.stringify(state.deals[stage]) === JSON.stringify([...ids].sort())),
    what,
  );
}

const cardHealth = (page: Page, dealId: string) =>
  page.evaluate((id) => document.querySelector(`.card[data-deal-id="${id}"]`)?.dataset.health ?? null, dealId);

beforeAll(async () => {
  [service, browser] = await Promise.all([TestService.start(), BoardBrowser.launch()]);
  for (const sop of [quickSop(), { ...quickSop('lite-sop'), name: 'Second SOP', stages: [{ id: 'qualify', name: 'Qualified' }] }]) {
    const published = await service.call('POST', '/v1/sops', { body: sop });
    expect(published.status).toBe(201);
  }
  await Promise.all([
    // Tier A skips "pricing" by the SOP's fast-lane rule; its open request breaches after 3 s.
    openDeal('alice-north', { owner: 'alice', customer: { name: 'Northwind', tier: 'A' }, amount: 800_000 }, [
      { type: 'request_revision', stage: 'requirements', reason: 'Scope unclear' },
      ...finishRequirements,
      { type: 'raise_risk', riskId: 'dm-changed', summary: 'Decision-maker changed' },
      { type: 'open_request', requestId: 'q-1', summary: 'Security questionnaire' },
    ]),
    openDeal(
      'alice-globex',
      { owner: 'alice', customer: { name: 'Globex', tier: 'B' }, amount: 2_500_000, currency: 'USD' },
      finishRequirements,
    ),
    openDeal('bob-initech', { owner: 'bob', customer: { name: 'Initech', tier: 'B' }, amount: 400_000 }, finishRequirements),
    openDeal('bob-umbrella', { owner: 'bob', customer: { name: 'Umbrella', tier: 'C' }, amount: 150_000 }, [
      ...finishRequirements,
      { type: 'complete_stage', stage: 'pricing' },
    ]),
    openDeal('lite-1', { owner: 'bob', sopId: 'lite-sop' }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

afterEach(() => {
  expect(browser.problems.splice(0)).toEqual([]);
});

test('the board is served at / without a key, with a CSP of its own origin only', async () => {
  const index = await fetch(`${service.url}/`);
  expect(index.status).toBe(200);
  expect(index.headers.get('content-type')).toMatch(/text\/html/);
  expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(index.headers.get('cache-control')).toBe('no-cache');
  const script = await fetch(`${service.url}/app.js`);
  expect(script.headers.get('content-type')).toMatch(/javascript/);
  // The data is not: /v1 still wants a key.
  expect((await fetch(`${service.url}/v1/deals`)).status).toBe(401);
});

test("API answers never look in the board's folder and carry no ETag; the board's files keep theirs", async () => {
  const stat = jest.spyOn(fs, 'stat');
  const boardLookups = () => stat.mock.calls.filter(([file]) => String(file).startsWith(WEB_DIR)).length;
  try {
    const reply = await fetch(`${service.url}/v1/deals`, { headers: { authorization: `Bearer ${KEYS.admin.token}` } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBeNull();
    expect(boardLookups()).toBe(0);
    // The spy does see the board's own lookups.
    const index = await fetch(`${service.url}/index.html`);
    expect(index.headers.get('etag')).not.toBeNull();
    expect(boardLookups()).toBeGreaterThan(0);
  } finally {
    stat.mockRestore();
  }
});

test('sign in: a wrong key is refused; the right one shows the columns in stage order with their counts', async () => {
  const page = await newPage();
  await page.goto(`${service.url}/?refresh=${REFRESH_MS}`);
  await page.fill('#api-key', 'not-a-key');
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#signin-error:not([hidden])');
  expect(await page.textContent('#signin-error')).toMatch(/not accepted/);

  await signIn(page, 'manager');
  const state = await waitForDeals(
    page,
    { requirements: [], pricing: ['alice-globex', 'bob-initech'], contract: ['alice-north', 'bob-umbrella'] },
    'the seeded quick-sop deals',
  );
  expect(state.columns).toEqual(['requirements', 'pricing', 'contract']);
  expect(state.counts).toEqual({ requirements: '0', pricing: '2', contract: '2' });
  expect(await page.textContent('.column[data-stage="contract"] .stage-name')).toBe('Contract signed');
  expect(page.url()).toContain('sop=quick-sop');

  const card = await page.textContent('.card[data-deal-id="alice-globex"]');
  expect(card).toContain('Globex');
  expect(card).toContain('Tier B');
  expect(card).toContain('alice');
  expect(card).toMatch(/USD 2,500,000/);
  expect(card).toMatch(/In stage \d+ s/);
  expect(await page.textContent('.card[data-deal-id="alice-globex"] .health-badge')).toBe('Green · on track');

  // Another SOP: its own columns.
  await page.selectOption('#sop', 'lite-sop');
  const lite = await waitForDeals(page, { qualify: ['lite-1'] }, 'the lite-sop board');
  expect(lite.columns).toEqual(['qualify']);
  await page.selectOption('#sop', 'quick-sop');
  await waitForDeals(page, { pricing: ['alice-globex', 'bob-initech'] }, 'quick-sop again');

  await page.click('#sign-out');
  await page.waitForSelector('#signin:not([hidden])');
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  expect(await page.$$('.card')).toHaveLength(0);
});

test("a deal's detail: timeline newest first, deliverables, skipped stage with its rule, revisions, risks, requests, escalations", async () => {
  const page = await newPage();
  await signIn(page, 'manager', '#sop=quick-sop');
  await page.click('.card[data-deal-id="alice-north"] .card-open');
  await page.waitForSelector('#deal-dialog[open] [data-section="timeline"]');
  expect(page.url()).toContain('deal=alice-north');

  const text = (selector: string) => page.textContent(`#deal-dialog ${selector}`);
  expect(await text('[data-section="stage"]')).toMatch(/Contract signed[\s\S]*0 of 1 submitted[\s\S]*contract — missing/);
  expect(await text('[data-section="stages"] tr[data-stage="pricing"]')).toMatch(/Skipped by rule customer\.tier = "A"/);
  expect(await text('[data-section="stages"] tr[data-stage="requirements"]')).toMatch(/Done.*1$/);
  expect(await text('[data-section="risks"]')).toMatch(/1 open, 0 resolved[\s\S]*Decision-maker changed/);
  expect(await text('[data-section="requests"]')).toMatch(/q-1 — Security questionnaire/);

  const events = await page.$$eval('#deal-dialog .timeline li', (items) => items.map((item: any) => item.dataset.event));
  expect(events[events.length - 1]).toBe('deal_created');
  expect(events).toEqual(expect.arrayContaining(['stage_skipped', 'revision_requested', 'risk_raised', 'request_opened']));
  expect(await text('.timeline')).toContain('Stage skipped (fast lane)');

  // The request breaches 3 s after it opened; the open panel shows the escalation and its delivery.
  await eventually(
    () => page.textContent('#deal-dialog [data-section="escalations"]'),
    (section) => /Request SLA breached[\s\S]*Delivery skipped/.test(section ?? ''),
    'the request breach in the open detail',
  );
  await page.screenshot({ path: path.join(RESULTS, 'board-detail.png') });

  await page.keyboard.press('Escape');
  await page.waitForSelector('#deal-dialog', { state: 'hidden' });
  // The dialog's `close` event (which drops `deal=` from the hash) is a task queued after the dialog
  // hides, and Playwright learns of the new URL from the browser after that: wait for the URL itself.
  await page.waitForURL((url) => !url.hash.includes('deal='), { timeout: WAIT_MS });
  expect(await page.evaluate(() => window.location.hash)).not.toContain('deal=');
  // A link to the deal opens it directly.
  await page.goto(`${service.url}/?refresh=${REFRESH_MS}#sop=quick-sop&deal=bob-initech`);
  await page.waitForSelector('#deal-dialog[open] [data-section="timeline"]');
  expect(await page.textContent('#deal-title')).toContain('bob-initech');
});

test('a deal whose workflow task keeps failing says why in its detail', async () => {
  // Started the way no API would: an SOP snapshot without a stages array, which our workflow code throws on.
  const dealId = 'stuck-north';
  const handle = await service.env.client.workflow.start(dealWorkflow, {
    taskQueue: service.taskQueue,
    workflowId: dealWorkflowId(dealId),
    args: [{ opening: makeOpening({ dealId }), sop: { ...makeSop(), stages: null } as unknown as Sop, openedBy: ALICE }],
  });
  try {
    const page = await newPage();
    await signIn(page, 'manager', `#sop=quick-sop&deal=${dealId}`);
    await page.waitForSelector('#deal-dialog[open]');
    const body = await eventually(
      () => page.textContent('#deal-body'),
      (text) => /cannot be read right now/.test(text ?? ''),
      'the stuck deal explained in its detail',
    );
    expect(body).toMatch(/its workflow task keeps failing .* with an error in the workflow code/);
  } finally {
    await handle.terminate('test done');
  }
});

test('a card turns yellow, then red, when its stage SLA passes, without a reload', async () => {
  const page = await newPage();
  await signIn(page, 'manager', '#sop=quick-sop');
  await waitForDeals(page, { pricing: ['alice-globex', 'bob-initech'] }, 'the board');
  await page.evaluate(() => (window.sameDocument = true));

  await openDeal('bob-hooli', { owner: 'bob', customer: { name: 'Hooli', tier: 'C' }, amount: 90_000 });
  const state = await waitForDeals(page, { requirements: ['bob-hooli'] }, 'the new deal on the board');
  expect(state.counts.requirements).toBe('1');
  const seen: (string | null)[] = [];
  await eventually(
    async () => {
      const health = await cardHealth(page, 'bob-hooli');
      if (seen[seen.length - 1] !== health) seen.push(health);
      return seen;
    },
    (healths) => healths.includes('red'),
    'bob-hooli to breach',
  );
  // Warning after 2 s, breach after 4 s: the board refreshes often enough to show the yellow between.
  expect(seen.slice(-2)).toEqual(['yellow', 'red']);
  expect(await page.textContent('.card[data-deal-id="bob-hooli"] .health-badge')).toBe('Red · breached');
  expect(await page.evaluate(() => window.sameDocument)).toBe(true);
  await page.screenshot({ path: path.join(RESULTS, 'board.png'), fullPage: true });
});

test('filters by owner, tier and health go to the API and live in the URL', async () => {
  const page = await newPage();
  await signIn(page, 'manager', '#sop=quick-sop');
  await waitForDeals(page, { contract: ['alice-north', 'bob-umbrella'] }, 'the board');

  await page.fill('#filter-owner', 'bob');
  await page.press('#filter-owner', 'Enter');
  await waitForDeals(page, { requirements: ['bob-hooli'], pricing: ['bob-initech'], contract: ['bob-umbrella'] }, "bob's deals");
  expect(page.url()).toContain('owner=bob');

  await page.selectOption('#filter-tier', 'C');
  await waitForDeals(page, { requirements: ['bob-hooli'], pricing: [], contract: ['bob-umbrella'] }, "bob's tier C deals");
  expect(page.url()).toMatch(/owner=bob.*tier=C/);

  await page.reload();
  await page.waitForSelector('#workspace:not([hidden])');
  const kept = await waitForDeals(
    page,
    { requirements: ['bob-hooli'], pricing: [], contract: ['bob-umbrella'] },
    'the filters after a reload',
  );
  expect(kept.counts).toEqual({ requirements: '1', pricing: '0', contract: '1' });
  expect(await page.inputValue('#filter-owner')).toBe('bob');
  expect(await page.inputValue('#filter-tier')).toBe('C');

  await page.click('#clear-filters');
  await page.selectOption('#filter-health', 'red');
  // alice-north's request and bob-hooli's stage have breached.
  await waitForDeals(page, { requirements: ['bob-hooli'], pricing: [], contract: ['alice-north'] }, 'the red deals');
  expect(page.url()).toContain('health=red');
  expect(page.url()).not.toContain('owner=');
});

test("a rep's key shows only the rep's own deals, and no analytics tab", async () => {
  const page = await newPage();
  await signIn(page, 'alice', '#sop=quick-sop');
  await waitForDeals(page, { requirements: [], pricing: ['alice-globex'], contract: ['alice-north'] }, "alice's deals");
  const owners = await page.$$eval('.card', (cards) => cards.map((card: any) => card.dataset.owner));
  expect(new Set(owners)).toEqual(new Set(['alice']));
  expect(await page.isHidden('#tab-analytics')).toBe(true);

  const me = await service.call('GET', '/v1/me', { as: 'alice' });
  if (me.status === 200) {
    await page.waitForSelector('#whoami:not([hidden])');
    expect(await page.textContent('#whoami')).toContain('alice');
    expect(await page.isHidden('#owner-filter')).toBe(true);
  } else {
    expect(me.status).toBe(404);
    expect(await page.isHidden('#whoami')).toBe(true);
  }
});

test('analytics: the tab shows for a manager when the API has analytics', async () => {
  const page = await newPage();
  await signIn(page, 'manager', '#sop=quick-sop');
  await waitForDeals(page, { contract: ['alice-north', 'bob-umbrella'] }, 'the board');
  const analytics = await service.call('GET', '/v1/sops/quick-sop/analytics', { as: 'manager' });
  if (analytics.status !== 200) {
    expect([403, 404]).toContain(analytics.status);
    expect(await page.isHidden('#tab-analytics')).toBe(true);
    return;
  }
  await page.click('#tab-analytics');
  await page.waitForSelector('#analytics-view:not([hidden]) .stage-table');
  expect(page.url()).toContain('view=analytics');
  const stages = await page.$$eval('.stage-table tbody tr', (rows) => rows.map((row: any) => row.dataset.stage));
  expect(stages).toEqual(['requirements', 'pricing', 'contract']);
  expect(await page.textContent('#analytics-view')).toContain('Where deals stall');
  await page.screenshot({ path: path.join(RESULTS, 'board-analytics.png'), fullPage: true });
});

test('on a phone-sized screen the columns scroll sideways and the detail fills the screen', async () => {
  const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await signIn(page, 'manager', '#sop=quick-sop');
  await waitForDeals(page, { contract: ['alice-north', 'bob-umbrella'] }, 'the board on a phone');

  const board = await page.evaluate(() => {
    const element = document.querySelector('#board');
    return { scrollWidth: element.scrollWidth, clientWidth: element.clientWidth, pageWidth: document.documentElement.scrollWidth };
  });
  expect(board.scrollWidth).toBeGreaterThan(board.clientWidth);
  expect(board.pageWidth).toBeLessThanOrEqual(390);

  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button, select, input')]
      .filter((element: any) => element.offsetParent !== null)
      .map((element: any) => ({
        id: element.id || element.textContent.trim().slice(0, 30),
        height: element.getBoundingClientRect().height,
      }))
      .filter((target: { height: number }) => target.height < 40),
  );
  expect(small).toEqual([]);

  // The last column is reachable by scrolling, and its cards open full-screen.
  const card = page.locator('.column[data-stage="contract"] .card[data-deal-id="bob-umbrella"] .card-open');
  await card.scrollIntoViewIfNeeded();
  const box = await card.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  await page.screenshot({ path: path.join(RESULTS, 'board-phone.png') });
  await card.tap();
  await page.waitForSelector('#deal-dialog[open] [data-section="timeline"]');
  const dialog = await page.locator('#deal-dialog').boundingBox();
  expect(dialog).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
  await page.screenshot({ path: path.join(RESULTS, 'board-phone-detail.png') });
  await page.tap('#deal-close');
  await page.waitForSelector('#deal-dialog', { state: 'hidden' });
});

test('a key that stops working sends the board back to sign-in', async () => {
  const page = await newPage();
  await signIn(page, 'viewer', '#sop=quick-sop');
  await waitForDeals(page, { contract: ['alice-north', 'bob-umbrella'] }, 'the board');
  await page.evaluate(() => sessionStorage.setItem('sales-sop.api-key', 'revoked-key'));
  await page.reload();
  await page.waitForSelector('#signin:not([hidden])');
  expect(await page.textContent('#signin-error')).toMatch(/not accepted/);
});

test('a 503 or 403 from the API shows a banner; the board keeps its cards and ticking times, and recovers', async () => {
  const page = await newPage();
  await signIn(page, 'manager', '#sop=quick-sop');
  await waitForDeals(page, { pricing: ['alice-globex', 'bob-initech'] }, 'the board');
  const problem = (status: number, title: string) => ({
    status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title, status, detail: `${title} (from the test).` }),
  });
  const inStage = () => page.textContent('.card[data-deal-id="alice-globex"] .in-stage time');

  await page.route('**/v1/deals?*', (route) => route.fulfill(problem(503, 'Service Unavailable')));
  await page.waitForSelector('#banner:not([hidden])');
  expect(await page.textContent('#banner')).toMatch(/Temporal is unavailable \(503\); retrying/);
  const before = await inStage();
  await eventually(inStage, (now) => now !== before, 'the time in stage to tick while the API is down', 3000);
  expect(await page.$$('.card')).not.toHaveLength(0);

  await page.unroute('**/v1/deals?*');
  await page.route('**/v1/deals?*', (route) => route.fulfill(problem(403, 'Forbidden')));
  await eventually(
    () => page.textContent('#banner'),
    (text) => /Not allowed \(403\)/.test(text ?? ''),
    'the 403 banner',
  );

  await page.unroute('**/v1/deals?*');
  await page.waitForSelector('#banner', { state: 'hidden' });
  await waitForDeals(page, { pricing: ['alice-globex', 'bob-initech'] }, 'the board after recovery');
});

test('ops migrate deals from the SOP page after a dry run, and follow it to the end', async () => {
  const v1 = {
    id: 'zeta-sop',
    version: 1,
    name: 'Zeta migration SOP',
    stages: [
      { id: 'legal', name: 'Legal', deliverables: ['nda'] },
      { id: 'close', name: 'Close' },
    ],
  };
  const v2 = {
    ...v1,
    version: 2,
    stages: [{ id: 'contract', name: 'Contract', deliverables: ['nda', 'dpa'], sla: { breachAfter: '1s' } }, v1.stages[1]],
  };
  expect((await service.call('POST', '/v1/sops', { body: v1 })).status).toBe(201);
  await openDeal('zeta-1', { owner: 'alice', sopId: 'zeta-sop' }, [{ type: 'submit_deliverable', stage: 'legal', deliverable: 'nda' }]);
  expect((await service.call('POST', '/v1/sops', { body: v2 })).status).toBe(201);
  // A second after it opened, v2's one-second breach is already past for the deal.
  await new Promise((resolve) => setTimeout(resolve, 1_100));

  const rep = await newPage();
  await signIn(rep, 'alice', '#sop=zeta-sop');
  await rep.waitForSelector('#whoami:not([hidden])');
  expect(await rep.isHidden('#tab-migrate')).toBe(true);

  const page = await newPage();
  await signIn(page, 'ops', '#sop=zeta-sop&view=migrate');
  await page.waitForSelector('#migrate-view:not([hidden]) #migrate-dry-run');
  expect(await page.isDisabled('#migrate-start')).toBe(true);
  await page.selectOption('#map-legal', 'contract');
  await page.click('#migrate-dry-run');
  const row = await page.waitForSelector('table.dry-run tr[data-deal="zeta-1"]');
  const cells = await row.$$eval('th, td', (items) => items.map((item: any) => item.textContent));
  expect(cells).toEqual(['zeta-1', 'v1', 'legal → contract', 'Stage SLA breached', 'dpa', 'migrate']);
  expect(await page.textContent('#migrate-start')).toBe('Migrate 1 deal to v2');
  await page.screenshot({ path: path.join(RESULTS, 'board-migrate-dry-run.png'), fullPage: true });
  expect((await service.call('GET', '/v1/deals/zeta-1')).body.sop.version).toBe(1);

  await page.click('#migrate-start');
  const progress = await eventually(
    () => page.textContent('.migration-progress'),
    (text) => /completed/.test(text ?? ''),
    'the migration to complete on the page',
  );
  expect(progress).toContain('1 migrated, 0 refused, 0 skipped, 0 pending of 1');
  await page.screenshot({ path: path.join(RESULTS, 'board-migrate-done.png'), fullPage: true });
  expect((await service.call('GET', '/v1/deals/zeta-1')).body).toMatchObject({ sop: { version: 2 }, stage: { id: 'contract' } });
});

test('the deal detail offers move and reopen to managers, sending an alert again to ops, and nothing to reps', async () => {
  // No alert system is configured here: the stage's warning is recorded as skipped, for ops to send again.
  await openDeal('repair-1', { owner: 'alice' });
  await eventually(
    async () => (await service.call('GET', '/v1/deals/repair-1')).body.escalations,
    (alerts: Array<{ delivery: string }>) => alerts.some((alert) => alert.delivery === 'skipped'),
    'the stage warning (2 s)',
  );
  const manager = await newPage();
  await signIn(manager, 'manager', '#sop=quick-sop&deal=repair-1');
  await manager.waitForSelector('#deal-dialog[open] [data-section="repairs"] form.move');
  expect(await manager.$('#deal-dialog [data-section="repairs"] .redeliver')).toBeNull();
  await manager.selectOption('#move-stage', 'contract');
  await manager.fill('#move-reason', 'signed early');
  // The deal changes while the manager types (an activity logged): the half-filled form stays.
  await act('repair-1', { type: 'log_activity', kind: 'call' });
  await new Promise((resolve) => setTimeout(resolve, REFRESH_MS * 4));
  expect(await manager.inputValue('#move-reason')).toBe('signed early');
  await manager.click('#deal-dialog form.move button');
  await eventually(
    () => manager.textContent('#deal-dialog [data-section="stage"] h3'),
    (text) => text === 'Current stage: Contract signed',
    'the detail to show the moved stage',
  );
  expect(
    await eventually(
      async () => (await service.call('GET', '/v1/deals/repair-1')).body.stage.id,
      (id) => id === 'contract',
      'the move',
    ),
  ).toBe('contract');

  await act('repair-1', { type: 'mark_lost', reason: 'budget' });
  await manager.waitForSelector('#deal-dialog form.reopen', { timeout: WAIT_MS });
  await manager.fill('#reopen-reason', 'lost by mistake');
  await manager.click('#deal-dialog form.reopen button');
  await eventually(
    async () => (await service.call('GET', '/v1/deals/repair-1')).body.status,
    (status) => status === 'open',
    'the reopen',
  );

  const rep = await newPage();
  await signIn(rep, 'alice', '#sop=quick-sop&deal=repair-1');
  await rep.waitForSelector('#deal-dialog[open] [data-section="timeline"]');
  expect(await rep.$('#deal-dialog [data-section="repairs"]')).toBeNull();

  const ops = await newPage();
  await signIn(ops, 'ops', '#sop=quick-sop&deal=repair-1');
  const resend = await ops.waitForSelector('#deal-dialog .redeliver li button', { timeout: WAIT_MS });
  await resend.click();
  await eventually(
    async () => (await service.call('GET', '/v1/deals/repair-1/timeline')).body.events.map((e: { type: string }) => e.type),
    (types: string[]) => types.includes('alert_redelivered'),
    'the alert to be sent again',
  );
  await ops.screenshot({ path: path.join(RESULTS, 'board-repairs.png') });
});

test("the deal detail shows each alert's deliveries per endpoint to ops, and not to reps", async () => {
  const port = await freePort();
  const created = await service.call('POST', '/v1/alert-endpoints', {
    as: 'ops',
    body: { url: `http://127.0.0.1:${port}/alerts`, description: 'Ops bus', events: ['deal.sla.warning'] },
  });
  const receiver = await startReceiver({ format: 'standard', port: Number(port), settings: { secrets: [created.body.signingSecret] } });
  try {
    await openDeal('routed-1', { owner: 'alice' });
    await eventually(
      async () => receiver.messages.length,
      (n) => n === 1,
      'the warning at the endpoint (2 s)',
    );
    const ops = await newPage();
    await signIn(ops, 'ops', '#sop=quick-sop&deal=routed-1');
    const line = await ops.waitForSelector(`#deal-dialog [data-section="escalations"] [data-endpoint="${created.body.id}"]`, {
      timeout: WAIT_MS,
    });
    expect(await line.getAttribute('data-delivery-state')).toBe('delivered');
    expect(await line.textContent()).toMatch(/Ops bus \(standard\) delivered 1 attempt/);
    const rep = await newPage();
    await signIn(rep, 'alice', '#sop=quick-sop&deal=routed-1');
    await rep.waitForSelector('#deal-dialog[open] [data-section="escalations"] [data-alert]', { timeout: WAIT_MS });
    expect(await rep.$('#deal-dialog [data-endpoint]')).toBeNull();
  } finally {
    await receiver.stop();
  }
});
