import type { AlertPayload } from '../../domain/deal-state';
import { incidentKey } from '../../domain/incidents';
import type { AlertFormat, AnswerReading, FormatContext, Notice, OutgoingRequest, PingPayload } from './format';
import { jsonObject, readStatus, stringField } from './http-answer';
import { chatMessage, clip, SEVERITY, type Severity } from './message';

/**
 * `pagerduty`: PagerDuty Events API v2. Request from "Send an Alert Event"
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/, PagerDuty/developer-docs
 * docs/events-API-v2/02-Trigger-Events.md): POST `https://events.pagerduty.com/v2/enqueue` (the
 * endpoint's URL) with `routing_key`, `event_action` (`trigger` / `resolve`), `dedup_key` (at most
 * 255 characters), `payload.summary` (at most 1024), `source`, `severity` (critical, error, warning,
 * info), `timestamp`, `component`, `group`, `class`, `custom_details`, `links`, `client`,
 * `client_url`; a resolve is `{routing_key, dedup_key, event_action}`. Answers from "Events API v2
 * Overview" (01-Overview.md, "Response Codes & Retry Logic"): 202 accepted (`{"status":"success",
 * "message":"Event processed","dedup_key":…}`); 400 invalid event (`errors` lists why), final; 429
 * and 5xx retried. Limit from "Events API Rate Limits" (05-Rate-Limits.md): about 120 events a
 * minute per integration key, over a 60 s window looking back.
 */

export const CLIENT = 'Sales SOP orchestrator';
const SOURCE = 'sales-sop-orchestrator';
const MAX_SUMMARY = 1024;

function routingKey(context: FormatContext): string {
  const key = context.endpoint.routingKey;
  if (!key) throw new Error('a pagerduty endpoint needs its routingKey');
  return key;
}

function trigger(alert: AlertPayload, context: FormatContext): Record<string, unknown> {
  const message = chatMessage(alert, context.nowMs, context.publicUrl);
  const summary = `${message.title} · ${message.facts
    .filter((fact) => fact.label !== 'Deal')
    .map((fact) => `${fact.label}: ${fact.value}`)
    .join(' · ')}`;
  const facts = Object.fromEntries(message.facts.map((fact) => [fact.label.toLowerCase(), fact.value]));
  return {
    routing_key: routingKey(context),
    event_action: 'trigger',
    dedup_key: incidentKey(alert),
    payload: {
      summary: clip(summary, MAX_SUMMARY),
      source: alert.deal.dealId,
      severity: SEVERITY[alert.type],
      timestamp: alert.occurredAt,
      ...(alert.stage && { component: alert.stage.id }),
      group: alert.deal.sop.id,
      class: alert.type,
      custom_details: {
        ...facts,
        event: message.event,
        deadlineAt: alert.deadline,
        amount: `${alert.deal.amount} ${alert.deal.currency}`,
        notify: alert.notify.join(', '),
        recipients: alert.recipients.map((r) => `${r.role}: ${r.subject === null ? 'nobody in the directory' : (r.name ?? r.subject)}`),
        alertId: alert.id,
      },
    },
    links: [{ href: message.link, text: message.linkText }],
    client: CLIENT,
    client_url: context.publicUrl,
  };
}

function pingTrigger(ping: PingPayload, context: FormatContext): Record<string, unknown> {
  const severity: Severity = 'info';
  return {
    routing_key: routingKey(context),
    event_action: 'trigger',
    dedup_key: ping.id,
    payload: {
      summary: clip(`Test message from ${CLIENT}: ${ping.endpoint.description || ping.endpoint.id}`, MAX_SUMMARY),
      source: SOURCE,
      severity,
      timestamp: ping.occurredAt,
      class: 'ping',
      custom_details: { endpoint: ping.endpoint.id },
    },
    links: [{ href: context.publicUrl, text: 'Open the board' }],
    client: CLIENT,
    client_url: context.publicUrl,
  };
}

function event(notice: Notice, context: FormatContext): Record<string, unknown> {
  switch (notice.kind) {
    case 'alert':
      return trigger(notice.alert, context);
    case 'resolve':
      return { routing_key: routingKey(context), event_action: 'resolve', dedup_key: incidentKey(notice.alert) };
    case 'ping':
      return pingTrigger(notice.ping, context);
  }
}

function request(notice: Notice, context: FormatContext): OutgoingRequest {
  return { url: context.endpoint.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event(notice, context)) };
}

/** 2xx with `status: "success"` is delivered; a 400's `errors` say why it was refused. */
function read(status: number, body: string, retryAfter: string | null, nowMs: number): AnswerReading {
  const answer = jsonObject(body);
  const errors = answer && Array.isArray(answer.errors) ? answer.errors.filter((e): e is string => typeof e === 'string') : [];
  const said = answer ? [stringField(answer, 'status'), stringField(answer, 'message'), ...errors].filter(Boolean).join('; ') : undefined;
  const reading = readStatus('PagerDuty', status, body, retryAfter, nowMs, said);
  if (reading.outcome !== 'delivered') return reading;
  if (answer && stringField(answer, 'status') === 'success') return reading;
  return { outcome: 'final', error: `PagerDuty answered ${status} without success: ${said || body.slice(0, 200) || 'empty body'}` };
}

export const pagerduty: AlertFormat = { request, read };
