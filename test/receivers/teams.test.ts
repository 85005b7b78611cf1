import { check } from './teams';

// Teams Workflows "Post to a channel when a webhook request is received" with the Adaptive Card
// and mention entities of "Format cards in Microsoft Teams" (learn.microsoft.com).

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const settings = { workflowId: 'a1b2c3', sig: 'signature-123' };
const url = `https://prod-00.westus.logic.azure.com:443/workflows/${settings.workflowId}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${settings.sig}`;

function card(overrides: Record<string, unknown> = {}) {
  return {
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: 'SLA breached: D-1', weight: 'Bolder', size: 'Medium' },
      { type: 'FactSet', facts: [{ title: 'Deal', value: 'D-1' }] },
      { type: 'TextBlock', text: 'Notify: <at>Mia Manager</at>' },
    ],
    actions: [{ type: 'Action.OpenUrl', title: 'Open deal', url: 'https://board.example/#deal=D-1' }],
    msteams: { entities: [{ type: 'mention', text: '<at>Mia Manager</at>', mentioned: { id: 'mia@example.com', name: 'Mia Manager' } }] },
    ...overrides,
  };
}

function post(content: unknown, to = url) {
  const body = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] };
  return { url: to, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

describe('teams receiver', () => {
  it('accepts an Adaptive Card with a resolved mention: 202, no body', () => {
    const result = check(post(card()), settings, NOW);
    expect(result).toMatchObject({
      accepted: true,
      status: 202,
      body: '',
      message: { title: 'SLA breached: D-1', mentions: ['mia@example.com'], link: 'https://board.example/#deal=D-1' },
    });
    expect(result.accepted && result.message.text).toContain('Deal: D-1');
  });

  it('refuses an <at> tag without its mention entity, or an entity without mentioned.id', () => {
    expect(check(post(card({ msteams: { entities: [] } })), settings, NOW)).toMatchObject({
      accepted: false,
      status: 400,
      reason: expect.stringContaining('<at>Mia Manager</at>'),
    });
    const noId = { entities: [{ type: 'mention', text: '<at>Mia Manager</at>', mentioned: { name: 'Mia' } }] };
    expect(check(post(card({ msteams: noId })), settings, NOW)).toMatchObject({
      accepted: false,
      status: 400,
      reason: expect.stringContaining('mentioned.id'),
    });
  });

  it('refuses what is not a message with an Adaptive Card, and a message over 28 KB', () => {
    expect(check({ url, headers: {}, body: JSON.stringify({ text: 'legacy connector card' }) }, settings, NOW)).toMatchObject({
      accepted: false,
      status: 400,
    });
    expect(check(post(card({ type: 'MessageCard' })), settings, NOW)).toMatchObject({ accepted: false, status: 400 });
    expect(check(post(card({ version: '2.0' })), settings, NOW)).toMatchObject({ accepted: false, status: 400 });
    expect(check(post(card({ body: [{ type: 'Marquee' }] })), settings, NOW)).toMatchObject({ accepted: false, status: 400 });
    const big = card({ body: [{ type: 'TextBlock', text: 'x'.repeat(28 * 1024) }], msteams: {} });
    expect(check(post(big), settings, NOW)).toMatchObject({ accepted: false, status: 400, reason: expect.stringContaining('28 KB') });
  });

  it('answers 401 for a wrong sig and 404 for another workflow', () => {
    expect(check(post(card(), url.replace(settings.sig, 'forged')), settings, NOW)).toMatchObject({ accepted: false, status: 401 });
    expect(check(post(card(), url.replace(settings.workflowId, 'other')), settings, NOW)).toMatchObject({ accepted: false, status: 404 });
  });
});
