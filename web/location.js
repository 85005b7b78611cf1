/**
 * What the page shows lives in the URL hash, so a reload or a shared link shows the same:
 * `#sop=quick-sop&owner=alice&tier=B&health=red&view=board&deal=acme-001` (and `from` / `to`, the analytics period).
 */

/** @typedef {'board' | 'analytics' | 'migrate' | 'whatif' | 'risks'} ViewName */
/** @typedef {{ sop: string, owner: string, tier: string, health: string, view: ViewName, deal: string, from: string, to: string }} View */

const FIELDS = /** @type {const} */ (['sop', 'owner', 'tier', 'health', 'view', 'deal', 'from', 'to']);
const VIEWS = /** @type {const} */ (['analytics', 'migrate', 'whatif', 'risks']);
/** A date of the analytics period, `YYYY-MM-DD`; anything else is no date. */
const date = (/** @type {string | null} */ value) => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : '');

/** @returns {View} */
export function readView() {
  const params = new URLSearchParams(location.hash.slice(1));
  return {
    sop: params.get('sop') ?? '',
    owner: params.get('owner') ?? '',
    tier: params.get('tier') ?? '',
    health: params.get('health') ?? '',
    view: VIEWS.find((view) => view === params.get('view')) ?? 'board',
    deal: params.get('deal') ?? '',
    from: date(params.get('from')),
    to: date(params.get('to')),
  };
}

/**
 * @param {Partial<View>} change
 * @param {{ replace?: boolean }} [options] replace the history entry (defaults the user did not choose)
 */
export function writeView(change, options = {}) {
  const next = { ...readView(), ...change };
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = next[field];
    if (value && !(field === 'view' && value === 'board')) params.set(field, value);
  }
  const hash = `#${params.toString()}`;
  if (hash === location.hash || (hash === '#' && !location.hash)) return;
  if (options.replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

/** Milliseconds between refreshes: `?refresh=500` in the query string, else 2 s. */
export function refreshInterval() {
  const asked = Number(new URLSearchParams(location.search).get('refresh'));
  return Number.isFinite(asked) && asked >= 100 ? asked : 2000;
}
