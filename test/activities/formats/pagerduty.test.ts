import { pagerduty } from '../../../activities/formats/pagerduty';
import type { AlertPayload } from '../../../domain';
import {
  alert,
  alertNotice,
  bodyOf,
  breach,
  context,
  escalation,
  NOW_MS,
  pingNotice,
  requestBreach,
  resolveNotice,
  warning,
} from './payloads';

const URL = 'https://events.pagerduty.com/v2/enqueue';
const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';

/** The trigger and resolve examples of "Send an Alert Event" (PagerDuty/developer-docs, 02-Trigger-Events.md). */
const DOCUMENTED_TRIGGER = {
  payload: {
    summary: 'Example alert on host1.example.com',
    timestamp: '2015-07-17T08:42:58.315+0000',
    source: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
    severity: 'info',
    component: 'postgres',
    group: 'prod-datapipe',
    class: 'deploy',
    custom_details: { 'ping time': '1500ms', 'load avg': 0.75 },
  },
  routing_key: 'samplekeyhere',
  dedup_key: 'samplekeyhere',
  images: [
    {
      src: 'https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png',
      href: 'https://example.com/',
      alt: 'Example text',
    },
  ],
  links: [{ href: 'https://example.com/', text: 'Link text' }],
  event_action: 'trigger',
  client: 'Sample Monitoring Service',
  client_url: 'https://monitoring.example.com',
};
const DOCUMENTED_RESOLVE = { routing_key: 'routingkeyhere', dedup_key: 'dedupkeyhere', event_action: 'resolve' };

function eventOf(notice: Parameters<typeof pagerduty.request>[0]) {
  return bodyOf(pagerduty.request(notice, context({ url: URL, routingKey: ROUTING_KEY })));
}

test('a breach triggers the incident of its deal, stage visit and kind, in the documented shape', () => {
  const request = pagerduty.request(alertNotice(breach()), context({ url: URL, routingKey: ROUTING_KEY }));
  expect(request?.url).toBe(URL);
  expect(request?.headers).toEqual({ 'content-type': 'application/json' });
  const event = bodyOf(request);
  expect(Object.keys(event).every((key) => key in DOCUMENTED_TRIGGER)).toBe(true);
  expect(Object.keys(event.payload).sort()).toEqual(Object.keys(DOCUMENTED_TRIGGER.payload).sort());
  expect(event).toEqual({
    routing_key: ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: 'acme-001/negotiation@2026-11-28T09:00:00.000Z/deal.sla.breached',
    payload: {
      summary:
        'SLA breached: acme-001 · Customer: Acme Corp (tier A) · Stage: Negotiation · Deadline: 2026-12-01 09:00 UTC (3h 12m late) · Owner: alice · SOP: enterprise-b2b v3',
      source: 'acme-001',
      severity: 'critical',
      timestamp: '2026-12-01T09:00:00.000Z',
      component: 'negotiation',
      group: 'enterprise-b2b',
      class: 'deal.sla.breached',
      custom_details: {
        deal: 'acme-001',
        customer: 'Acme Corp (tier A)',
        stage: 'Negotiation',
        deadline: '2026-12-01 09:00 UTC (3h 12m late)',
        owner: 'alice',
        sop: 'enterprise-b2b v3',
        event: 'SLA breached',
        deadlineAt: '2026-12-01T09:00:00.000Z',
        amount: '120000 CNY',
        notify: 'owner, manager.manager',
        recipients: ['owner: Alice Wang', 'manager.manager: Carol Liu'],
        alertId: 'msg_breach_0001',
      },
    },
    links: [{ href: 'https://sop.example.com/#sop=enterprise-b2b&deal=acme-001', text: 'Open deal' }],
    client: 'Sales SOP orchestrator',
    client_url: 'https://sop.example.com',
  });
});

