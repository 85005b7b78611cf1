import { renderAnalytics } from './analytics.js';
import { ApiError, createApi } from './api.js';
import { Board } from './board.js';
import { tick } from './clock.js';
import { renderDetail } from './detail.js';
import { byId, h } from './dom.js';
import { readView, refreshInterval, writeView } from './location.js';
import { MigrationPanel } from './migrate.js';
import { renderRisks } from './risks.js';
import { WhatIfPanel } from './what-if.js';

/**
 * The pipeline board's controller: sign-in, one refresh loop over the API, and the URL hash as the
 * single record of what is on screen (SOP, filters, tab, open deal).
 */

const KEY_STORAGE = 'sales-sop.api-key';
const SOPS_EVERY_MS = 30_000;
const ANALYTICS_EVERY_MS = 10_000;

const ui = {
  signin: byId('signin'),
  signinForm: /** @type {HTMLFormElement} */ (byId('signin-form')),
  keyInput: /** @type {HTMLInputElement} */ (byId('api-key')),
  signinError: byId('signin-error'),
  workspace: byId('workspace'),
  whoami: byId('whoami'),
  signOut: byId('sign-out'),
  banner: byId('banner'),
  sop: /** @type {HTMLSelectElement} */ (byId('sop')),
  tabBoard: byId('tab-board'),
  tabAnalytics: byId('tab-analytics'),
  tabMigrate: byId('tab-migrate'),
  tabWhatIf: byId('tab-whatif'),
  tabRisks: byId('tab-risks'),
  risksView: byId('risks-view'),
  whatIfView: byId('whatif-view'),
  migrateView: byId('migrate-view'),
  boardView: byId('board-view'),
  analyticsView: byId('analytics-view'),
  filters: /** @type {HTMLFormElement} */ (byId('filters')),
  ownerFilter: byId('owner-filter'),
  owner: /** @type {HTMLInputElement} */ (byId('filter-owner')),
  owners: byId('owners'),
  tier: /** @type {HTMLSelectElement} */ (byId('filter-tier')),
  health: /** @type {HTMLSelectElement} */ (byId('filter-health')),
  clearFilters: byId('clear-filters'),
  summary: byId('board-summary'),
  dialog: /** @type {HTMLDialogElement} */ (byId('deal-dialog')),
  dealTitle: byId('deal-title'),
  dealBody: byId('deal-body'),
  dealClose: byId('deal-close'),
};

const board = new Board(byId('board'), (dealId) => writeView({ deal: dealId }));
const migration = new MigrationPanel(byId('migrate-view'));
const whatIf = new WhatIfPanel(byId('whatif-view'));
/** Roles that run what-ifs (`CONTRACT.md` v2.2). */
const SIMULATORS = new Set(['admin', 'ops', 'manager']);
/** Roles that migrate deals (`CONTRACT.md` v2.1). */
const MIGRATORS = new Set(['admin', 'ops']);

const session = {
  /** @type {import('./api.js').Api | null} */
  api: null,
  /** @type {{ subject: string, role: string } | null} */
  me: null,
  meAsked: false,
  /** @type {any[] | null} */
  sops: null,
  sopsAt: 0,
  /** @type {Map<string, any>} SOP versions by `id@version`, for a deal's own stage names */
  sopVersions: new Map(),
  /** @type {Map<string, 'available' | 'hidden'>} whether the analytics tab shows, by SOP */
  analytics: new Map(),
  analyticsAt: 0,
  analyticsSop: '',
  /** @type {Set<string>} SOPs whose pace endpoint answered 403 or 404 */
  noPace: new Set(),
  /** @type {Set<string>} */
  ownersSeen: new Set(),
  detailSignature: '',
};

// --- refresh loop --------------------------------------------------------------------------------

const interval = refreshInterval();
let timer = 0;
let running = false;
let again = false;

function schedule() {
  clearTimeout(timer);
  if (session.api) timer = window.setTimeout(run, interval);
}

/** Refreshes everything on screen; a call while one is running makes it run once more after. */
async function run() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  clearTimeout(timer);
  const api = session.api;
  try {
    if (api && !document.hidden) {
      await refresh(api);
      if (api === session.api) showBanner(null);
    }
  } catch (error) {
    if (api === session.api) handleError(error);
  } finally {
    running = false;
    if (again) {
      again = false;
      void run();
    } else schedule();
  }
}

