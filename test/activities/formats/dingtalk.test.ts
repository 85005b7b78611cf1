import { createHmac } from 'node:crypto';
import { dingtalk, dingtalkSign, signedUrl } from '../../../activities/formats/dingtalk';
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

const URL = 'https://oapi.dingtalk.com/robot/send?access_token=XXXXXX';
/** The secret of the Python example in "自定义机器人安全设置 / 加签". */
const DOC_SECRET = 'this is secret';
const TIMESTAMP_MS = 1577262236757;

/** The markdown example of "自定义机器人发送群消息" (its keys are what matters here). */
const DOCUMENTED_MARKDOWN = {
  msgtype: 'markdown',
  markdown: {
    title: '杭州天气',
    text: '#### 杭州天气 @150XXXXXXXX \n > 9度，西北风1级，空气良89，相对温度73%\n > ###### 10点20分发布 [天气](https://www.dingtalk.com) \n',
  },
  at: { atMobiles: ['150XXXXXXXX'], atUserIds: ['user123'], isAtAll: false },
};

/** The documented algorithm, on its own: HMAC-SHA256 keyed with the secret over "<timestamp>\n<secret>", base64. */
function expectedSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${timestampMs}\n${secret}`, 'utf8'))
    .digest('base64');
}

test.each([
  // Computed with `printf '1577262236757\nthis is secret' | openssl dgst -sha256 -hmac 'this is secret' -binary | base64`.
  [TIMESTAMP_MS, DOC_SECRET, 'hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM='],
  [TIMESTAMP_MS, 'SEC6d4c1f4a0c5e7a1b', 'Y3eEJIJOsWzIWtdqdVS2kYmZOOMaUz9ihEhkLdudj6Y='],
])('the signature of %i with %j is %s', (timestampMs, secret, sign) => {
  expect(dingtalkSign(timestampMs, secret)).toBe(sign);
  expect(dingtalkSign(timestampMs, secret)).toBe(expectedSign(timestampMs, secret));
});

test('the signed URL appends the millisecond timestamp and the URL-encoded sign', () => {
  const url = signedUrl(URL, TIMESTAMP_MS, DOC_SECRET);
  expect(url).toBe(`${URL}&timestamp=1577262236757&sign=hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D`);
  // Decoded as DingTalk decodes it (`+` would read as a space if left unencoded).
  expect(new globalThis.URL(url).searchParams.get('sign')).toBe('hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=');
  expect(signedUrl('https://robot.example.com/send', 1, 's')).toMatch(/^https:\/\/robot\.example\.com\/send\?timestamp=1&sign=/);
});

test('an attempt with a secret is signed at its own instant; without one the URL is as given', () => {
  expect(dingtalk.request(alertNotice(), context({ url: URL, secrets: [DOC_SECRET] }, TIMESTAMP_MS))?.url).toBe(
    signedUrl(URL, TIMESTAMP_MS, DOC_SECRET),
  );
  expect(dingtalk.request(alertNotice(), context({ url: URL }))?.url).toBe(URL);
});

test('a breach is markdown in the documented shape, mentioning by userId in both `at` and the text', () => {
  const body = bodyOf(dingtalk.request(alertNotice(breach()), context({ url: URL })));
  expect(Object.keys(body)).toEqual(Object.keys(DOCUMENTED_MARKDOWN));
  expect(Object.keys(body.markdown)).toEqual(Object.keys(DOCUMENTED_MARKDOWN.markdown));
  expect(body.at).toEqual({ atUserIds: ['alice01', 'carol02'], isAtAll: false });
  expect(body.markdown).toEqual({
    title: 'SLA breached: acme-001',
    text: [
      '#### SLA breached: acme-001',
      '**Deal**: acme-001',
      '**Customer**: Acme Corp (tier A)',
      '**Stage**: Negotiation',
      '**Deadline**: 2026-12-01 09:00 UTC (3h 12m late)',
      '**Owner**: alice',
      '**SOP**: enterprise-b2b v3',
      '**Notify**: @alice01 (owner), @carol02 (manager.manager)',
      '[Open deal](https://sop.example.com/#sop=enterprise-b2b&deal=acme-001)',
    ].join('\n\n'),
  });
  for (const id of body.at.atUserIds) expect(body.markdown.text).toContain(`@${id}`);
});

test.each([
  ['a warning', warning(), ['alice01'], 'due in 20m'],
  ['an escalation', escalation(), ['alice01'], '@alice01 (owner), bob (manager), legal: nobody in the directory'],
  ['a request breach', requestBreach(), ['alice01'], '**Request**: req-7'],
])('%s', (_case, payload, atUserIds, part) => {
  const body = bodyOf(dingtalk.request(alertNotice(payload), context({ url: URL })));
  expect(body.at.atUserIds).toEqual(atUserIds);
  expect(body.markdown.text).toContain(part);
});

test('free text cannot form a tag', () => {
  const payload = alert({ deal: { ...breach().deal, customer: { name: '<font color=red>x</font>', tier: 'A' } } });
  expect(bodyOf(dingtalk.request(alertNotice(payload), context({ url: URL }))).markdown.text).not.toMatch(/<font/);
});

test('a ping mentions nobody; a resolve sends nothing', () => {
  const body = bodyOf(dingtalk.request(pingNotice(), context({ url: URL })));
  expect(body.at).toEqual({ atUserIds: [], isAtAll: false });
  expect(body.markdown.title).toBe('Test message: Sales SOP alerts reach this channel');
  expect(dingtalk.request(resolveNotice(), context({ url: URL }))).toBeNull();
});

test.each([
  ['the documented success', 200, '{"errcode":0,"errmsg":"ok"}', null, { outcome: 'delivered' }],
  [
    'sending too fast (130101) in a 200',
    200,
    '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}',
    null,
    { outcome: 'retry', error: 'DingTalk answered 200: error 130101 send too fast, exceed 20 times per minute', retryAfterMs: 600_000 },
  ],
  [
    'throttled (410100) with Retry-After',
    200,
    '{"errcode":410100,"errmsg":"发送速度太快而限流"}',
    '30',
    { outcome: 'retry', error: 'DingTalk answered 200: error 410100 发送速度太快而限流', retryAfterMs: 30_000 },
  ],
  ['busy (-1)', 200, '{"errcode":-1,"errmsg":"系统繁忙"}', null, { outcome: 'retry', error: 'DingTalk answered 200: error -1 系统繁忙' }],
  [
    'a failed security check (310000) in a 200',
    200,
    '{"errcode":310000,"errmsg":"sign not match"}',
    null,
    { outcome: 'final', error: 'DingTalk answered 200: error 310000 sign not match' },
  ],
  [
    'a missing token (300001)',
    200,
    '{"errcode":300001,"errmsg":"token is not exist"}',
    null,
    { outcome: 'final', error: 'DingTalk answered 200: error 300001 token is not exist' },
  ],
  ['a 500', 500, 'oops', null, { outcome: 'retry', error: 'DingTalk answered 500: oops' }],
])('%s', (_case, status, body, retryAfter, reading) => {
  expect(dingtalk.read(status, body, retryAfter, NOW_MS)).toEqual(reading);
});
