import { teams } from '../../../activities/formats/teams';
import type { AlertPayload } from '../../../domain';
import {
  alert,
  alertNotice,
  bodyOf,
  breach,
  context,
  escalation,
  NOW_MS,
  OWNER,
  pingNotice,
  requestBreach,
  resolveNotice,
  warning,
} from './payloads';

const URL = 'https://prod-00.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=xyz';

/** The Adaptive Card with a mention of "Format cards in Microsoft Teams" (cards-format.md). */
const DOCUMENTED_MENTION_CARD = {
  contentType: 'application/vnd.microsoft.card.adaptive',
  content: {
    type: 'AdaptiveCard',
    body: [{ type: 'TextBlock', text: 'Hi <at>John Doe</at>' }],
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.0',
    msteams: { entities: [{ type: 'mention', text: '<at>John Doe</at>', mentioned: { id: '29:123124124124', name: 'John Doe' } }] },
  },
};

function cardOf(payload: AlertPayload) {
  const body = bodyOf(teams.request(alertNotice(payload), context({ url: URL })));
  expect(body.type).toBe('message');
  expect(body.attachments).toHaveLength(1);
  expect(body.attachments[0]).toMatchObject({ contentType: DOCUMENTED_MENTION_CARD.contentType, contentUrl: null });
  return body.attachments[0].content;
}

/** Every `<at>…</at>` in the card's text, each once. */
function mentionsIn(card: { body: { text?: string }[] }): string[] {
  return [...new Set(card.body.flatMap((block) => [...(block.text ?? '').matchAll(/<at>[^<]*<\/at>/g)].map((m) => m[0])))];
}

test('a breach: an Adaptive Card 1.4 with the facts, the people mentioned by email, and a button to the deal', () => {
  const request = teams.request(alertNotice(breach()), context({ url: URL }));
  expect(request?.url).toBe(URL);
  expect(request?.headers).toEqual({ 'content-type': 'application/json' });
  expect(cardOf(breach())).toEqual({
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: 'SLA breached: acme-001', size: 'Medium', weight: 'Bolder', color: 'Attention', wrap: true },
      {
        type: 'FactSet',
        facts: [
          { title: 'Deal', value: 'acme-001' },
          { title: 'Customer', value: 'Acme Corp (tier A)' },
          { title: 'Stage', value: 'Negotiation' },
          { title: 'Deadline', value: '2026-12-01 09:00 UTC (3h 12m late)' },
          { title: 'Owner', value: 'alice' },
          { title: 'SOP', value: 'enterprise-b2b v3' },
        ],
      },
      { type: 'TextBlock', text: 'Notify: <at>Alice Wang</at> (owner), <at>Carol Liu</at> (manager.manager)', wrap: true },
    ],
    actions: [{ type: 'Action.OpenUrl', title: 'Open deal', url: 'https://sop.example.com/#sop=enterprise-b2b&deal=acme-001' }],
    msteams: {
      entities: [
        { type: 'mention', text: '<at>Alice Wang</at>', mentioned: { id: 'alice@example.com', name: 'Alice Wang' } },
        { type: 'mention', text: '<at>Carol Liu</at>', mentioned: { id: 'carol@example.com', name: 'Carol Liu' } },
      ],
    },
  });
});

test.each([
  ['a breach', breach()],
  ['a warning', warning()],
  ['an escalation', escalation()],
  ['a request breach', requestBreach()],
  ['a person without a name', alert({ recipients: [{ ...OWNER, name: undefined }] })],
])('%s: every mention has its entity, shaped as the documented one', (_case, payload) => {
  const card = cardOf(payload);
  const entities: { text: string }[] = card.msteams.entities;
  expect(entities.map((entity) => entity.text).sort()).toEqual(mentionsIn(card).sort());
  const documented = DOCUMENTED_MENTION_CARD.content.msteams.entities[0];
  for (const entity of entities) {
    expect(Object.keys(entity)).toEqual(Object.keys(documented));
    expect(Object.keys((entity as typeof documented).mentioned)).toEqual(Object.keys(documented.mentioned));
  }
});

test('a warning is amber and says how soon; an escalation names who has no email', () => {
  expect(cardOf(warning()).body[0].color).toBe('Warning');
  expect(JSON.stringify(cardOf(warning()).body[1])).toContain('due in 20m');
  expect(cardOf(escalation()).body[2].text).toBe('Notify: <at>Alice Wang</at> (owner), bob (manager), legal: nobody in the directory');
});

test('free text cannot form an <at> tag', () => {
  const card = cardOf(alert({ deal: { ...breach().deal, customer: { name: '<at>Alice Wang</at>', tier: 'A' } } }));
  expect(card.body[1].facts[1].value).toBe('‹at›Alice Wang‹/at› (tier A)');
});

test('a ping is a test card with no mentions; a resolve sends nothing', () => {
  const card = bodyOf(teams.request(pingNotice(), context({ url: URL }))).attachments[0].content;
  expect(card.body[0]).toMatchObject({ text: 'Test message: Sales SOP alerts reach this channel', color: 'Accent' });
  expect(card.msteams.entities).toEqual([]);
  expect(card.actions[0]).toEqual({ type: 'Action.OpenUrl', title: 'Open the board', url: 'https://sop.example.com' });
  expect(teams.request(resolveNotice(), context({ url: URL }))).toBeNull();
});

test.each([
  ['202 Accepted (a Workflows flow)', 202, '', null, { outcome: 'delivered' }],
  ['200 (an older connector)', 200, '1', null, { outcome: 'delivered' }],
  ['429 with Retry-After', 429, '', '120', { outcome: 'retry', error: 'Teams answered 429', retryAfterMs: 120_000 }],
  ['a 502', 502, '', null, { outcome: 'retry', error: 'Teams answered 502' }],
  [
    'a 400 (a flow that rejects the body)',
    400,
    '{"error":{"code":"InvalidRequestContent"}}',
    null,
    { outcome: 'final', error: 'Teams answered 400: {"error":{"code":"InvalidRequestContent"}}' },
  ],
  ['a 401 (a flow that needs sign-in)', 401, '', null, { outcome: 'final', error: 'Teams answered 401' }],
])('%s', (_case, status, body, retryAfter, reading) => {
  expect(teams.read(status, body, retryAfter, NOW_MS)).toEqual(reading);
});