/** @param {import('./api.js').Api} api */
async function refresh(api) {
  if (!session.meAsked) await loadMe(api);
  if (!session.sops || Date.now() - session.sopsAt > SOPS_EVERY_MS) await loadSops(api);
  const sops = session.sops ?? [];
  const view = readView();
  const sop = sops.find((candidate) => candidate.id === view.sop) ?? sops[0];
  if (!sop) {
    board.clear();
    ui.summary.textContent = 'No SOP is published yet.';
    return;
  }
  if (sop.id !== view.sop) {
    writeView({ sop: sop.id }, { replace: true });
    return;
  }
  await Promise.all([
    refreshBoard(api, sop, view),
    refreshAnalytics(api, sop, view),
    refreshDetail(api, view),
    refreshMigration(api, sop, view),
    refreshWhatIf(api, sop, view),
    refreshRisks(api, sop, view),
  ]);
}

/**
 * The risk review of the SOP's open deals, while its tab shows.
 * @param {import('./api.js').Api} api
 * @param {any} sop
 * @param {import('./location.js').View} view
 */
async function refreshRisks(api, sop, view) {
  if (view.view !== 'risks') return;
  // The review reads every open deal: once per SOP shown, then every 10 s, not on every refresh.
  if (risksShown.sop === sop.id && Date.now() - risksShown.at < ANALYTICS_EVERY_MS) return;
  const review = await api.get(`/v1/risks?sopId=${encodeURIComponent(sop.id)}`);
  if (readView().view === 'risks' && readView().sop === sop.id) {
    renderRisks(ui.risksView, review, sop.name ?? sop.id);
    Object.assign(risksShown, { sop: sop.id, at: Date.now() });
  }
}
/** The SOP whose risk review is on screen, and when it was read. */
const risksShown = { sop: '', at: 0 };

/**
 * The what-if tab, for admin, ops and managers, with a draft of the SOP's newest version.
 * @param {import('./api.js').Api} api
 * @param {any} sop
 * @param {import('./location.js').View} view
 */
async function refreshWhatIf(api, sop, view) {
  const allowed = SIMULATORS.has(session.me?.role ?? '');
  ui.tabWhatIf.hidden = !allowed;
  if (!allowed) {
    if (view.view === 'whatif') writeView({ view: 'board' }, { replace: true });
    return;
  }
  if (view.view === 'whatif') whatIf.show(api, sop);
}

/**
 * The migration tab, for admin and ops, on the SOP's newest version.
 * @param {import('./api.js').Api} api
 * @param {any} sop
 * @param {import('./location.js').View} view
 */
async function refreshMigration(api, sop, view) {
  const allowed = MIGRATORS.has(session.me?.role ?? '');
  ui.tabMigrate.hidden = !allowed;
  if (!allowed) {
    if (view.view === 'migrate') writeView({ view: 'board' }, { replace: true });
    return;
  }
  if (view.view !== 'migrate') return;
  await migration.show(api, sop, (version) => sopVersion(api, { id: sop.id, version }));
}

/** The view a result was fetched for must still be the one on screen when it is drawn. */
function stillShowing(/** @type {import('./location.js').View} */ view) {
  const now = readView();
  return now.sop === view.sop && now.owner === view.owner && now.tier === view.tier && now.health === view.health && now.deal === view.deal;
}

/** @param {import('./api.js').Api} api */
async function loadMe(api) {
  try {
    session.me = await api.get('/v1/me');
    ui.whoami.textContent = `Signed in as ${session.me?.subject} (${session.me?.role})`;
    ui.whoami.hidden = false;
  } catch (error) {
    // Older APIs have no /v1/me: show no name rather than an error.
    if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 403)) throw error;
  }
  session.meAsked = true;
  ui.ownerFilter.hidden = session.me?.role === 'rep';
}

/** @param {import('./api.js').Api} api */
async function loadSops(api) {
  const body = await api.get('/v1/sops');
  session.sops = [...(body.sops ?? [])].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  session.sopsAt = Date.now();
  const current = readView().sop;
  const options = session.sops.map((sop) => h('option', { value: sop.id, text: `${sop.name} (${sop.id} v${sop.version})` }));
  const signature = JSON.stringify(session.sops.map((sop) => [sop.id, sop.version, sop.name]));
  if (ui.sop.dataset.signature !== signature) {
    ui.sop.replaceChildren(...options);
    ui.sop.dataset.signature = signature;
  }
  if (current) ui.sop.value = current;
}

