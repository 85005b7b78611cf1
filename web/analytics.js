import { h } from './dom.js';
import { clockTime, decimal, maybeDuration, percent } from './format.js';

/**
 * The analytics view of one SOP: `GET /v1/sops/:id/analytics`.
 * @param {HTMLElement} container
 * @param {any} analytics
 */
export function renderAnalytics(container, analytics) {
  const deals = analytics.deals ?? {};
  container.replaceChildren(
    h('h2', { text: `Analytics: ${analytics.sopName ?? analytics.sopId}` }),
    h('p', { class: 'muted', text: analytics.asOf ? `As of ${clockTime(analytics.asOf)}` : 'No finished stage visits yet.' }),
    h(
      'dl',
      { class: 'kpis' },
      kpi('Opened', deals.opened),
      kpi('Open', deals.open),
      kpi('Won', deals.won),
      kpi('Lost', deals.lost),
      kpi('Win rate', percent(deals.winRate), 'win-rate'),
      kpi('Escalations per deal', decimal(deals.escalationsPerDeal)),
    ),
    stageTable(analytics.stages ?? []),
    revisionTable(analytics.revisions ?? [], analytics.stages ?? []),
    stalls(analytics.stalls ?? {}, analytics.stages ?? []),
  );
}

/**
 * @param {string} label
 * @param {unknown} value
 * @param {string} [name]
 */
function kpi(label, value, name) {
  const text = value === undefined || value === null ? '—' : String(value);
  return h('div', { class: 'kpi' }, h('dt', { text: label }), h('dd', { text, 'data-kpi': name ?? null }));
}

/** @param {string[]} headings */
function head(headings) {
  return h('thead', {}, h('tr', {}, ...headings.map((text) => h('th', { scope: 'col', text }))));
}

/** @param {HTMLElement} table */
function scroll(table) {
  return h('div', { class: 'table-scroll' }, table);
}

/**
 * p50 / p90 of a time-in-stage pair; "~" marks an estimate from a sample.
 * @param {{ p50: number | null, p90: number | null } | undefined} pair
 * @param {boolean} exact
 */
function percentiles(pair, exact) {
  const mark = exact ? '' : '~';
  return `${mark}${maybeDuration(pair?.p50)} / ${mark}${maybeDuration(pair?.p90)}`;
}

/** @param {any[]} stages */
function stageTable(stages) {
  const rows = stages.map((stage) =>
    h(
      'tr',
      { 'data-stage': stage.stage },
      h('th', { scope: 'row', text: stage.name ?? stage.stage }),
      h('td', { class: 'num', text: `${stage.visits?.entered ?? 0} / ${stage.visits?.ended ?? 0} / ${stage.visits?.open ?? 0}` }),
      h('td', { class: 'num', text: String(stage.visits?.skipped ?? 0) }),
      h('td', { class: 'num', text: percentiles(stage.timeInStage?.wallMs, stage.timeInStage?.exact !== false) }),
      h('td', { class: 'num', text: percentiles(stage.timeInStage?.workingMs, stage.timeInStage?.exact !== false) }),
      h('td', { class: 'num', text: String(stage.timeInStage?.samples ?? 0) }),
      h('td', { class: 'num', text: percent(stage.slaWarningRate) }),
      h('td', { class: 'num', text: percent(stage.slaBreachRate) }),
      h('td', { class: 'num', text: String(stage.breachedNow ?? 0) }),
      h('td', { class: 'num', text: decimal(stage.escalationsPerVisit) }),
      h('td', { class: 'num', text: String(stage.lostHere ?? 0) }),
    ),
  );
  return h(
    'section',
    { class: 'analytics-section', 'data-section': 'stages' },
    h('h3', { text: 'Stages' }),
    scroll(
      h(
        'table',
        { class: 'stage-table' },
        head([
          'Stage',
          'Entered / ended / open',
          'Skipped',
          'Wall time p50 / p90',
          'Working time p50 / p90',
          'Samples',
          'SLA warning rate',
          'SLA breach rate',
          'Breached now',
          'Escalations per visit',
          'Lost here',
        ]),
        h('tbody', {}, ...rows),
      ),
    ),
    stages.some((stage) => stage.timeInStage?.exact === false) && h('p', { class: 'muted', text: '~ estimated from a sample of visits.' }),
  );
}

/**
 * @param {any[]} revisions
 * @param {any[]} stages
 */
function revisionTable(revisions, stages) {
  const name = (/** @type {string} */ id) => stages.find((stage) => stage.stage === id)?.name ?? id;
  const rows = revisions.flatMap((entry) =>
    (entry.outcomes ?? []).map((/** @type {any} */ outcome) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row', text: name(entry.stage) }),
        h('td', { class: 'num', text: `${outcome.revisions}${outcome.orMore ? '+' : ''}` }),
        h('td', { class: 'num', text: String(outcome.won) }),
        h('td', { class: 'num', text: String(outcome.lost) }),
        h('td', { class: 'num', text: percent(outcome.lossRate) }),
      ),
    ),
  );
  return h(
    'section',
    { class: 'analytics-section', 'data-section': 'revisions' },
    h('h3', { text: 'Revisions against outcome' }),
    rows.length === 0
      ? h('p', { text: 'No closed deals yet.' })
      : scroll(h('table', {}, head(['Stage', 'Revisions', 'Won', 'Lost', 'Loss rate']), h('tbody', {}, ...rows))),
  );
}

/**
 * @param {any} stalls
 * @param {any[]} stages
 */
function stalls(stalls, stages) {
  const name = (/** @type {string} */ id) => stages.find((stage) => stage.stage === id)?.name ?? id;
  /**
   * @param {string} title
   * @param {any[] | undefined} items
   * @param {(item: any) => string} text
   */
  const list = (title, items, text) =>
    h(
      'div',
      { class: 'stall-list' },
      h('h4', { text: title }),
      items && items.length > 0
        ? h('ol', {}, ...items.map((item) => h('li', { text: text(item) })))
        : h('p', { class: 'muted', text: 'None.' }),
    );
  return h(
    'section',
    { class: 'analytics-section', 'data-section': 'stalls' },
    h('h3', { text: 'Where deals stall' }),
    h(
      'div',
      { class: 'stalls' },
      list('Top lost reasons', stalls.lostReasons, (item) => `${item.reason} — ${item.deals} ${item.deals === 1 ? 'deal' : 'deals'}`),
      list('Open risks', stalls.openRisks, (item) => `${item.summary} — ${item.deals} ${item.deals === 1 ? 'deal' : 'deals'}`),
      list(
        'Breached stages',
        stalls.breachedStages,
        (item) => `${name(item.stage)} — ${item.breaches} ${item.breaches === 1 ? 'breach' : 'breaches'}`,
      ),
    ),
  );
}
