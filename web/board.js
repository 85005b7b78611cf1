import { h } from './dom.js';
import { healthLabel, money, paceText } from './format.js';
import { tick } from './clock.js';

/**
 * The kanban: one column per stage in SOP order. Columns and cards are kept between refreshes and
 * updated in place (a card moves when its deal changes stage), so scroll position and focus survive.
 */

const HEALTH_ORDER = { red: 0, yellow: 1, green: 2 };

/**
 * Most urgent first: red, yellow, green, then the nearest deadline.
 * @param {any} a
 * @param {any} b
 */
function byUrgency(a, b) {
  const health = (HEALTH_ORDER[/** @type {'red'} */ (a.health)] ?? 3) - (HEALTH_ORDER[/** @type {'red'} */ (b.health)] ?? 3);
  if (health !== 0) return health;
  const deadline = (a.nextDeadline ? Date.parse(a.nextDeadline) : Infinity) - (b.nextDeadline ? Date.parse(b.nextDeadline) : Infinity);
  if (deadline !== 0 && !Number.isNaN(deadline)) return deadline;
  return String(a.dealId).localeCompare(String(b.dealId));
}

export class Board {
  /**
   * @param {HTMLElement} container
   * @param {(dealId: string) => void} onOpen
   */
  constructor(container, onOpen) {
    this.container = container;
    this.onOpen = onOpen;
    /** @type {Map<string, { column: HTMLElement, list: HTMLElement, count: HTMLElement }>} */
    this.columns = new Map();
    /** @type {Map<string, HTMLElement>} */
    this.cards = new Map();
    this.layout = '';
  }

  /**
   * @param {{ id: string, name: string }[]} stages the SOP's stages, in order
   * @param {any[]} deals `GET /v1/deals` items
   * @param {Map<string, number | null>} pace dealId -> pace, when analytics are available
   */
  render(stages, deals, pace) {
    const known = new Set(stages.map((stage) => stage.id));
    // A deal on an older SOP version may sit in a stage the latest version no longer has.
    const extra = [...new Set(deals.map((deal) => deal.stage ?? '').filter((id) => !known.has(id)))].map((id) => ({
      id,
      name: id ? `${id} (other version)` : 'No stage',
    }));
    this.layoutColumns([...stages, ...extra]);

    const seen = new Set();
    for (const deal of [...deals].sort(byUrgency)) {
      seen.add(deal.dealId);
      const card = this.cards.get(deal.dealId) ?? this.createCard(deal.dealId);
      fillCard(card, deal, pace.get(deal.dealId) ?? null);
      const column = this.columns.get(deal.stage ?? '');
      column?.list.append(card);
    }
    for (const [dealId, card] of this.cards) {
      if (!seen.has(dealId)) {
        card.remove();
        this.cards.delete(dealId);
      }
    }
    for (const { list, count, column } of this.columns.values()) {
      const n = list.childElementCount;
      count.textContent = String(n);
      column.setAttribute('aria-label', `${column.dataset.name}: ${n} ${n === 1 ? 'deal' : 'deals'}`);
    }
    tick(this.container, Date.now());
  }

  /** @param {{ id: string, name: string }[]} stages */
  layoutColumns(stages) {
    const layout = JSON.stringify(stages.map((stage) => [stage.id, stage.name]));
    if (layout === this.layout) return;
    this.layout = layout;
    this.container.replaceChildren();
    this.columns.clear();
    for (const stage of stages) {
      const count = h('span', { class: 'count', text: '0' });
      const list = h('ol', { class: 'cards' });
      const column = h(
        'section',
        { class: 'column', 'data-stage': stage.id, 'data-name': stage.name },
        h('h3', { class: 'column-head' }, h('span', { class: 'stage-name', text: stage.name }), count),
        list,
        h('p', { class: 'empty', text: 'No open deals' }),
      );
      this.columns.set(stage.id, { column, list, count });
      this.container.append(column);
    }
  }

  /** @param {string} dealId */
  createCard(dealId) {
    const open = h('button', { type: 'button', class: 'card-open', onclick: () => this.onOpen(dealId) });
    const card = h('li', { class: 'card', 'data-deal-id': dealId }, open);
    this.cards.set(dealId, card);
    return card;
  }

  clear() {
    this.container.replaceChildren();
    this.columns.clear();
    this.cards.clear();
    this.layout = '';
  }
}

/**
 * Rewrites a card's content only when its deal changed, so a refresh with no news touches nothing.
 * @param {HTMLElement} card
 * @param {any} deal
 * @param {number | null} pace
 */
function fillCard(card, deal, pace) {
  const signature = JSON.stringify([deal, pace]);
  if (card.dataset.signature === signature) return;
  card.dataset.signature = signature;
  const health = deal.health ?? 'none';
  card.className = `card health-${health}`;
  card.dataset.health = health;
  card.dataset.owner = deal.owner;
  card.dataset.tier = deal.customer?.tier ?? '';
  const button = /** @type {HTMLElement} */ (card.firstElementChild);
  button.replaceChildren(
    h(
      'span',
      { class: 'card-head' },
      h('span', { class: `health-badge health-${health}`, text: healthLabel(deal.health) }),
      h('span', { class: 'deal-id', text: deal.dealId }),
    ),
    h(
      'span',
      { class: 'customer' },
      h('span', { class: 'customer-name', text: deal.customer?.name ?? '(no name)' }),
      h('span', { class: 'tier', text: `Tier ${deal.customer?.tier ?? '?'}` }),
    ),
    h('span', { class: 'amount', text: money(deal.amount, deal.currency) }),
    h('span', { class: 'owner' }, 'Owner ', h('strong', { text: deal.owner })),
    deal.stageEnteredAt
      ? h('span', { class: 'in-stage' }, 'In stage ', h('time', { 'data-since': deal.stageEnteredAt, datetime: deal.stageEnteredAt }))
      : '',
    deal.nextDeadline
      ? h('span', { class: 'deadline' }, 'Next deadline ', h('time', { 'data-until': deal.nextDeadline, datetime: deal.nextDeadline }))
      : h('span', { class: 'deadline none', text: 'No deadline pending' }),
    typeof pace === 'number' ? h('span', { class: `pace ${pace > 1.2 ? 'slow' : pace < 0.8 ? 'fast' : ''}`, text: paceText(pace) }) : '',
    // Idle and an unanswered cause or plan are written out, not only coloured: a reader of the card
    // without colour, or with a screen reader, gets them too.
    deal.idleSince
      ? h(
          'span',
          { class: 'idle', 'data-idle-since': deal.idleSince },
          'Idle: no contact for ',
          h('time', { 'data-since': deal.idleSince, datetime: deal.idleSince }),
        )
      : '',
    deal.response
      ? h(
          'span',
          { class: `response${deal.response.overdue ? ' overdue' : ''}`, 'data-response': deal.response.require },
          `Needs a ${deal.response.require === 'cause' ? 'cause of the delay' : 'remediation plan'}, due `,
          h('time', { 'data-until': deal.response.dueBy, datetime: deal.response.dueBy }),
        )
      : '',
  );
  card.classList.toggle('is-idle', Boolean(deal.idleSince));
}
