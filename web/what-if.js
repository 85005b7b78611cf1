import { ApiError } from './api.js';
import { barChart } from './charts.js';
import { h } from './dom.js';
import { percent } from './format.js';

/**
 * The what-if panel (admin, ops, manager): edit a draft of the SOP, replay the recorded deals under
 * it and under their own versions, and compare (`CONTRACT.md` v2.2). Nothing is published.
 */
export class WhatIfPanel {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    /** @type {string} `id@version` the panel is built for */
    this.built = '';
    this.result = h('div', { class: 'what-if-result', 'aria-live': 'polite' });
  }

  clear() {
    this.root.replaceChildren();
    this.built = '';
  }

  /**
   * Builds the form for the SOP's newest version once; the draft starts as a copy of it.
   * @param {import('./api.js').Api} api
   * @param {any} sop
   */
  show(api, sop) {
    const key = `${sop.id}@${sop.version}`;
    if (this.built === key) return;
    this.built = key;
    this.result.replaceChildren();
    const draft = /** @type {HTMLTextAreaElement} */ (
      h('textarea', { id: 'what-if-draft', rows: 14, spellcheck: 'false', class: 'code' }, JSON.stringify(sop, null, 2))
    );
    const status = h(
      'select',
      { id: 'what-if-status' },
      h('option', { value: 'all' }, 'All deals'),
      h('option', { value: 'closed' }, 'Closed deals'),
      h('option', { value: 'open' }, 'Open deals'),
    );
    const from = /** @type {HTMLInputElement} */ (h('input', { id: 'what-if-from', type: 'date' }));
    const to = /** @type {HTMLInputElement} */ (h('input', { id: 'what-if-to', type: 'date' }));
    const limit = /** @type {HTMLInputElement} */ (h('input', { id: 'what-if-limit', type: 'number', min: 1, max: 5000, value: 1000 }));
    const run = h('button', { type: 'submit' }, 'Replay deals under the draft');
    const form = h(
      'form',
      {
        class: 'what-if-form',
        onsubmit: async (/** @type {Event} */ event) => {
          event.preventDefault();
          /** @type {unknown} */
          let parsed;
          try {
            parsed = JSON.parse(draft.value);
          } catch (error) {
            this.result.replaceChildren(h('p', { class: 'error', role: 'alert', text: `The draft is not JSON: ${String(error)}` }));
            return;
          }
          const deals = {
            status: /** @type {HTMLSelectElement} */ (status).value,
            limit: Number(limit.value) || 1000,
            ...(from.value && { openedFrom: `${from.value}T00:00:00Z` }),
            ...(to.value && { openedTo: `${to.value}T23:59:59Z` }),
          };
          run.setAttribute('disabled', '');
          this.result.replaceChildren(h('p', { class: 'muted', text: 'Replaying…' }));
          try {
            const answer = await api.post(`/v1/sops/${encodeURIComponent(sop.id)}/simulations`, { sop: parsed, deals });
            this.result.replaceChildren(...comparison(answer, sop));
          } catch (error) {
            this.result.replaceChildren(problem(error));
          } finally {
            run.removeAttribute('disabled');
          }
        },
      },
      h(
        'label',
        { for: 'what-if-draft' },
        `Draft of ${sop.name ?? sop.id} (JSON; starts as version ${sop.version}). Change an SLA, a deliverable, a fast lane…`,
      ),
      draft,
      h(
        'div',
        { class: 'what-if-options' },
        h('label', { class: 'field' }, h('span', { text: 'Deals' }), status),
        h('label', { class: 'field' }, h('span', { text: 'Opened from' }), from),
        h('label', { class: 'field' }, h('span', { text: 'Opened to' }), to),
        h('label', { class: 'field' }, h('span', { text: 'At most' }), limit),
        run,
      ),
    );
    this.root.replaceChildren(
      h('h2', { text: `What-if: ${sop.name ?? sop.id}` }),
      h('p', {
        class: 'muted',
        text: 'Replays what people really did on this SOP’s deals, at the instants they did it, through the same rules the deals run: once under each deal’s own version, once under your draft.',
      }),
      form,
      this.result,
    );
  }
}

