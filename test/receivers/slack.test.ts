import { check } from './slack';

// "Sending messages using incoming webhooks" (api.slack.com/messaging/webhooks), the incoming
// webhook error strings, Block Kit limits and the 1-a-second rate limit.

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const settings = { path: 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', burst: 3 };
const url = `https://hooks.slack.com/services/${settings.path}`;

function post(body: unknown, to = url) {
  return { url: to, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

const blocks = [
  { type: 'header', text: { type: 'plain_text', text: 'SLA breached: D-1' } },
  {
    type: 'section',
    text: { type: 'mrkdwn', text: '*Deal* D-1 for <@U024BE7LH>' },
    fields: [{ type: 'mrkdwn', text: '*Stage*\nProposal' }],
  },
  {
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open deal' }, url: 'https://board.example/#deal=D-1' }],
  },
];

describe('slack receiver', () => {
  it("accepts the documented 'Hello, World!' and answers 200 ok", () => {
    expect(check(post({ text: 'Hello, World!' }), settings, NOW)).toMatchObject({
      accepted: true,
      status: 200,
      body: 'ok',
      message: { text: 'Hello, World!' },
    });
  });

  it('accepts blocks and reads the header, <@U…> mentions and the button link', () => {
    const result = check(post({ text: 'SLA breached: D-1', blocks }), settings, NOW);
    expect(result).toMatchObject({
      accepted: true,
      message: { title: 'SLA breached: D-1', mentions: ['U024BE7LH'], link: 'https://board.example/#deal=D-1' },
    });
  });

  it('answers 400 invalid_payload, no_text and invalid_blocks as text bodies', () => {
    expect(check({ url, headers: {}, body: '{"text":' }, settings, NOW)).toMatchObject({
      accepted: false,
      status: 400,
      body: 'invalid_payload',
    });
    expect(check(post({ username: 'bot' }), settings, NOW)).toMatchObject({ status: 400, body: 'no_text' });
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(check(post({ text: 'x', blocks: tooMany }), settings, NOW)).toMatchObject({ status: 400, body: 'invalid_blocks' });
    expect(check(post({ text: 'x', blocks: tooMany.slice(1) }), settings, NOW).accepted).toBe(true);
    const longSection = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    expect(check(post({ text: 'x', blocks: longSection }), settings, NOW)).toMatchObject({
      status: 400,
      body: 'invalid_blocks',
      reason: expect.stringContaining('3000'),
    });
    const longHeader = [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }];
    expect(check(post({ text: 'x', blocks: longHeader }), settings, NOW)).toMatchObject({ status: 400, body: 'invalid_blocks' });
    const mrkdwnHeader = [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }];
    expect(check(post({ text: 'x', blocks: mrkdwnHeader }), settings, NOW)).toMatchObject({ status: 400, body: 'invalid_blocks' });
  });

  it('takes a form-encoded payload as Slack does', () => {
    const body = `payload=${encodeURIComponent(JSON.stringify({ text: 'form' }))}`;
    expect(check({ url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, settings, NOW).accepted).toBe(true);
  });

  it('answers 404 no_service for another webhook', () => {
    expect(check(post({ text: 'x' }, url.replace('XXXX', 'YYYY')), settings, NOW)).toMatchObject({ status: 404, body: 'no_service' });
  });

  it('allows a short burst, then 429 with Retry-After until a second has refilled', () => {
    const burst = [NOW - 20, NOW - 10, NOW - 5];
    const limited = check(post({ text: 'x' }), settings, NOW, burst);
    expect(limited).toMatchObject({ accepted: false, status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } });
    expect(check(post({ text: 'x' }), settings, NOW + 1000, burst).accepted).toBe(true);
    // Steady at one a second is always fine.
    const steady = Array.from({ length: 30 }, (_, index) => NOW - 30_000 + index * 1000);
    expect(check(post({ text: 'x' }), settings, NOW, steady).accepted).toBe(true);
  });
});