/**
 * @param {import('./api.js').Api} api
 * @param {any} sop
 * @param {import('./location.js').View} view
 */
async function refreshBoard(api, sop, view) {
  const query = new URLSearchParams({ sopId: sop.id, status: 'open', pageSize: '100' });
  if (view.owner) query.set('owner', view.owner);
  if (view.tier) query.set('tier', view.tier);
  if (view.health) query.set('health', view.health);
  const [deals, pace] = await Promise.all([api.all(`/v1/deals?${query}`, 'deals'), loadPace(api, sop.id)]);
  if (!stillShowing(view)) return;
  board.render(sop.stages ?? [], deals, pace);
  for (const deal of deals) session.ownersSeen.add(deal.owner);
  if (ui.owners.childElementCount !== session.ownersSeen.size) {
    ui.owners.replaceChildren(...[...session.ownersSeen].sort().map((owner) => h('option', { value: owner })));
  }
  const filters = [view.owner && `owner ${view.owner}`, view.tier && `tier ${view.tier}`, view.health && `health ${view.health}`].filter(
    Boolean,
  );
  ui.summary.textContent = `${deals.length} open ${deals.length === 1 ? 'deal' : 'deals'}${filters.length ? `, filtered by ${filters.join(', ')}` : ''}.`;
}

/**
 * Each open deal's pace against its peers; a board without analytics shows no pace.
 * @param {import('./api.js').Api} api
 * @param {string} sopId
 * @returns {Promise<Map<string, number | null>>}
 */
async function loadPace(api, sopId) {
  const pace = new Map();
  if (session.noPace.has(sopId)) return pace;
  try {
    const deals = await api.all(`/v1/sops/${encodeURIComponent(sopId)}/analytics/pace?pageSize=100`, 'deals');
    for (const deal of deals) pace.set(deal.dealId, deal.pace);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) session.noPace.add(sopId);
  }
  return pace;
}

/**
 * Asks once per SOP whether the caller may read analytics (a rep may not: the tab hides), and
 * refreshes them every 10 s while the tab is open.
 * @param {import('./api.js').Api} api
 * @param {any} sop
 * @param {import('./location.js').View} view
 */
async function refreshAnalytics(api, sop, view) {
  const known = session.analytics.get(sop.id);
  const showing = view.view === 'analytics';
  const shown = `${sop.id}|${view.from}|${view.to}`;
  const stale = session.analyticsSop !== shown || Date.now() - session.analyticsAt > ANALYTICS_EVERY_MS;
  if (known === 'hidden' || (known && !(showing && stale))) return showAnalyticsTab(sop.id);
  const period = new URLSearchParams({
    ...(view.from && { from: `${view.from}T00:00:00Z` }),
    ...(view.to && { to: `${view.to}T23:59:59Z` }),
  }).toString();
  try {
    const analytics = await api.get(`/v1/sops/${encodeURIComponent(sop.id)}/analytics${period ? `?${period}` : ''}`);
    session.analytics.set(sop.id, 'available');
    session.analyticsAt = Date.now();
    session.analyticsSop = shown;
    const now = readView();
    if (now.sop === sop.id && now.from === view.from && now.to === view.to) {
      renderAnalytics(ui.analyticsView, analytics, { from: view.from, to: view.to }, (picked) => writeView(picked));
    }
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) session.analytics.set(sop.id, 'hidden');
    else if (showing) throw error;
  }
  showAnalyticsTab(sop.id);
}

/** @param {string} sopId */
function showAnalyticsTab(sopId) {
  const available = session.analytics.get(sopId) === 'available';
  ui.tabAnalytics.hidden = !available;
  if (!available && readView().view === 'analytics') writeView({ view: 'board' }, { replace: true });
}

/**
 * @param {import('./api.js').Api} api
 * @param {import('./location.js').View} view
 */
