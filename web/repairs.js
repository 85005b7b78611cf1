import { h } from './dom.js';
import { alertName } from './format.js';

/** Who may use each repair (`CONTRACT.md` v2.1): move and reopen, admin, ops and managers; redeliver, admin and ops. */
const MOVERS = new Set(['admin', 'ops', 'manager']);
const REDELIVERERS = new Set(['admin', 'ops']);

/**
 * The deal detail's repairs, for the roles that may use them: move to a stage, reopen a lost deal,
 * send a failed or skipped alert again. Null when the caller may use none of them on this deal.
 * @param {any} deal the deal view
 * @param {any | null} sop the deal's own SOP version
 * @param {string | null} role the caller's role
 * @param {(path: string, body?: unknown) => Promise<string>} send posts and answers a line to show
 */
export function repairSection(deal, sop, role, send) {
  if (!role) return null;
  const status = h('p', { class: 'repair-status', role: 'status', 'aria-live': 'polite' });
  /** @param {string} path @param {unknown} [body] */
  const run = async (path, body) => {
    status.textContent = 'Sending…';
    status.textContent = await send(path, body);
  };
  const actions = `/v1/deals/${encodeURIComponent(deal.dealId)}/actions`;
  const parts = [];
  if (MOVERS.has(role) && deal.status === 'open' && sop?.stages?.length) {
    const stage = /** @type {HTMLSelectElement} */ (
      h(
        'select',
        { id: 'move-stage', name: 'stage' },
        ...sop.stages.map((/** @type {any} */ s) => h('option', { value: s.id, text: s.name, selected: s.id === deal.stage?.id })),
      )
    );
    parts.push(
      reasonForm('move', 'Reason', 'Move', (reason) => run(actions, { type: 'move_to_stage', stage: stage.value, reason }), [
        h('label', { for: 'move-stage', text: 'Move to stage' }),
        stage,
      ]),
    );
  }
  if (MOVERS.has(role) && deal.status === 'lost') {
    parts.push(reasonForm('reopen', 'Reopen: reason', 'Reopen', (reason) => run(actions, { type: 'reopen', reason })));
  }
  const resendable = REDELIVERERS.has(role)
    ? deal.escalations.filter((/** @type {any} */ e) => e.delivery === 'failed' || e.delivery === 'skipped')
    : [];
  if (resendable.length > 0) {
    parts.push(
      h(
        'ul',
        { class: 'repair redeliver' },
        ...resendable.map((/** @type {any} */ e) =>
          h(
            'li',
            { 'data-alert': e.id },
            `${alertName(e.type)} (${e.delivery}) `,
            h('button', {
              type: 'button',
              class: 'secondary',
              text: 'Send again',
              onclick: () => void run(`/v1/deals/${encodeURIComponent(deal.dealId)}/alerts/${encodeURIComponent(e.id)}/redeliver`),
            }),
          ),
        ),
      ),
    );
  }
  if (parts.length === 0) return null;
  return h('section', { class: 'detail-section repairs', 'data-section': 'repairs' }, h('h3', { text: 'Repair' }), ...parts, status);
}

/**
 * A repair that takes a reason: `#<name>-reason`, its label, any controls before it, and a submit button.
 * @param {string} name
 * @param {string} label
 * @param {string} button
 * @param {(reason: string) => Promise<void>} submit
 * @param {Node[]} [before]
 */
function reasonForm(name, label, button, submit, before = []) {
  const id = `${name}-reason`;
  const reason = /** @type {HTMLInputElement} */ (h('input', { id, name: 'reason', required: true, maxlength: 2000 }));
  return h(
    'form',
    {
      class: `repair ${name}`,
      onsubmit: (/** @type {Event} */ event) => {
        event.preventDefault();
        void submit(reason.value.trim());
      },
    },
    ...before,
    h('label', { for: id, text: label }),
    reason,
    h('button', { type: 'submit', text: button }),
  );
}