test.each<[string, AlertPayload, string, string]>([
  ['a warning', warning(), 'warning', 'acme-001/negotiation@2026-11-28T09:00:00.000Z/deal.sla.warning'],
  ['an escalation', escalation(), 'critical', 'acme-001/negotiation@2026-11-28T09:00:00.000Z/deal.escalated'],
  ['a request breach', requestBreach(), 'error', 'acme-001/req-7/deal.request.breached'],
  ['a risk overdue', alert({ type: 'deal.risk.overdue', stage: null, riskId: 'risk-2' }), 'error', 'acme-001/risk-2/deal.risk.overdue'],
  ['an idle deal', alert({ type: 'deal.idle' }), 'warning', 'acme-001/negotiation@2026-11-28T09:00:00.000Z/deal.idle'],
])('%s', (_case, payload, severity, dedupKey) => {
  const event = eventOf(alertNotice(payload));
  expect(event.payload.severity).toBe(severity);
  expect(event.dedup_key).toBe(dedupKey);
});

test('a request breach has no stage: no component', () => {
  expect(eventOf(alertNotice(requestBreach())).payload).not.toHaveProperty('component');
});

test('every repeat of an escalation is the same incident', () => {
  expect(eventOf(alertNotice(alert({ type: 'deal.escalated', level: 0, occurrence: 3 }))).dedup_key).toBe(
    eventOf(alertNotice(escalation())).dedup_key,
  );
});

test('the end of the stage visit resolves the incident, exactly as the documented resolve', () => {
  const event = eventOf(resolveNotice(breach()));
  expect(Object.keys(event).sort()).toEqual(Object.keys(DOCUMENTED_RESOLVE).sort());
  expect(event).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: eventOf(alertNotice(breach())).dedup_key });
});

test('a ping triggers an info event keyed by the ping', () => {
  expect(eventOf(pingNotice())).toMatchObject({
    event_action: 'trigger',
    dedup_key: 'ping_0001',
    payload: {
      severity: 'info',
      source: 'sales-sop-orchestrator',
      class: 'ping',
      summary: 'Test message from Sales SOP orchestrator: Sales leadership group',
    },
  });
});

test('the summary keeps to 1024 characters', () => {
  const long = alert({
    deal: { ...breach().deal, dealId: 'd'.repeat(128), customer: { name: 'c'.repeat(200), tier: 'C' } },
    stage: { id: 'negotiation', name: 's'.repeat(900), enteredAt: '2026-11-28T09:00:00.000Z' },
    requestId: 'r'.repeat(200),
    riskId: 'k'.repeat(200),
    taskId: 't'.repeat(200),
  });
  const summary: string = eventOf(alertNotice(long)).payload.summary;
  expect([...summary]).toHaveLength(1024);
  expect(summary.endsWith('…')).toBe(true);
});

test('without a routing key there is no event to send', () => {
  expect(() => pagerduty.request(alertNotice(), context({ url: URL }))).toThrow(/routingKey/);
});

test.each([
  ['202 success', 202, '{"status":"success","message":"Event processed","dedup_key":"samplekeyhere"}', null, { outcome: 'delivered' }],
  ['200 success', 200, '{"status":"success","message":"Event processed"}', null, { outcome: 'delivered' }],
  [
    '400 with errors',
    400,
    '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect (should be 32 characters)"]}',
    null,
    {
      outcome: 'final',
      error:
        "PagerDuty answered 400: invalid event; Event object is invalid; Length of 'routing_key' is incorrect (should be 32 characters)",
    },
  ],
  ['429', 429, '', '60', { outcome: 'retry', error: 'PagerDuty answered 429', retryAfterMs: 60_000 }],
  [
    '429 without Retry-After',
    429,
    '{"status":"throttle event","message":"Requests for this service are arriving too quickly."}',
    null,
    { outcome: 'retry', error: 'PagerDuty answered 429: throttle event; Requests for this service are arriving too quickly.' },
  ],
  ['a 500', 500, 'Internal Server Error', null, { outcome: 'retry', error: 'PagerDuty answered 500: Internal Server Error' }],
  [
    'a 2xx without success',
    202,
    '{"status":"queued?"}',
    null,
    { outcome: 'final', error: 'PagerDuty answered 202 without success: queued?' },
  ],
  ['a 403', 403, '', null, { outcome: 'final', error: 'PagerDuty answered 403' }],
])('%s', (_case, status, body, retryAfter, reading) => {
  expect(pagerduty.read(status, body, retryAfter, NOW_MS)).toEqual(reading);
});
