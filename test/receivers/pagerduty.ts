import { createHash, randomBytes } from 'node:crypto';
import { arrayAt, isRecord, parseJson, recordAt, stringAt } from './json';
import { accept, refuse, requestUrl, type CheckRequest, type CheckResult } from './received';
import { countWithin } from './rate';
import { firstUrl } from './text';

/**
 * `pagerduty`: PagerDuty's Events API v2. Rules from "Send an Alert Event" / "Trigger Events"
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/), "Resolve Events"
 * (https://developer.pagerduty.com/docs/events-api-v2/resolve-events/) and the API's responses
 * (https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty, read in
 * the search corpus: 202 `{"status":"success","message":"Event processed","dedup_key"}`, 400
 * `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`, 429); from
 * knowledge: POST `/v2/enqueue`; `routing_key` 32 characters; `event_action` trigger | acknowledge |
 * resolve; a trigger needs `payload.summary` (at most 1024), `payload.source` and
 * `payload.severity` (critical | error | warning | info); `dedup_key` at most 255, required to
 * acknowledge or resolve; 120 events a minute per routing key. The exact wording of each error is
 * this receiver's.
 */

export interface PagerdutySettings {
  /** The Events API v2 integration's routing (integration) key: 32 characters. */
  readonly routingKey: string;
}

export type IncidentAction = 'trigger' | 'acknowledge' | 'resolve';
export const PAGERDUTY_PATH = '/v2/enqueue';
export const PAGERDUTY_PER_MINUTE = 120;
const ACTIONS: readonly string[] = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES: readonly string[] = ['critical', 'error', 'warning', 'info'];

export function defaults(given: Partial<PagerdutySettings>): PagerdutySettings {
  return { routingKey: given.routingKey ?? randomBytes(16).toString('hex') };
}

export function endpointPath(): string {
  return PAGERDUTY_PATH;
}

function invalid(errors: readonly string[]): CheckResult {
  const body = { status: 'invalid event', message: 'Event object is invalid', errors };
  return refuse(400, JSON.stringify(body), errors.join('; '));
}

function eventErrors(event: Record<string, unknown>, settings: PagerdutySettings): string[] {
  const errors: string[] = [];
  const key = event.routing_key;
  if (typeof key !== 'string' || !key) errors.push("'routing_key' is missing or blank");
  else if (key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (key !== settings.routingKey) errors.push("'routing_key' is not an integration key of this account");
  const action = event.event_action;
  if (typeof action !== 'string' || !ACTIONS.includes(action))
    errors.push("'event_action' is invalid (must be one of trigger, acknowledge, resolve)");
  const dedupKey = event.dedup_key;
  if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length > 255))
    errors.push("'dedup_key' must be a string of at most 255 characters");
  if ((action === 'acknowledge' || action === 'resolve') && (typeof dedupKey !== 'string' || !dedupKey))
    errors.push("'dedup_key' is missing or blank");
  if (action === 'trigger') errors.push(...payloadErrors(event.payload));
  return errors;
}

function payloadErrors(payload: unknown): string[] {
  if (!isRecord(payload)) return ["'payload' is missing or blank"];
  const errors: string[] = [];
  const summary = payload.summary;
  if (typeof summary !== 'string' || !summary.trim()) errors.push("'payload.summary' is missing or blank");
  else if (summary.length > 1024) errors.push("'payload.summary' is too long (maximum is 1024 characters)");
  if (typeof payload.source !== 'string' || !payload.source.trim()) errors.push("'payload.source' is missing or blank");
  if (typeof payload.severity !== 'string' || !SEVERITIES.includes(payload.severity)) {
    errors.push("'payload.severity' is invalid (must be one of critical, error, warning, info)");
  }
  return errors;
}

/** `earlier`: the instants of the events this routing key accepted before (120 a minute). */
export function check(request: CheckRequest, settings: PagerdutySettings, nowMs: number, earlier: readonly number[] = []): CheckResult {
  const url = requestUrl(request);
  if (!url || url.pathname !== PAGERDUTY_PATH) return refuse(404, '', `not ${PAGERDUTY_PATH}`);
  const parsed = parseJson(request.body);
  if (!parsed.ok || !isRecord(parsed.value)) return invalid(['Event object is not valid JSON']);
  const event = parsed.value;
  const errors = eventErrors(event, settings);
  if (errors.length) return invalid(errors);
  if (countWithin(earlier, nowMs, 60_000) >= PAGERDUTY_PER_MINUTE)
    return refuse(429, '', `over ${PAGERDUTY_PER_MINUTE} events a minute for this routing key`);

  const action = event.event_action as IncidentAction;
  // PagerDuty makes up a key for a trigger without one; here it is derived from the event, so the check stays pure.
  const dedupKey = stringAt(event, 'dedup_key') || createHash('sha256').update(`${nowMs}.${request.body}`).digest('hex').slice(0, 32);
  const summary = stringAt(event, 'payload', 'summary');
  return accept(202, JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey }), {
    format: 'pagerduty',
    at: nowMs,
    title: summary ?? `${action} ${dedupKey}`,
    text: renderEvent(event, action, dedupKey),
    mentions: [],
    body: event,
    incident: { action, dedupKey },
    link: firstUrl(arrayAt(event, 'links'), event.client_url, recordAt(event, 'payload')),
  });
}

function renderEvent(event: Record<string, unknown>, action: IncidentAction, dedupKey: string): string {
  const lines = [`${action} ${dedupKey}`];
  const severity = stringAt(event, 'payload', 'severity');
  const summary = stringAt(event, 'payload', 'summary');
  if (summary) lines.push(`${severity ?? ''} ${summary}`.trim());
  const source = stringAt(event, 'payload', 'source');
  if (source) lines.push(`source: ${source}`);
  const details = recordAt(event, 'payload', 'custom_details');
  if (details)
    lines.push(...Object.entries(details).map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`));
  for (const link of arrayAt(event, 'links') ?? []) lines.push(`${stringAt(link, 'text') ?? 'link'}: ${stringAt(link, 'href') ?? ''}`);
  return lines.join('\n');
}
