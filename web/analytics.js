import { distributionChart, funnelChart, rateChart } from './charts.js';
import { h } from './dom.js';
import { clockTime, decimal, duration, maybeDuration, percent } from './format.js';

/** @typedef {{ from: string, to: string }} Period dates `YYYY-MM-DD`, either may be empty */

/**
 * The analytics view of one SOP: `GET /v1/sops/:id/analytics`, of all time or of a period.
 * @param {HTMLElement} container
 * @param {any} analytics
 * @param {Period} [period] the period shown
 * @param {(period: Period) => void} [onPeriod] when the user picks another
 */
export function renderAnalytics(container, analytics, period = { from: '', to: '' }, onPeriod = () => undefined) {
  const deals = analytics.deals ?? {};
  const shown = analytics.period
    ? `Weeks of ${analytics.period.firstWeek} to ${analytics.period.lastWeek} (Monday to Sunday, UTC): a visit counts in the week it ended.`
    : 'All time.';
  container.replaceChildren(
    h('h2', { text: `Analytics: ${analytics.sopName ?? analytics.sopId}` }),
    periodPicker(period, onPeriod),
    h(
      'p',
      { class: 'muted', 'data-period': analytics.period ? `${analytics.period.firstWeek}/${analytics.period.lastWeek}` : 'all' },
      shown,
    ),
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
      kpi('Playbook tasks overdue', deals.tasksOverdue ?? 0),
    ),
    charts(analytics),
    stageTable(analytics.stages ?? []),
    protocolTable(analytics.stages ?? []),
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
 * The response protocol per stage: idle deals, cadence met, how long a cause and a plan took.
 * @param {any[]} stages
 */
function protocolTable(stages) {
  /** @param {{ p50: number | null, p90: number | null, samples: number } | undefined} times */
  const took = (times) => (times && times.samples > 0 ? `${maybeDuration(times.p50)} / ${maybeDuration(times.p90)}` : '—');
  const rows = stages.map((stage) =>
    h(
      'tr',
      { 'data-stage': stage.stage },
      h('th', { scope: 'row', text: stage.name ?? stage.stage }),
      h('td', { class: 'num', text: String(stage.protocol?.idleNow ?? 0) }),
      h('td', { class: 'num', text: percent(stage.protocol?.idleRate) }),
      h('td', {
        class: 'num',
        text: stage.protocol?.cadence?.periods ? `${percent(stage.protocol.cadence.metRate)} of ${stage.protocol.cadence.periods}` : '—',
      }),
      h('td', { class: 'num', text: took(stage.protocol?.causeMs) }),
      h('td', { class: 'num', text: took(stage.protocol?.planMs) }),
    ),
  );
  return h(
    'section',
    { class: 'analytics-section', 'data-section': 'protocol' },
    h('h3', { text: 'Response protocol' }),
    scroll(
      h(
        'table',
        { class: 'protocol-table' },
        head(['Stage', 'Idle now', 'Went idle', 'Cadence met', 'Yellow → cause p50 / p90', 'Red → plan p50 / p90']),
        h('tbody', {}, ...rows),
      ),
    ),
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

/** @param {Date} date */
const day = (date) => date.toISOString().slice(0, 10);

/**
 * From / to dates, with the periods people ask for most one click away.
 * @param {Period} period
 * @param {(period: Period) => void} onPeriod
 */
function periodPicker(period, onPeriod) {
  const from = h('input', { type: 'date', name: 'from', value: period.from || null, 'aria-label': 'From' });
  const to = h('input', { type: 'date', name: 'to', value: period.to || null, 'aria-label': 'To' });
  const now = new Date();
  const thisMonth = { from: day(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))), to: day(now) };
  const quarter = Math.floor(now.getUTCMonth() / 3);
  const lastQuarter = {
    from: day(new Date(Date.UTC(now.getUTCFullYear(), (quarter - 1) * 3, 1))),
    to: day(new Date(Date.UTC(now.getUTCFullYear(), quarter * 3, 0))),
  };
  /** @param {string} label @param {Period} value */
  const preset = (label, value) => h('button', { type: 'button', class: 'secondary', onclick: () => onPeriod(value) }, label);
  return h(
    'form',
    {
      class: 'period',
      'aria-label': 'Period',
      onsubmit: (/** @type {Event} */ event) => {
        event.preventDefault();
        onPeriod({ from: /** @type {HTMLInputElement} */ (from).value, to: /** @type {HTMLInputElement} */ (to).value });
      },
    },
    h('label', { class: 'field' }, h('span', { text: 'From' }), from),
    h('label', { class: 'field' }, h('span', { text: 'To' }), to),
    h('button', { type: 'submit' }, 'Show'),
    preset('This month', thisMonth),
    preset('Last quarter', lastQuarter),
    preset('All time', { from: '', to: '' }),
  );
}

/** @param {{ fromMs: number, toMs: number | null }} bin */
function binLabel(bin) {
  /** @param {number} ms */
  const short = (ms) => (ms === 0 ? '0' : ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${ms / 3_600_000}h`);
  return bin.toMs === null ? `>${short(bin.fromMs)}` : bin.fromMs === 0 ? `<${short(bin.toMs)}` : `${short(bin.fromMs)}–${short(bin.toMs)}`;
}

/**
 * The figures as pictures: the funnel, time in stage as distributions, SLA rates week by week.
 * @param {any} analytics
 */
function charts(analytics) {
  /** @type {any[]} */
  const stages = analytics.stages ?? [];
  const funnel = funnelChart(
    stages.map((stage) => ({
      stage: stage.stage,
      name: stage.name ?? stage.stage,
      entered: stage.visits?.entered ?? 0,
      skipped: stage.visits?.skipped ?? 0,
      lost: stage.lostHere ?? 0,
      open: stage.visits?.open ?? 0,
    })),
  );
  const measured = stages.filter((stage) => (stage.timeInStage?.samples ?? 0) > 0 && stage.timeInStage?.distribution);
  const distributions = measured.flatMap((stage) =>
    ['wallMs', 'workingMs'].map((clock) =>
      distributionChart({
        name: `time-${stage.stage}-${clock === 'wallMs' ? 'wall' : 'working'}`,
        title: `${stage.name ?? stage.stage}: ${clock === 'wallMs' ? 'wall' : 'working'} time in stage`,
        bins: stage.timeInStage.distribution[clock],
        p50: stage.timeInStage[clock]?.p50 ?? null,
        p90: stage.timeInStage[clock]?.p90 ?? null,
        binLabel,
        format: duration,
      }),
    ),
  );
  /** @type {Array<{ week: string, stages: Array<{ stage: string, warningRate: number | null, breachRate: number | null }> }>} */
  const weekly = analytics.weekly ?? [];
  const weeks = weekly.map((week) => week.week);
  const rated = stages.filter((stage) => weekly.some((week) => week.stages.some((entry) => entry.stage === stage.stage)));
  const rates = rated.map((stage) => {
    /** @param {'warningRate' | 'breachRate'} field */
    const values = (field) => weekly.map((week) => week.stages.find((entry) => entry.stage === stage.stage)?.[field] ?? null);
    return rateChart({
      name: `rates-${stage.stage}`,
      title: `${stage.name ?? stage.stage}: SLA warning and breach rate by week`,
      weeks,
      series: [
        { name: 'warning rate', key: 'warning', values: values('warningRate') },
        { name: 'breach rate', key: 'breach', values: values('breachRate') },
      ],
    });
  });
  return h(
    'section',
    { class: 'analytics-section charts', 'data-section': 'charts' },
    h('h3', { text: 'Pictures' }),
    h('div', { class: 'chart-grid' }, funnel),
    h('h4', { text: 'Time in stage (completed visits)' }),
    measured.length > 0 ? h('div', { class: 'chart-grid' }, ...distributions) : h('p', { class: 'muted', text: 'No completed visit yet.' }),
    h('h4', { text: 'SLA rates week by week' }),
    rates.length > 0 ? h('div', { class: 'chart-grid' }, ...rates) : h('p', { class: 'muted', text: 'No visit has ended in these weeks.' }),
  );
}