async function refreshDetail(api, view) {
  if (!view.deal) return;
  const path = `/v1/deals/${encodeURIComponent(view.deal)}`;
  let deal;
  let timeline;
  /** @type {any} */
  let explanation = null;
  /** @type {any} */
  let deliveries = null;
  const role = session.me?.role ?? null;
  try {
    [deal, timeline, explanation, deliveries] = await Promise.all([
      api.get(path),
      api.get(`${path}/timeline`),
      // Why each deadline falls when it does; the detail shows without it if it cannot be had.
      api.get(`${path}/explain`).catch(() => null),
      // Where each alert went beyond the built-in endpoint: for those who manage endpoints.
      role === 'admin' || role === 'ops' ? api.get(`${path}/deliveries`).catch(() => null) : Promise.resolve(null),
    ]);
  } catch (error) {
    const stuck = error instanceof ApiError && error.status === 503 && error.problem?.code === 'deal_unavailable';
    if (!(error instanceof ApiError) || (error.status !== 404 && !stuck)) throw error;
    const text = stuck ? `This deal cannot be read right now. ${error.problem?.detail ?? ''}` : `No deal “${view.deal}” that you may read.`;
    if (stillShowing(view)) ui.dealBody.replaceChildren(h('p', { class: 'error', text }));
    session.detailSignature = '';
    return;
  }
  const sop = await sopVersion(api, deal.sop);
  if (!stillShowing(view)) return;
  const entries = timeline?.events ?? [];
  const signature = JSON.stringify([deal, entries, explanation, deliveries]);
  ui.dealTitle.textContent = `${deal.customer?.name ?? ''} · ${deal.dealId}`;
  if (signature === session.detailSignature) return;
  // Someone is filling in a repair: redraw once they send it or leave the form, not under their typing.
  if (ui.dealBody.querySelector('[data-section="repairs"]')?.contains(document.activeElement)) return;
  session.detailSignature = signature;
  renderDetail(
    ui.dealBody,
    deal,
    entries,
    sop,
    { role: session.me?.role ?? null, send: (path, body) => sendRepair(api, path, body) },
    explanation,
    deliveries,
  );
}

/**
 * A repair from the deal detail: the line to show, and the detail drawn again at once.
 * @param {import('./api.js').Api} api
 * @param {string} path
 * @param {unknown} [body]
 */
