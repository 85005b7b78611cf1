import { createHmac } from 'node:crypto';
import { check } from './feishu';

// "自定义机器人使用指南" (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): the signature
// is computed here as the guide's samples do (HmacSHA256 keyed with "timestamp\nsecret", over no
// data, base64), the 19021 answer, 100 a minute and 5 a second, 20 KB.

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const settings = { token: '5e3d587e-d78e-4a07-bd07-265f269f86fd', secret: 'nIMtb7r3N9pkXyXdtAbx6e' };
const url = `https://open.feishu.cn/open-apis/bot/v2/hook/${settings.token}`;

function sign(timestamp: number, secret = settings.secret): string {
  return createHmac('sha256', Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .update(Buffer.alloc(0))
    .digest('base64');
}

function signed(body: Record<string, unknown>, timestamp = Math.floor(NOW / 1000), secret = settings.secret) {
  return {
    url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ timestamp: String(timestamp), sign: sign(timestamp, secret), ...body }),
  };
}

const card = {
  msg_type: 'interactive',
  card: {
    header: { title: { tag: 'plain_text', content: 'SLA breached: D-1' }, template: 'red' },
    elements: [
      { tag: 'div', text: { tag: 'lark_md', content: '**Deal**: D-1\n**Notify**: <at id=ou_abc123></at>' } },
      {
        tag: 'action',
        actions: [
          { tag: 'button', text: { tag: 'plain_text', content: 'Open deal' }, type: 'primary', url: 'https://board.example/#deal=D-1' },
        ],
      },
    ],
  },
};

function code(result: ReturnType<typeof check>): unknown {
  return JSON.parse(result.body);
}

describe('feishu receiver', () => {
  it('accepts a signed card and reads its title, <at id> mention and button link', () => {
    const result = check(signed(card), settings, NOW);
    expect(result).toMatchObject({
      accepted: true,
      status: 200,
      message: { title: 'SLA breached: D-1', mentions: ['ou_abc123'], link: 'https://board.example/#deal=D-1', signature: 'verified' },
    });
    expect(code(result)).toEqual({ code: 0, data: {}, msg: 'success' });
  });

  it('accepts the documented text example with <at user_id> and no secret configured', () => {
    const body = { msg_type: 'text', content: { text: '<at user_id="ou_xxx">Tom</at> 新更新提醒' } };
    const result = check({ url, headers: {}, body: JSON.stringify(body) }, { ...settings, secret: null }, NOW);
    expect(result).toMatchObject({ accepted: true, message: { mentions: ['ou_xxx'], signature: 'unsigned' } });
  });

  it('answers 19021 for a wrong secret, a missing sign and a timestamp over an hour old', () => {
    const fail = { code: 19021, data: {}, msg: 'sign match fail or timestamp is not within one hour from current time' };
    expect(code(check(signed(card, Math.floor(NOW / 1000), 'other'), settings, NOW))).toEqual(fail);
    expect(code(check({ url, headers: {}, body: JSON.stringify(card) }, settings, NOW))).toEqual(fail);
    expect(code(check(signed(card, Math.floor(NOW / 1000) - 3601), settings, NOW))).toEqual(fail);
    expect(check(signed(card, Math.floor(NOW / 1000) - 3599), settings, NOW).accepted).toBe(true);
  });

  it('needs msg_type and the content it names, and a body of at most 20 KB', () => {
    expect(code(check(signed({ content: { text: 'x' } }), settings, NOW))).toMatchObject({ code: 19002 });
    expect(check(signed({ msg_type: 'text', content: {} }), settings, NOW)).toMatchObject({ accepted: false, status: 200 });
    expect(check(signed({ msg_type: 'interactive', content: { text: 'x' } }), settings, NOW).accepted).toBe(false);
    const big = signed({ msg_type: 'text', content: { text: 'x'.repeat(20 * 1024) } });
    expect(check(big, settings, NOW)).toMatchObject({ accepted: false, reason: expect.stringContaining('20 KB') });
  });

  it('answers 11232 over 5 a second or 100 a minute', () => {
    const fiveThisSecond = [NOW - 900, NOW - 700, NOW - 500, NOW - 300, NOW - 100];
    expect(code(check(signed(card), settings, NOW, fiveThisSecond))).toMatchObject({ code: 11232 });
    expect(check(signed(card), settings, NOW, fiveThisSecond.slice(1)).accepted).toBe(true);
    const hundredThisMinute = Array.from({ length: 100 }, (_, index) => NOW - 59_000 + index * 500);
    expect(code(check(signed(card), settings, NOW, hundredThisMinute))).toMatchObject({ code: 11232 });
    expect(check(signed(card), settings, NOW + 1000, hundredThisMinute).accepted).toBe(true);
  });

  it('answers 19001 for another hook token', () => {
    const request = { ...signed(card), url: url.replace(settings.token, 'other') };
    expect(code(check(request, settings, NOW))).toMatchObject({ code: 19001 });
  });
});
