import { createHmac, randomBytes } from 'node:crypto';
import { arrayAt, isRecord, parseJson, stringAt } from './json';
import { accept, header, refuse, type CheckRequest, type CheckResult } from './received';
import { sameText } from './secure-compare';
import { firstUrl } from './text';

/**
 * `standard`: a consumer of Standard Webhooks. Rules from "Standard Webhooks" v1.0.0, the spec
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md,
 * https://www.standardwebhooks.com), read in the search corpus: headers `webhook-id`,
 * `webhook-timestamp` (integer unix seconds) and `webhook-signature` (space-delimited `v1,<base64>`
 * entries, other versions ignored); the signed content is `<id>.<timestamp>.<body>`, HMAC-SHA256
 * keyed with the base64-decoded part of the `whsec_` secret; valid when any entry matches, compared
 * in constant time; a timestamp more than 5 minutes from now is refused (replay protection). A
 * consumer that knows several secrets (a rotation's overlap) accepts a signature by any of them.
 * Refusals of authenticity answer 401; a body that is not the JSON event for that id answers 400.
 * Success answers 204, as `CONTRACT.md`'s own receiver did.
 */

export interface StandardSettings {
  /** The `whsec_…` secrets this consumer knows: e.g. the new and the old during a rotation. */
  readonly secrets: readonly string[];
}

export const STANDARD_PATH = '/alerts';
export const TOLERANCE_SECONDS = 5 * 60;

export function defaults(given: Partial<StandardSettings>): StandardSettings {
  return { secrets: given.secrets?.length ? given.secrets : [`whsec_${randomBytes(32).toString('base64')}`] };
}

export function endpointPath(): string {
  return STANDARD_PATH;
}

/** The HMAC key of a secret: the base64 after `whsec_` (a secret without the prefix is base64 too, as the reference libraries read it). */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

function signatureMatches(expected: string, entries: readonly string[]): boolean {
  return entries.some((entry) => sameText(entry, expected));
}

export function check(request: CheckRequest, settings: StandardSettings, nowMs: number): CheckResult {
  const id = header(request, 'webhook-id');
  const timestamp = header(request, 'webhook-timestamp');
  const signature = header(request, 'webhook-signature');
  if (!id || !timestamp || !signature)
    return refuse(401, 'Missing required headers', 'missing webhook-id, webhook-timestamp or webhook-signature');
  if (!/^\d+$/.test(timestamp))
    return refuse(401, 'Invalid Signature Headers', `webhook-timestamp ${JSON.stringify(timestamp)} is not unix seconds`);
  const skew = Math.floor(nowMs / 1000) - Number(timestamp);
  if (skew > TOLERANCE_SECONDS)
    return refuse(401, 'Message timestamp too old', `webhook-timestamp is ${skew} s old (tolerance ${TOLERANCE_SECONDS} s)`);
  if (-skew > TOLERANCE_SECONDS)
    return refuse(401, 'Message timestamp too new', `webhook-timestamp is ${-skew} s ahead (tolerance ${TOLERANCE_SECONDS} s)`);

  const entries = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice('v1,'.length));
  const content = `${id}.${timestamp}.${request.body}`;
  const verifiedWith = settings.secrets.flatMap((secret, index) =>
    signatureMatches(createHmac('sha256', keyOf(secret)).update(content).digest('base64'), entries) ? [index] : [],
  );
  if (verifiedWith.length === 0) {
    const reason = entries.length
      ? `none of ${entries.length} v1 signature(s) matches any of ${settings.secrets.length} secret(s)`
      : 'no v1 signature';
    return refuse(401, 'No matching signature found', reason);
  }

  const parsed = parseJson(request.body);
  if (!parsed.ok || !isRecord(parsed.value))
    return refuse(400, 'Invalid payload', `body is not a JSON object${parsed.ok ? '' : `: ${parsed.error}`}`);
  const event = parsed.value;
  if (event.id !== id)
    return refuse(400, 'Invalid payload', `body id ${JSON.stringify(event.id)} is not the webhook-id ${JSON.stringify(id)}`);

  return accept(204, '', {
    format: 'standard',
    at: nowMs,
    deliveryId: id,
    title: titleOf(event),
    text: renderEvent(event),
    mentions: recipientsOf(event),
    body: event,
    verifiedWith,
    signature: 'verified',
    link: firstUrl(event.link, event.url, event),
  });
}

function titleOf(event: Record<string, unknown>): string {
  const type = typeof event.type === 'string' ? event.type : 'event';
  const deal = stringAt(event, 'deal', 'dealId');
  return deal ? `${type}: ${deal}` : type;
}

function recipientsOf(event: Record<string, unknown>): string[] {
  return (arrayAt(event, 'recipients') ?? []).flatMap((recipient) => {
    const subject = stringAt(recipient, 'subject');
    return subject ? [subject] : [];
  });
}

/** One line in the words of the v1 receiver: type, deal, stage, health and who to tell. */
function renderEvent(event: Record<string, unknown>): string {
  const parts = [typeof event.type === 'string' ? event.type : 'event'];
  const deal = stringAt(event, 'deal', 'dealId');
  if (deal) parts.push(`deal=${deal}`);
  const customer = stringAt(event, 'deal', 'customer', 'name');
  if (customer) parts.push(`customer=${JSON.stringify(customer)}`);
  parts.push(`stage=${stringAt(event, 'stage', 'id') ?? '-'}`);
  const health = stringAt(event, 'deal', 'health');
  if (health) parts.push(`health=${health}`);
  const deadline = stringAt(event, 'deadline');
  if (deadline) parts.push(`deadline=${deadline}`);
  const recipients = (arrayAt(event, 'recipients') ?? []).map((r) => `${stringAt(r, 'role') ?? '?'}:${stringAt(r, 'subject') ?? '-'}`);
  if (recipients.length) parts.push(`recipients=${recipients.join(',')}`);
  return parts.join(' ');
}