async function sendRepair(api, path, body) {
  try {
    await api.post(path, body);
    // Out of the form, so the detail is drawn again with what the repair changed.
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    session.detailSignature = '';
    void run();
    return 'Done.';
  } catch (error) {
    if (error instanceof ApiError)
      return `Refused (${error.status}${error.problem?.code ? ` ${error.problem.code}` : ''}): ${error.message}`;
    return `Failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * A deal's own SOP version (it may be older than the board's), read once.
 * @param {import('./api.js').Api} api
 * @param {{ id: string, version: number }} ref
 */
async function sopVersion(api, ref) {
  const key = `${ref.id}@${ref.version}`;
  if (!session.sopVersions.has(key)) {
    try {
      session.sopVersions.set(key, await api.get(`/v1/sops/${encodeURIComponent(ref.id)}/versions/${ref.version}`));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      session.sopVersions.set(key, null);
    }
  }
  return session.sopVersions.get(key);
}

// --- errors --------------------------------------------------------------------------------------

/** @param {string | null} message @param {'error' | 'warning'} [kind] */
function showBanner(message, kind = 'error') {
  ui.banner.hidden = !message;
  ui.banner.textContent = message ?? '';
  ui.banner.className = `banner ${kind}`;
}

/** @param {unknown} error */
function handleError(error) {
  if (!(error instanceof ApiError)) {
    showBanner(`The page hit an error: ${error instanceof Error ? error.message : String(error)}. Retrying…`);
    return;
  }
  const detail = error.problem?.detail ? ` ${error.problem.detail}` : '';
  if (error.status === 401) signOut('Your API key was not accepted (401). Sign in again.');
  else if (error.status === 403) showBanner(`Not allowed (403):${detail}`);
  else if (error.status === 503) showBanner(`Temporal is unavailable (503); retrying…${detail}`, 'warning');
  else if (error.status === 0) showBanner('The API cannot be reached; retrying…', 'warning');
  else showBanner(`The API answered ${error.status}:${detail} Retrying…`);
}

// --- sign-in -------------------------------------------------------------------------------------

/** @param {string} key */
async function signIn(key) {
  const api = createApi(key);
  try {
    await api.get('/v1/sops');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      showSignin('That API key was not accepted. Check it and try again.');
      return;
    }
    // Anything else (Temporal down, network) is for the board's banner and its retries.
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  session.api = api;
  ui.signin.hidden = true;
  ui.workspace.hidden = false;
  ui.signOut.hidden = false;
  applyView();
}

/** @param {string | null} message */
function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  clearTimeout(timer);
  Object.assign(session, {
    api: null,
    me: null,
    meAsked: false,
    sops: null,
    sopsAt: 0,
    analyticsAt: 0,
    analyticsSop: '',
    detailSignature: '',
  });
  session.sopVersions.clear();
  session.analytics.clear();
  session.noPace.clear();
  session.ownersSeen.clear();
  board.clear();
  ui.analyticsView.replaceChildren();
  ui.risksView.replaceChildren();
  Object.assign(risksShown, { sop: '', at: 0 });
  ui.tabAnalytics.hidden = true;
  migration.clear();
  ui.tabMigrate.hidden = true;
  whatIf.clear();
  ui.tabWhatIf.hidden = true;
  if (ui.dialog.open) ui.dialog.close();
  ui.whoami.hidden = true;
  ui.whoami.textContent = '';
  ui.signOut.hidden = true;
  ui.workspace.hidden = true;
  showBanner(null);
  showSignin(message);
}

/** @param {string | null} message */
function showSignin(message) {
  ui.signin.hidden = false;
  ui.signinError.hidden = !message;
  ui.signinError.textContent = message ?? '';
  ui.keyInput.value = '';
  ui.keyInput.focus();
}

// --- the hash drives the screen ------------------------------------------------------------------

function applyView() {
  const view = readView();
  if (ui.sop.value !== view.sop && view.sop) ui.sop.value = view.sop;
  if (document.activeElement !== ui.owner) ui.owner.value = view.owner;
  ui.tier.value = view.tier;
  ui.health.value = view.health;
  const analytics = view.view === 'analytics';
  const migrate = view.view === 'migrate';
  const simulate = view.view === 'whatif';
  const risks = view.view === 'risks';
  ui.risksView.hidden = !risks;
  ui.tabRisks.setAttribute('aria-selected', String(risks));
  ui.boardView.hidden = view.view !== 'board';
  ui.analyticsView.hidden = !analytics;
  ui.migrateView.hidden = !migrate;
  ui.whatIfView.hidden = !simulate;
  ui.tabBoard.setAttribute('aria-selected', String(view.view === 'board'));
  ui.tabAnalytics.setAttribute('aria-selected', String(analytics));
  ui.tabMigrate.setAttribute('aria-selected', String(migrate));
  ui.tabWhatIf.setAttribute('aria-selected', String(simulate));
  if (!session.analyticsSop.startsWith(`${view.sop}|`))
    ui.analyticsView.replaceChildren(h('p', { class: 'muted', text: 'Loading analytics…' }));
  if (view.deal && session.api && !ui.dialog.open) {
    session.detailSignature = '';
    ui.dealTitle.textContent = `Deal ${view.deal}`;
    ui.dealBody.replaceChildren(h('p', { class: 'muted', text: 'Loading…' }));
    ui.dialog.showModal();
  } else if (!view.deal && ui.dialog.open) ui.dialog.close();
  if (session.api) void run();
}

function applyFilters() {
  writeView({ owner: ui.owner.value.trim(), tier: ui.tier.value, health: ui.health.value });
}

ui.signinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = ui.keyInput.value.trim();
  if (key) void signIn(key);
});
ui.signOut.addEventListener('click', () => signOut(null));
ui.sop.addEventListener('change', () => writeView({ sop: ui.sop.value, deal: '' }));
ui.tabBoard.addEventListener('click', () => writeView({ view: 'board' }));
ui.tabAnalytics.addEventListener('click', () => writeView({ view: 'analytics' }));
ui.tabMigrate.addEventListener('click', () => writeView({ view: 'migrate' }));
ui.tabWhatIf.addEventListener('click', () => writeView({ view: 'whatif' }));
ui.tabRisks.addEventListener('click', () => writeView({ view: 'risks' }));
ui.filters.addEventListener('submit', (event) => {
  event.preventDefault();
  applyFilters();
});
ui.owner.addEventListener('change', applyFilters);
ui.tier.addEventListener('change', applyFilters);
ui.health.addEventListener('change', applyFilters);
ui.clearFilters.addEventListener('click', () => {
  ui.owner.value = '';
  writeView({ owner: '', tier: '', health: '' });
});
ui.dealClose.addEventListener('click', () => ui.dialog.close());
ui.dialog.addEventListener('close', () => {
  if (readView().deal) writeView({ deal: '' });
});
window.addEventListener('hashchange', applyView);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && session.api) void run();
});
window.setInterval(() => tick(document.body, Date.now()), 1000);

const saved = sessionStorage.getItem(KEY_STORAGE);
if (saved) void signIn(saved);
else showSignin(null);
