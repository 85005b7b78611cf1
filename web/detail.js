import { tick } from './clock.js';
import { h } from './dom.js';
import { alertName, clockTime, duration, eventName, healthLabel, money, ruleText } from './format.js';
import { repairSection } from './repairs.js';

/**
 * The deal detail: `GET /v1/deals/:id` and its timeline, rendered into the dialog's body.
 * @param {HTMLElement} body
 * @param {any} deal the deal view
 * @param {any[]} timeline oldest first, as the API answers
 * @param {any | null} sop the deal's own SOP version, for stage names and order
 * @param {{ role: string | null, send: (path: string, body?: unknown) => Promise<string> }} [repairs] the caller's role, and how a repair is sent
 * @param {any} [explanation] `GET /v1/deals/:id/explain`, when it could be read
 * @param {any} [deliveries] `GET /v1/deals/:id/deliveries`, for those who manage alert endpoints
 */
export function renderDetail(body, deal, timeline, sop, repairs, explanation, deliveries) {
  const stageName = (/** @type {string | null} */ id) => sop?.stages?.find((/** @type {any} */ s) => s.id === id)?.name ?? id ?? '';
  body.replaceChildren(
    summary(deal),
    currentStage(deal),
    stagePath(deal, sop),
    requests(deal),
    risks(deal),
    escalations(deal, stageName, deliveries ?? null),
    explanation ? why(explanation, stageName) : '',
    repairs ? (repairSection(deal, sop, repairs.role, repairs.send) ?? '') : '',
    timelineSection(timeline, stageName),
  );
  tick(body, Date.now());
}

/**
 * @param {string} title
 * @param {string} name a stable hook for tests and styles
 * @param {...(Node | string | null | false)} children
 */
function section(title, name, ...children) {
  return h('section', { class: `detail-section ${name}`, 'data-section': name }, h('h3', { text: title }), ...children);
}

/** @param {string | null} iso */
function when(iso) {
  return iso ? h('time', { datetime: iso, title: clockTime(iso), 'data-relative': iso }) : h('span', { text: '—' });
}

/** @param {string} text @param {string} kind */
function badge(text, kind) {
  return h('span', { class: `badge ${kind}`, text });
}

/** @param {any} deal */
function summary(deal) {
  const health = deal.health ?? 'none';
  return h(
    'dl',
    { class: 'facts' },
    h('dt', { text: 'Health' }),
    h(
      'dd',
      {},
      h('span', { class: `health-badge health-${health}`, text: healthLabel(deal.health) }),
      deal.paused && badge('Paused', 'paused'),
      deal.idleSince && badge('Idle', 'idle'),
    ),
    deal.idleSince && h('dt', { text: 'No contact since' }),
    deal.idleSince && h('dd', {}, when(deal.idleSince)),
    deal.response && h('dt', { text: deal.response.require === 'cause' ? 'Cause of the delay' : 'Remediation plan' }),
    deal.response &&
      h(
        'dd',
        { 'data-response': deal.response.require },
        deal.response.answeredAt ? 'Given ' : deal.response.overdue ? 'Overdue, was due ' : 'Due ',
        when(deal.response.answeredAt ?? deal.response.dueBy),
      ),
    h('dt', { text: 'Status' }),
    h('dd', { text: deal.status }),
    h('dt', { text: 'Customer' }),
    h('dd', { text: `${deal.customer?.name ?? ''} (tier ${deal.customer?.tier ?? '?'})` }),
    h('dt', { text: 'Amount' }),
    h('dd', { text: money(deal.amount, deal.currency) }),
    h('dt', { text: 'Owner' }),
    h('dd', { text: deal.owner }),
    h('dt', { text: 'SOP' }),
    h('dd', { text: `${deal.sop?.id} v${deal.sop?.version}` }),
    h('dt', { text: 'Opened' }),
    h('dd', {}, when(deal.createdAt)),
  );
}