/** @param {unknown} error */
function problem(error) {
  if (!(error instanceof ApiError)) return h('p', { class: 'error', role: 'alert', text: String(error) });
  /** @type {Array<{ path: string, message: string }>} */
  const errors = /** @type {any} */ (error.problem)?.errors ?? [];
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', { text: error.message }),
    errors.length > 0 && h('ul', {}, ...errors.map((e) => h('li', { text: `${e.path || '(body)'}: ${e.message}` }))),
  );
}

/**
 * @param {any} answer `POST /v1/sops/:id/simulations`
 * @param {any} sop for stage names
 */
function comparison(answer, sop) {
  const name = (/** @type {string} */ id) => sop.stages?.find((/** @type {any} */ s) => s.id === id)?.name ?? id;
  /** @type {any[]} */
  const stages = answer.stages ?? [];
  const { checked, reproduced, differences } = answer.consistency;
  const chart = barChart({
    name: 'what-if',
    title: 'Breaches and warnings per stage: your deals as they ran, and under the draft',
    categories: stages.map((stage) => name(stage.stage)),
    series: [
      { name: 'breaches as run', key: 'baseline-breaches', values: stages.map((stage) => stage.baseline.breaches) },
      { name: 'breaches under the draft', key: 'proposed-breaches', values: stages.map((stage) => stage.proposed.breaches) },
      { name: 'warnings as run', key: 'baseline-warnings', values: stages.map((stage) => stage.baseline.warnings) },
      { name: 'warnings under the draft', key: 'proposed-warnings', values: stages.map((stage) => stage.proposed.warnings) },
    ],
  });
  const rows = stages.map((stage) =>
    h(
      'tr',
      { 'data-stage': stage.stage },
      h('th', { scope: 'row', text: name(stage.stage) }),
      h('td', { class: 'num', text: `${stage.baseline.visits} → ${stage.proposed.visits}` }),
      h('td', { class: 'num', text: `${percent(stage.baseline.warningRate)} → ${percent(stage.proposed.warningRate)}` }),
      h('td', { class: 'num', text: `${percent(stage.baseline.breachRate)} → ${percent(stage.proposed.breachRate)}` }),
      h('td', { class: 'num', text: `${stage.baseline.escalations} → ${stage.proposed.escalations}` }),
      h('td', { class: 'num', text: String(stage.proposed.blocked) }),
    ),
  );
  /** @type {any[]} */
  const perDeal = answer.perDeal ?? [];
  const changed = perDeal
    .map((deal) => ({
      dealId: deal.dealId,
      before: deal.baseline.alerts.length,
      after: deal.proposed.alerts.length,
      blocked: deal.proposed.blocked.length,
      skipped: deal.proposed.skipped,
    }))
    .filter((deal) => deal.before !== deal.after || deal.blocked > 0)
    .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || b.blocked - a.blocked)
    .slice(0, 10);
  return [
    h(
      'p',
      { class: differences.length > 0 ? 'error' : 'muted', 'data-consistency': `${reproduced}/${checked}` },
      `${answer.deals} deals replayed. Under their own versions, ${reproduced} of ${checked} fire exactly the alerts they really fired`,
      differences.length > 0 ? `; these do not: ${differences.join(', ')}.` : '.',
    ),
    (answer.unread ?? []).length > 0
      ? h('p', { class: 'muted', text: `Left out, could not be read: ${answer.unread.map((/** @type {any} */ d) => d.dealId).join(', ')}` })
      : '',
    chart,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'what-if-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Stage', 'Visits', 'Warning rate', 'Breach rate', 'Escalations', 'Blocked'].map((text) => h('th', { scope: 'col', text })),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
    h('h3', { text: 'Deals that change most' }),
    changed.length === 0
      ? h('p', { class: 'muted', text: 'No deal would get other alerts, be blocked or skip a stage.' })
      : h(
          'ul',
          { class: 'what-if-deals' },
          ...changed.map((deal) =>
            h(
              'li',
              { 'data-deal': deal.dealId },
              h('strong', { text: deal.dealId }),
              `: ${deal.before} → ${deal.after} alerts`,
              deal.blocked > 0 ? `, ${deal.blocked} ${deal.blocked === 1 ? 'action' : 'actions'} blocked` : '',
              deal.skipped.length > 0 ? `, skips ${deal.skipped.map(name).join(', ')}` : '',
            ),
          ),
        ),
  ];
}
