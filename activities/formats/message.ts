import type { AlertPayload, AlertType, Contact, Recipient } from '../../domain/deal-state';
import type { PingPayload } from './format';

/**
 * The short message every chat tool shows for an alert or a test (`CONTRACT.md` v2.3, "Formats"):
 * the event in words, the deal, customer, stage, deadline and how late, the owner, the SOP, a link
 * to the deal on the board, and the people to tell. Values are plain text, on one line and cut to
 * length; each format escapes them and writes mentions in its own syntax.
 */

/** How bad it is, in PagerDuty's words (the chat formats colour their cards by it). */
export type Severity = 'critical' | 'error' | 'warning' | 'info';

export const SEVERITY: Readonly<Record<AlertType, Severity>> = {
  'deal.sla.warning': 'warning',
  'deal.sla.breached': 'critical',
  'deal.escalated': 'critical',
  'deal.request.warning': 'warning',
  'deal.request.breached': 'error',
  'deal.risk.overdue': 'error',
  'deal.task.overdue': 'error',
  'deal.idle': 'warning',
  'deal.response.overdue': 'error',
  'deal.cadence.missed': 'warning',
};

/** A free-text value's longest length in a message (customer names, stage names, ids). */
export const MAX_TEXT = 200;
/** Recipients named in one message; the rest are counted. */
export const MAX_NAMED = 20;

export interface Fact {
  readonly label: string;
  readonly value: string;
}

export interface ChatMessage {
  /** The event in words: "SLA breached", "Escalated (level 2, repeat 1)", "Test message". */
  readonly event: string;
  /** The event and the deal: "SLA breached: D-1042". */
  readonly title: string;
  readonly severity: Severity;
  readonly facts: readonly Fact[];
  /** The deal on the board (the board itself for a test message), and the words of its button. */
  readonly link: string;
  readonly linkText: string;
  readonly recipients: readonly Recipient[];
}

/** The people directory's chat id fields (`email` is how Teams names a person). */
export type ChatField = keyof Omit<Contact, 'name'>;

/** A person a message mentions, by the tool's id for them. */
export interface Mention {
  readonly id: string;
  readonly name: string;
}

/** How a format writes plain text and mentions. */
export interface Markup {
  readonly text: (value: string) => string;
  readonly mention: (mention: Mention) => string;
}

export function chatMessage(subject: AlertPayload | PingPayload, nowMs: number, publicUrl: string): ChatMessage {
  if (subject.type === 'ping') return pingMessage(subject, publicUrl);
  const event = eventWords(subject);
  const deal = subject.deal;
  const facts: Fact[] = [
    { label: 'Deal', value: clip(deal.dealId) },
    { label: 'Customer', value: `${clip(deal.customer.name)} (tier ${deal.customer.tier})` },
    ...subjectFacts(subject),
    { label: 'Deadline', value: `${instantWords(subject.deadline)} (${lateness(Date.parse(subject.deadline), nowMs)})` },
    { label: 'Owner', value: clip(deal.owner) },
    { label: 'SOP', value: `${clip(deal.sop.id)} v${deal.sop.version}` },
  ];
  return {
    event,
    title: `${event}: ${clip(deal.dealId)}`,
    severity: SEVERITY[subject.type],
    facts,
    link: dealLink(publicUrl, deal.sop.id, deal.dealId),
    linkText: 'Open deal',
    recipients: subject.recipients,
  };
}

function pingMessage(ping: PingPayload, publicUrl: string): ChatMessage {
  return {
    event: 'Test message',
    title: 'Test message: Sales SOP alerts reach this channel',
    severity: 'info',
    facts: [
      { label: 'Endpoint', value: clip(ping.endpoint.description || ping.endpoint.id) },
      { label: 'Sent', value: instantWords(ping.occurredAt) },
    ],
    link: publicUrl,
    linkText: 'Open the board',
    recipients: [],
  };
}

/** The event in words, with the escalation's level (1-based) and its repeat. */
export function eventWords(alert: Pick<AlertPayload, 'type' | 'level' | 'occurrence'>): string {
  switch (alert.type) {
    case 'deal.sla.warning':
      return 'SLA warning';
    case 'deal.sla.breached':
      return 'SLA breached';
    case 'deal.escalated': {
      const repeat = alert.occurrence !== null && alert.occurrence > 0 ? `, repeat ${alert.occurrence}` : '';
      return `Escalated (level ${(alert.level ?? 0) + 1}${repeat})`;
    }
    case 'deal.request.warning':
      return 'Customer request due soon';
    case 'deal.request.breached':
      return 'Customer request overdue';
    case 'deal.risk.overdue':
      return 'Risk overdue';
    case 'deal.task.overdue':
      return 'Risk task overdue';
    case 'deal.idle':
      return 'Deal idle';
    case 'deal.response.overdue':
      return 'Response overdue';
    case 'deal.cadence.missed':
      return 'Contact cadence missed';
  }
}

