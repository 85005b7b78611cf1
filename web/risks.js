import { h } from './dom.js';
import { clockTime, duration } from './format.js';

/**
 * The weekly risk review (`GET /v1/risks`): for each open risk, the review's three questions —
 * what is the threat, who owns it, by when — the most overdue first.
 * @param {HTMLElement} container
 * @param {{ risks: any[], truncated: boolean }} review
 * @param {string} sopName
 */
export function renderRisks(container, review, sopName) {
  const rows = review.risks.map((risk) =>
    h(
      'tr',
      { 'data-risk': `${risk.dealId}/${risk.riskId}`, class: risk.overdueMs > 0 ? 'overdue' : '' },
      h(
        'th',
        { scope: 'row' },
        h('strong', { text: risk.summary }),
        h('div', { class: 'muted', text: `${risk.customer} · ${risk.dealId}${risk.stage ? ` · ${risk.stage}` : ''}` }),
      ),
      h('td', { text: risk.owner }),
      h(
        'td',
        {},
        risk.nextTask ? `${risk.nextTask.summary} — ${risk.nextTask.owner ?? 'nobody holds the role'}` : '—',
        risk.tasks.total > 0 ? h('div', { class: 'muted', text: `${risk.tasks.done} of ${risk.tasks.total} steps done` }) : null,
      ),
      h(
        'td',
        { class: 'num' },
        risk.nextDueAt ? h('time', { datetime: risk.nextDueAt, text: clockTime(risk.nextDueAt) }) : '—',
        risk.overdueMs > 0 ? h('div', { class: 'badge overdue', text: `Overdue ${duration(risk.overdueMs)}` }) : null,
      ),
    ),
  );
  container.replaceChildren(
    h('h2', { text: `Risk review: ${sopName}` }),
    h('p', { class: 'muted', text: 'Open risks of open deals, the most overdue first: what threatens the deal, who owns it, by when.' }),
    review.risks.length === 0
      ? h('p', { text: 'No open risk.' })
      : h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'risk-table' },
            h('thead', {}, h('tr', {}, ...['Threat', 'Owner', 'Next step', 'By when'].map((text) => h('th', { scope: 'col', text })))),
            h('tbody', {}, ...rows),
          ),
        ),
    review.truncated ? h('p', { class: 'muted', text: 'Only the first 2,000 open deals were reviewed.' }) : '',
  );
}
