import { slack, SLACK_LIMITS } from '../../../activities/formats/slack';
import type { Recipient } from '../../../domain';
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

const URL = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

test('a breach: fallback text, a header, the facts, the people mentioned by Slack id, a button to the deal', () => {
  const request = slack.request(alertNotice(breach()), context({ url: URL }));
  expect(request?.url).toBe(URL);
  expect(request?.headers).toEqual({ 'content-type': 'application/json' });
  expect(bodyOf(request)).toEqual({
    text: 'SLA breached: acme-001 — Deal: acme-001 · Customer: Acme Corp (tier A) · Stage: Negotiation · Deadline: 2026-12-01 09:00 UTC (3h 12m late) · Owner: alice · SOP: enterprise-b2b v3',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'SLA breached: acme-001', emoji: false } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Deal*\nacme-001' },
          { type: 'mrkdwn', text: '*Customer*\nAcme Corp (tier A)' },
          { type: 'mrkdwn', text: '*Stage*\nNegotiation' },
          { type: 'mrkdwn', text: '*Deadline*\n2026-12-01 09:00 UTC (3h 12m late)' },
          { type: 'mrkdwn', text: '*Owner*\nalice' },
          { type: 'mrkdwn', text: '*SOP*\nenterprise-b2b v3' },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*Notify*: <@U0ALICE> (owner), <@U0CAROL> (manager.manager)' } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Open deal' },
            url: 'https://sop.example.com/#sop=enterprise-b2b&deal=acme-001',
          },
        ],
      },
    ],
  });
});

test.each([
  ['a warning', warning(), 'due in 20m'],
  ['an escalation', escalation(), '*Notify*: <@U0ALICE> (owner), bob (manager), legal: nobody in the directory'],
  ['a request breach', requestBreach(), '*Request*\nreq-7'],
])('%s', (_case, payload, part) => {
  expect(JSON.stringify(bodyOf(slack.request(alertNotice(payload), context({ url: URL }))).blocks)).toContain(
    JSON.stringify(part).slice(1, -1),
  );
});

test('free text is escaped: no <!channel> from a customer name', () => {
  const payload = alert({ deal: { ...breach().deal, customer: { name: '<!channel> & <@U0EVIL>', tier: 'A' } } });
  const body = bodyOf(slack.request(alertNotice(payload), context({ url: URL })));
  expect(body.blocks[1].fields[1].text).toBe('*Customer*\n&lt;!channel&gt; &amp; &lt;@U0EVIL&gt; (tier A)');
  expect(body.text).not.toContain('<!channel>');
});

test('within Block Kit limits however many people are told', () => {
  const many = Array.from({ length: 40 }, (_, i): Recipient => ({
    role: `role-${i}`,
    subject: `s${i}`,
    name: 'N'.repeat(200),
    slack: `U${i}`,
  }));
  const body = bodyOf(slack.request(alertNotice(alert({ recipients: many })), context({ url: URL })));
  expect(body.blocks.length).toBeLessThanOrEqual(50);
  expect(body.blocks[0].text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerChars);
  expect(body.blocks[1].fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
  for (const field of body.blocks[1].fields) expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldChars);
  expect(body.blocks[2].text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
  expect(body.blocks[2].text.text).toMatch(/^\*Notify\*: <@U0> \(role-0\), .* and \d+ more$/);
  expect(body.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
});

test('a ping has no people to tell; a resolve sends nothing', () => {
  const body = bodyOf(slack.request(pingNotice(), context({ url: URL })));
  expect(body.blocks.map((block: { type: string }) => block.type)).toEqual(['header', 'section', 'actions']);
  expect(slack.request(resolveNotice(), context({ url: URL }))).toBeNull();
});

test.each([
  ['the documented "ok"', 200, 'ok', null, { outcome: 'delivered' }],
  [
    'rate limited, after Retry-After',
    429,
    'rate_limited',
    '3',
    { outcome: 'retry', error: 'Slack answered 429: rate_limited', retryAfterMs: 3_000 },
  ],
  [
    'rate limited, Retry-After as a date',
    429,
    '',
    new Date(NOW_MS + 10_000).toUTCString(),
    { outcome: 'retry', error: 'Slack answered 429', retryAfterMs: 10_000 },
  ],
  ['invalid_payload', 400, 'invalid_payload', null, { outcome: 'final', error: 'Slack answered 400: invalid_payload' }],
  ['no_text', 400, 'no_text', null, { outcome: 'final', error: 'Slack answered 400: no_text' }],
  ['channel_not_found', 404, 'channel_not_found', null, { outcome: 'final', error: 'Slack answered 404: channel_not_found' }],
  ['channel_is_archived', 410, 'channel_is_archived', null, { outcome: 'final', error: 'Slack answered 410: channel_is_archived' }],
  ['action_prohibited', 403, 'action_prohibited', null, { outcome: 'final', error: 'Slack answered 403: action_prohibited' }],
  ['a 5xx', 503, 'service_unavailable', null, { outcome: 'retry', error: 'Slack answered 503: service_unavailable' }],
])('%s', (_case, status, body, retryAfter, reading) => {
  expect(slack.read(status, body, retryAfter, NOW_MS)).toEqual(reading);
});