/** What the alert is about within the deal: its stage, request, risk or task, and what fell short. */
function subjectFacts(alert: AlertPayload): Fact[] {
  const facts: Fact[] = [];
  if (alert.stage) facts.push({ label: 'Stage', value: clip(alert.stage.name) });
  if (alert.requestId) facts.push({ label: 'Request', value: clip(alert.requestId) });
  if (alert.riskId) facts.push({ label: 'Risk', value: clip(alert.riskId) });
  if (alert.taskId) facts.push({ label: 'Task', value: clip(alert.taskId) });
  if (alert.response) facts.push({ label: 'Asked for', value: `a ${alert.response.require} within ${clip(alert.response.within)}` });
  if (alert.cadence) {
    const kinds = clip(alert.cadence.kinds.join(', '));
    facts.push({ label: 'Contacts', value: `${alert.cadence.counted} of ${alert.cadence.atLeast} (${kinds})` });
  }
  return facts;
}

/** The deal on the pipeline board (deal and SOP ids hold no character a markdown link would trip on). */
export function dealLink(publicUrl: string, sopId: string, dealId: string): string {
  return `${publicUrl}/#sop=${encodeURIComponent(sopId)}&deal=${encodeURIComponent(dealId)}`;
}

/** An instant as people read it, in UTC to the minute: "2026-12-01 09:00 UTC". */
export function instantWords(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? clip(iso) : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How late `nowMs` is past the deadline ("3h 12m late"), or how soon it falls ("due in 20m"). */
export function lateness(deadlineMs: number, nowMs: number): string {
  if (Number.isNaN(deadlineMs)) return 'deadline unknown';
  const late = nowMs - deadlineMs;
  return late >= 0 ? `${durationWords(late)} late` : `due in ${durationWords(-late)}`;
}

/** A span in days, hours and minutes, the two largest units only: "2d 3h", "3h 12m", "45m", "<1m". */
export function durationWords(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1m';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return rest > 0 ? `${hours}h ${rest}m` : `${hours}h`;
  return `${rest}m`;
}

/** Free text on one line, at most `max` characters (an ellipsis marks the cut). */
export function clip(text: string, max = MAX_TEXT): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

/** The recipients a tool can mention by its `field` id: those with a subject and that id, each id once. */
export function mentionsOf(recipients: readonly Recipient[], field: ChatField): Mention[] {
  const seen = new Set<string>();
  const mentions: Mention[] = [];
  for (const recipient of recipients) {
    const id = recipient[field];
    if (recipient.subject === null || !id || seen.has(id)) continue;
    seen.add(id);
    mentions.push({ id, name: clip(recipient.name ?? recipient.subject) });
  }
  return mentions;
}

/**
 * Everyone the alert tells, once each with their roles: mentioned where the tool knows their `field`
 * id, named (or by subject) where it does not; a role nobody fills is named as such.
 * E.g. `<@U1> (owner), Bob Li (manager), manager.manager: nobody in the directory`. At most
 * `MAX_NAMED` people and `maxChars` characters, whole entries only; the rest are counted.
 */
export function addressees(recipients: readonly Recipient[], field: ChatField, markup: Markup, maxChars = Infinity): string {
  const people = new Map<string, { recipient: Recipient; roles: string[] }>();
  const nobody: string[] = [];
  for (const recipient of recipients) {
    if (recipient.subject === null) {
      nobody.push(recipient.role);
      continue;
    }
    const known = people.get(recipient.subject);
    if (known) known.roles.push(recipient.role);
    else people.set(recipient.subject, { recipient, roles: [recipient.role] });
  }
  const parts = [...people.values()].map(({ recipient, roles }) => {
    const id = recipient[field];
    const name = clip(recipient.name ?? recipient.subject ?? '');
    const who = id ? markup.mention({ id, name }) : markup.text(name);
    return `${who} (${markup.text(clip(roles.join(', ')))})`;
  });
  parts.push(...nobody.map((role) => markup.text(`${clip(role)}: nobody in the directory`)));
  for (let shown = Math.min(parts.length, MAX_NAMED); shown > 0; shown--) {
    const more = parts.length - shown;
    const text = parts.slice(0, shown).join(', ') + (more > 0 ? ` and ${more} more` : '');
    if (text.length <= maxChars) return text;
  }
  return parts.length > 0 ? `${parts.length} people` : '';
}

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character. */
export function fitBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  let bytes = Buffer.byteLength(ellipsis, 'utf8');
  let kept = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    kept += char;
  }
  return kept + ellipsis;
}
