import { createHmac } from 'node:crypto';
import { check } from './dingtalk';

// "自定义机器人接入" and its 加签 section (open.dingtalk.com/document/robots/custom-robot-access):
// the sign is computed here as the documented Python sample does: quote_plus(base64(HMAC-SHA256(
// key=secret, msg="timestamp\nsecret"))), appended as &timestamp=…&sign=….

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const settings = { accessToken: 'e9a8118c8a3dc5b7f0d2', secret: 'SEC10d6e79b42bd94be0d0d603843651aa2ccd7186db6edbc' };
const base = `https://oapi.dingtalk.com/robot/send?access_token=${settings.accessToken}`;

function signedUrl(timestamp = NOW, secret = settings.secret): string {
  const sign = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .digest('base64');
  return `${base}&timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
}

const markdown = {
  msgtype: 'markdown',
  markdown: {
    title: 'SLA breached: D-1',
    text: '#### SLA breached: D-1\n> Deal: D-1\n\nNotify: @manager01\n\n[Open deal](https://board.example/#deal=D-1)',
  },
  at: { atUserIds: ['manager01'], isAtAll: false },
};

function post(body: unknown, url = signedUrl()) {
  return { url, headers: { 'content-type': 'application/json;charset=utf-8' }, body: JSON.stringify(body) };
}

function errcode(result: ReturnType<typeof check>): unknown {
  return JSON.parse(result.body);
}

describe('dingtalk receiver', () => {
  it('accepts a signed markdown message and reads title, atUserIds and link', () => {
    const result = check(post(markdown), settings, NOW);
    expect(result).toMatchObject({
      accepted: true,
      message: { title: 'SLA breached: D-1', mentions: ['manager01'], link: 'https://board.example/#deal=D-1', signature: 'verified' },
    });
    expect(errcode(result)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(result.accepted && result.message.warnings).toBeFalsy();
  });

  it('reports an atUserId whose @userId is not in the text: DingTalk would not show it', () => {
    const body = { ...markdown, at: { atUserIds: ['manager01', 'rep02'] } };
    const result = check(post(body), settings, NOW);
    expect(result).toMatchObject({
      accepted: true,
      message: { mentions: ['manager01', 'rep02'], warnings: [expect.stringContaining('@rep02')] },
    });
  });

  it('answers 310000 for a wrong secret, a sign not URL-encoded, no sign and a timestamp over an hour away', () => {
    expect(errcode(check(post(markdown, signedUrl(NOW, 'SECother')), settings, NOW))).toMatchObject({
      errcode: 310000,
      errmsg: expect.stringContaining('sign not match'),
    });
    expect(errcode(check(post(markdown, base), settings, NOW))).toMatchObject({ errcode: 310000 });
    expect(errcode(check(post(markdown, signedUrl(NOW - 3_600_001)), settings, NOW))).toMatchObject({ errcode: 310000 });
    expect(check(post(markdown, signedUrl(NOW - 3_599_000)), settings, NOW).accepted).toBe(true);
    // A sign with + / = must be URL-encoded once: sent raw, its + reads as a space.
    let timestamp = NOW;
    let raw = '';
    for (; !raw.includes('+'); timestamp += 1)
      raw = createHmac('sha256', settings.secret).update(`${timestamp}\n${settings.secret}`).digest('base64');
    const unencoded = `${base}&timestamp=${timestamp - 1}&sign=${raw}`;
    expect(check(post(markdown, unencoded), settings, NOW).accepted).toBe(false);
  });

  it('needs markdown.title and markdown.text, JSON content type and the access_token', () => {
    expect(check(post({ msgtype: 'markdown', markdown: { text: 'x' } }), settings, NOW)).toMatchObject({
      accepted: false,
      status: 200,
      reason: 'markdown.title is required',
    });
    expect(check(post({ msgtype: 'markdown', markdown: { title: 'x' } }), settings, NOW)).toMatchObject({
      accepted: false,
      reason: 'markdown.text is required',
    });
    expect(errcode(check({ ...post(markdown), headers: { 'content-type': 'text/plain' } }, settings, NOW))).toMatchObject({
      errcode: 43004,
    });
    expect(errcode(check(post(markdown, signedUrl().replace(settings.accessToken, 'x')), settings, NOW))).toMatchObject({
      errcode: 300001,
    });
  });

  it('answers 130101 for the 21st message in a minute', () => {
    const earlier = Array.from({ length: 20 }, (_, index) => NOW - 30_000 + index);
    expect(errcode(check(post(markdown), settings, NOW, earlier))).toEqual({
      errcode: 130101,
      errmsg: 'send too fast, exceed 20 times per minute',
    });
    expect(check(post(markdown), settings, NOW, earlier.slice(1)).accepted).toBe(true);
  });

  it('takes an unsigned message when the robot has no secret, and checks its keywords', () => {
    const open = { accessToken: settings.accessToken, secret: null, keywords: ['SLA'] };
    expect(check(post(markdown, base), open, NOW)).toMatchObject({ accepted: true, message: { signature: 'unsigned' } });
    const without = { ...markdown, markdown: { title: 'Deal', text: 'no keyword here' }, at: {} };
    expect(errcode(check(post(without, base), open, NOW))).toMatchObject({
      errcode: 310000,
      errmsg: expect.stringContaining('keywords not in content'),
    });
  });
});
