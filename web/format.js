/** Human-readable durations, money, rates and event names for the board. */

const UNITS = [
  { ms: 86_400_000, label: 'd' },
  { ms: 3_600_000, label: 'h' },
  { ms: 60_000, label: 'min' },
  { ms: 1_000, label: 's' },
];

/**
 * A duration as its two largest units, e.g. "3 d 4 h", "12 min 5 s", "0 s".
 * @param {number} ms
 */
export function duration(ms) {
  if (!Number.isFinite(ms)) return '—';
  let rest = Math.max(0, Math.floor(Math.abs(ms)));
  const parts = [];
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.ms);
    rest -= count * unit.ms;
    if (count > 0 || parts.length > 0) parts.push(`${count} ${unit.label}`);
    if (parts.length === 2) break;
  }
  if (parts.length === 2 && parts[1].startsWith('0 ')) parts.pop();
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

/** @param {number | null | undefined} ms */
export function maybeDuration(ms) {
  return typeof ms === 'number' ? duration(ms) : '—';
}

/** @param {number | null | undefined} rate a fraction, 0.25 = 25 % */
export function percent(rate) {
  return typeof rate === 'number' ? `${Math.round(rate * 1000) / 10} %` : '—';
}

/** @param {number | null | undefined} value */
export function decimal(value, digits = 2) {
  return typeof value === 'number' ? String(Math.round(value * 10 ** digits) / 10 ** digits) : '—';
}

/**
 * @param {number} amount
 * @param {string | null} currency ISO 4217 code, when the list knows it
 */
export function money(amount, currency) {
  const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(amount);
  return currency ? `${currency} ${number}` : number;
}

/** @param {string} iso */
export function clockTime(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/**
 * "3 min ago" or "in 3 min".
 * @param {string} iso
 * @param {number} now
 */
export function relative(iso, now) {
  const delta = Date.parse(iso) - now;
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

/**
 * A deadline from now: "in 3 min" or "overdue by 2 s".
 * @param {string} iso
 * @param {number} now
 */
export function untilDeadline(iso, now) {
  const delta = Date.parse(iso) - now;
  return delta >= 0 ? `in ${duration(delta)}` : `overdue by ${duration(-delta)}`;
}

/** @param {number | null | undefined} pace a deal's time in stage over its peers' median */
export function paceText(pace) {
  return typeof pace === 'number' ? `${pace.toFixed(1)}× the p50 of peers` : '';
}

/**
 * The light as a word too, so the colour is never the only signal.
 * @param {string | null | undefined} health
 */
export function healthLabel(health) {
  if (health === 'green') return 'Green · on track';
  if (health === 'yellow') return 'Yellow · at risk';
  if (health === 'red') return 'Red · breached';
  return 'No health';
}

const EVENT_NAMES = {
  deal_created: 'Deal opened',
  stage_entered: 'Stage entered',
  stage_skipped: 'Stage skipped (fast lane)',
  deliverable_submitted: 'Deliverable submitted',
  stage_completed: 'Stage completed',
  activity_logged: 'Activity logged',
  request_opened: 'Customer request opened',
  request_answered: 'Customer request answered',
  revision_requested: 'Revision requested',
  paused: 'Paused',
  resumed: 'Resumed',
  reassigned: 'Reassigned',
  deal_updated: 'Deal updated',
  risk_raised: 'Risk raised',
  risk_resolved: 'Risk resolved',
  deal_won: 'Deal won',
  deal_lost: 'Deal lost',
  sla_warning: 'Stage SLA warning',
  sla_breached: 'Stage SLA breached',
  escalation_fired: 'Escalation fired',
  request_warning: 'Request SLA warning',
  request_breached: 'Request SLA breached',
  risk_overdue: 'Risk overdue',
  delivery_recorded: 'Alert delivery recorded',
  action_rejected: 'Action rejected',
  sop_migrated: 'Moved to a new SOP version',
  stage_moved: 'Moved to another stage',
  deal_reopened: 'Deal reopened',
  alert_redelivered: 'Alert sent again',
  task_completed: 'Playbook task done',
  task_overdue: 'Playbook task overdue',
  delay_explained: 'Cause of the delay given',
  plan_submitted: 'Remediation plan given',
  response_overdue: 'Cause or plan overdue',
  deal_idle: 'Deal idle',
  cadence_missed: 'Cadence missed',
};

/** @param {string} type a timeline event type */
export function eventName(type) {
  const known = /** @type {Record<string, string>} */ (EVENT_NAMES)[type];
  if (known) return known;
  const words = type.replace(/[_.]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ALERT_NAMES = {
  'deal.sla.warning': 'Stage SLA warning',
  'deal.sla.breached': 'Stage SLA breached',
  'deal.escalated': 'Escalation',
  'deal.request.warning': 'Request SLA warning',
  'deal.request.breached': 'Request SLA breached',
  'deal.risk.overdue': 'Risk overdue',
  'deal.task.overdue': 'Playbook task overdue',
  'deal.idle': 'Deal idle',
  'deal.response.overdue': 'Cause or plan overdue',
  'deal.cadence.missed': 'Cadence missed',
};

/** @param {string} type a webhook event type */
export function alertName(type) {
  return /** @type {Record<string, string>} */ (ALERT_NAMES)[type] ?? type;
}

const OPS = { eq: '=', ne: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'in' };

/**
 * A fast-lane rule as a sentence-like expression, e.g. `customer.tier = "A" or amount ≥ 5000000`.
 * @param {any} rule
 * @returns {string}
 */
export function ruleText(rule) {
  if (!rule || typeof rule !== 'object') return String(rule);
  if (Array.isArray(rule.all)) return rule.all.map(nested).join(' and ');
  if (Array.isArray(rule.any)) return rule.any.map(nested).join(' or ');
  if (rule.not) return `not ${nested(rule.not)}`;
  const op = /** @type {Record<string, string>} */ (OPS)[rule.op] ?? rule.op;
  return `${rule.field} ${op} ${JSON.stringify(rule.value)}`;
}

/** @param {any} rule */
function nested(rule) {
  return rule && typeof rule === 'object' && !('field' in rule) ? `(${ruleText(rule)})` : ruleText(rule);
}