/** @param {any} deal */
function currentStage(deal) {
  const stage = deal.stage;
  if (!stage)
    return section('Current stage', 'stage', h('p', { text: deal.status === 'open' ? 'No current stage.' : `Closed: ${deal.status}.` }));
  const submitted = new Set(stage.deliverables.submitted);
  const required = stage.deliverables.required;
  const done = required.filter((/** @type {string} */ d) => submitted.has(d)).length;
  return section(
    `Current stage: ${stage.name}`,
    'stage',
    h(
      'p',
      {},
      'In stage for ',
      h('time', { 'data-since': stage.enteredAt, datetime: stage.enteredAt }),
      stage.warnAt ? ' · warning ' : '',
      stage.warnAt && h('time', { 'data-until': stage.warnAt, datetime: stage.warnAt, title: clockTime(stage.warnAt) }),
      stage.breachAt ? ' · breach ' : '',
      stage.breachAt && h('time', { 'data-until': stage.breachAt, datetime: stage.breachAt, title: clockTime(stage.breachAt) }),
    ),
    h('h4', { text: `Deliverables: ${done} of ${required.length} submitted` }),
    required.length === 0
      ? h('p', { text: 'This stage requires no deliverables.' })
      : h(
          'ul',
          { class: 'deliverables' },
          ...required.map((/** @type {string} */ name) =>
            h(
              'li',
              { class: submitted.has(name) ? 'submitted' : 'missing', 'data-deliverable': name },
              h('span', { class: 'mark', 'aria-hidden': 'true', text: submitted.has(name) ? '✓' : '○' }),
              ` ${name} — ${submitted.has(name) ? 'submitted' : 'missing'}`,
            ),
          ),
        ),
  );
}

/**
 * Every stage of the deal's SOP: done, skipped by a fast-lane rule (with the rule), current or ahead,
 * with the revisions each one needed.
 * @param {any} deal
 * @param {any | null} sop
 */
function stagePath(deal, sop) {
  const skipped = new Map(deal.skipped.map((/** @type {any} */ s) => [s.stage, s.rule]));
  const completed = new Map(deal.history.map((/** @type {any} */ s) => [s.stage, s]));
  const ids = sop?.stages?.map((/** @type {any} */ s) => s.id) ?? [...completed.keys(), ...skipped.keys(), deal.stage?.id].filter(Boolean);
  const names = new Map((sop?.stages ?? []).map((/** @type {any} */ s) => [s.id, s.name]));
  const rows = ids.map((/** @type {string} */ id) => {
    const revisions = deal.revisions?.[id] ?? 0;
    let state;
    if (skipped.has(id)) state = h('span', {}, badge('Skipped', 'skipped'), ' by rule ', h('code', { text: ruleText(skipped.get(id)) }));
    else if (completed.has(id)) {
      const run = completed.get(id);
      state = h('span', {}, badge('Done', 'done'), ` in ${duration(Date.parse(run.completedAt) - Date.parse(run.enteredAt))}`);
    } else if (deal.stage?.id === id) state = badge('Current', 'current');
    else state = badge('Ahead', 'ahead');
    return h(
      'tr',
      { 'data-stage': id },
      h('th', { scope: 'row', text: names.get(id) ?? id }),
      h('td', {}, state),
      h('td', { class: 'num', text: String(revisions) }),
    );
  });
  return section(
    'Stages',
    'stages',
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', text: 'Stage' }),
            h('th', { scope: 'col', text: 'State' }),
            h('th', { scope: 'col', text: 'Revisions' }),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}

/** @param {any} deal */
function requests(deal) {
  const open = deal.requests.filter((/** @type {any} */ r) => !r.answeredAt);
  const answered = deal.requests.filter((/** @type {any} */ r) => r.answeredAt);
  return section(
    `Open customer requests (${open.length})`,
    'requests',
    open.length === 0
      ? h('p', { text: 'None open.' })
      : h(
          'ul',
          {},
          ...open.map((/** @type {any} */ r) =>
            h(
              'li',
              { 'data-request': r.requestId },
              h('strong', { text: r.requestId }),
              r.summary ? ` — ${r.summary}` : '',
              h('br'),
              'Opened ',
              when(r.openedAt),
              r.warnAt ? ' · warning ' : '',
              r.warnAt && h('time', { 'data-until': r.warnAt, datetime: r.warnAt }),
              r.breachAt ? ' · breach ' : '',
              r.breachAt && h('time', { 'data-until': r.breachAt, datetime: r.breachAt }),
            ),
          ),
        ),
    answered.length > 0 && h('p', { class: 'muted', text: `${answered.length} answered.` }),
  );
}

/** @param {any} deal */
function risks(deal) {
  const open = deal.risks.filter((/** @type {any} */ r) => !r.resolvedAt);
  return section(
    `Risks (${open.length} open, ${deal.risks.length - open.length} resolved)`,
    'risks',
    deal.risks.length === 0
      ? h('p', { text: 'No risks raised.' })
      : h(
          'ul',
          {},
          ...deal.risks.map((/** @type {any} */ r) =>
            h(
              'li',
              { 'data-risk': r.riskId, class: r.resolvedAt ? 'resolved' : 'open' },
              badge(r.resolvedAt ? 'Resolved' : 'Open', r.resolvedAt ? 'done' : 'open'),
              ' ',
              h('strong', { text: r.summary }),
              ` — owner ${r.owner}`,
              r.dueBy && !r.resolvedAt ? ' · due ' : '',
              r.dueBy && !r.resolvedAt && h('time', { 'data-until': r.dueBy, datetime: r.dueBy }),
              (r.tasks ?? []).length > 0 &&
                h(
                  'ol',
                  { class: 'tasks', 'aria-label': `Playbook ${r.playbook ?? ''}` },
                  ...r.tasks.map((/** @type {any} */ t) =>
                    h(
                      'li',
                      { 'data-task': t.taskId, class: t.doneAt ? 'done' : t.overdue ? 'overdue' : 'open' },
                      badge(t.doneAt ? 'Done' : t.overdue ? 'Overdue' : 'To do', t.doneAt ? 'done' : t.overdue ? 'overdue' : 'open'),
                      ' ',
                      t.summary,
                      ` — ${t.owner ?? `no ${t.role} on this deal`}`,
                      t.doneAt ? '' : ' · due ',
                      t.doneAt ? '' : h('time', { 'data-until': t.dueBy, datetime: t.dueBy }),
                    ),
                  ),
                ),
            ),
          ),
        ),
  );
}

/**
 * Each alert's deliveries to the alert endpoints, by alert id: `[endpoint, delivery]` pairs.
 * @param {any} deliveries
 * @returns {Map<string, Array<[any, any]>>}
 */
function deliveriesByAlert(deliveries) {
  /** @type {Map<string, Array<[any, any]>>} */
  const byAlert = new Map();
  for (const endpoint of deliveries?.endpoints ?? []) {
    for (const delivery of endpoint.deliveries ?? []) {
      if (!delivery.alertId) continue;
      byAlert.set(delivery.alertId, [...(byAlert.get(delivery.alertId) ?? []), [endpoint, delivery]]);
    }
  }
  return byAlert;
}

/**
 * One alert's deliveries, one line per endpoint: the state in words, attempts and the last error.
 * @param {Array<[any, any]>} list
 */
function endpointDeliveries(list) {
  return h(
    'ul',
    { class: 'endpoint-deliveries' },
    ...list.map(([endpoint, delivery]) => {
      const last = delivery.attempts?.[delivery.attempts.length - 1];
      const attempts = `${delivery.attemptCount} attempt${delivery.attemptCount === 1 ? '' : 's'}`;
      return h(
        'li',
        { 'data-endpoint': endpoint.endpointId, 'data-delivery-state': delivery.state },
        `${endpoint.description || endpoint.endpointId} (${endpoint.format})`,
        delivery.event === 'incident.resolve' ? ' · incident resolved' : '',
        ' ',
        badge(delivery.state, `delivery-${delivery.state}`),
        ` ${attempts}`,
        last?.error ? ` · last: ${last.status ?? 'no answer'} ${last.error}` : '',
        delivery.nextAttemptAt && delivery.state === 'retrying' ? ' · next try ' : '',
        delivery.nextAttemptAt && delivery.state === 'retrying' ? when(delivery.nextAttemptAt) : '',
      );
    }),
  );
}

/**
 * @param {any} deal
 * @param {(id: string | null) => string} stageName
 * @param {any} deliveries the deal's deliveries to alert endpoints; null when not shown to this caller
 */
function escalations(deal, stageName, deliveries) {
  const byAlert = deliveriesByAlert(deliveries);
  return section(
    `Escalations and alerts (${deal.escalations.length})`,
    'escalations',
    deal.escalations.length === 0
      ? h('p', { text: 'None fired.' })
      : h(
          'ul',
          {},
          ...[...deal.escalations]
            .reverse()
            .map((/** @type {any} */ e) =>
              h(
                'li',
                { 'data-alert': e.id },
                h('strong', { text: alertName(e.type) }),
                e.stage ? ` · ${stageName(e.stage)}` : '',
                e.requestId ? ` · request ${e.requestId}` : '',
                typeof e.level === 'number' ? ` · level ${e.level + 1}` : '',
                typeof e.occurrence === 'number' && e.occurrence > 0 ? ` (repeat ${e.occurrence})` : '',
                ' · ',
                when(e.firedAt),
                ' ',
                badge(`Delivery ${e.delivery}`, `delivery-${e.delivery}`),
                byAlert.has(e.id) ? endpointDeliveries(byAlert.get(e.id) ?? []) : '',
              ),
            ),
        ),
  );
}

/**
 * @param {any} data
 * @param {(id: string | null) => string} stageName
 * @returns {string}
 */
function eventDetail(data, stageName) {
  if (!data || typeof data !== 'object') return '';
  const parts = [];
  if (data.stage) parts.push(stageName(data.stage));
  if (data.deliverable) parts.push(data.deliverable);
  if (data.rule) parts.push(`rule ${ruleText(data.rule)}`);
  if (data.requestId) parts.push(`request ${data.requestId}`);
  if (data.riskId) parts.push(`risk ${data.riskId}`);
  if (data.summary) parts.push(data.summary);
  if (data.kind) parts.push(data.kind);
  if (data.reason) parts.push(data.reason);
  if (data.from && data.to) parts.push(`${data.from} → ${data.to}`);
  if (data.delivery) parts.push(`delivery ${data.delivery}`);
  if (typeof data.revision === 'number') parts.push(`revision ${data.revision}`);
  if (typeof data.level === 'number') parts.push(`level ${data.level + 1}`);
  if (data.code) parts.push(`${data.action ?? ''} refused: ${data.message ?? data.code}`);
  if (data.note) parts.push(`“${data.note}”`);
  return parts.join(' · ');
}

/**
 * @param {any[]} timeline
 * @param {(id: string | null) => string} stageName
 */
function timelineSection(timeline, stageName) {
  return section(
    `Timeline (${timeline.length} events)`,
    'timeline',
    h(
      'ol',
      { class: 'timeline' },
      ...[...timeline]
        .reverse()
        .map((entry) =>
          h(
            'li',
            { 'data-event': entry.type },
            h('span', { class: 'event-name', text: eventName(entry.type) }),
            h('span', { class: 'event-detail', text: eventDetail(entry.data, stageName) }),
            h('span', { class: 'event-meta' }, when(entry.at), ` by ${entry.actor}`),
          ),
        ),
    ),
  );
}

/** What each deadline kind is called on the board. */
const DEADLINE_NAMES = /** @type {Record<string, string>} */ ({
  'stage.warning': 'SLA warning',
  'stage.breach': 'SLA breach',
  escalation: 'Escalation',
  'request.warning': 'Request warning',
  'request.breach': 'Request breach',
  'risk.due': 'Risk due',
});

/**
 * Why each pending deadline falls when it does, counted day by day on the deal's calendar, and the
 * rule behind each alert fired.
 * @param {any} explanation
 * @param {(id: string | null) => string} stageName
 */
function why(explanation, stageName) {
  /** @type {any[]} */
  const deadlines = explanation.deadlines ?? [];
  /** @type {any[]} */
  const alerts = explanation.alerts ?? [];
  /** @param {any} item */
  const subject = (item) =>
    [
      item.stage ? stageName(item.stage) : '',
      item.requestId ? `request ${item.requestId}` : '',
      item.riskId ? `risk ${item.riskId}` : '',
      typeof item.level === 'number' ? `level ${item.level + 1}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
  return section(
    'Why: deadlines and the rules behind them',
    'why',
    deadlines.length === 0
      ? h('p', { text: 'No deadline is pending.' })
      : h(
          'ul',
          { class: 'why-list' },
          ...deadlines.map((deadline) =>
            h(
              'li',
              { 'data-deadline': deadline.kind },
              h('strong', { text: DEADLINE_NAMES[deadline.kind] ?? deadline.kind }),
              subject(deadline) ? ` · ${subject(deadline)}` : '',
              ' · due ',
              when(deadline.at),
              h('div', { class: 'rule' }, h('code', { text: deadline.rule })),
              h(
                'details',
                {},
                h('summary', { text: `How ${deadline.clock === 'business' ? 'working' : 'wall'} time was counted` }),
                h('ol', { class: 'why-steps' }, ...deadline.steps.map((/** @type {string} */ step) => h('li', { text: step }))),
              ),
            ),
          ),
        ),
    alerts.length > 0 &&
      h(
        'details',
        { class: 'why-alerts' },
        h('summary', { text: `The rule behind each alert fired (${alerts.length})` }),
        h(
          'ul',
          {},
          ...alerts.map((alert) =>
            h(
              'li',
              { 'data-alert-rule': alert.alertId },
              h('strong', { text: alertName(alert.type) }),
              ' · deadline ',
              when(alert.deadline),
              ' · ',
              h('code', { text: alert.rule }),
            ),
          ),
        ),
      ),
  );
}
