import { createHmac } from 'node:crypto';
import { feishu, feishuSign } from '../../../activities/formats/feishu';
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

const URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/xxxxxxxxxxxxxxxxx';
/** The timestamp of the signed example in "自定义机器人使用指南" (within an hour of Feishu's clock when sent). */
const DOC_TIMESTAMP = 1599360473;
const SECRET = 'example-feishu-secret';

/** The documented algorithm, on its own: key = "<timestamp>\n<secret>", message empty, base64. */
function expectedSign(timestamp: number, secret: string): string {
  return createHmac('sha256', Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .update(Buffer.alloc(0))
    .digest('base64');
}

test.each([
  // Computed with `openssl dgst -sha256 -mac HMAC -macopt hexkey:<hex of "1599360473\nexample-feishu-secret">` over no input.
  [DOC_TIMESTAMP, SECRET, 'QpMCOn7t/1QpqJWF9Ja/nhqvSf1rIQALBtzckd0ojwQ='],
  [1_700_000_000, 'another secret', expectedSign(1_700_000_000, 'another secret')],
])('the signature of %i with %j is %s', (timestamp, secret, sign) => {
  expect(feishuSign(timestamp, secret)).toBe(sign);
  expect(feishuSign(timestamp, secret)).toBe(expectedSign(timestamp, secret));
});

test('with a secret the body carries the timestamp (unix seconds, a string) and its sign, as the documented signed example does', () => {
  const request = feishu.request(alertNotice(), context({ url: URL, secrets: [SECRET] }, DOC_TIMESTAMP * 1000 + 999));
  expect(request?.url).toBe(URL);
  const body = bodyOf(request);
  expect(body).toMatchObject({ timestamp: '1599360473', sign: 'QpMCOn7t/1QpqJWF9Ja/nhqvSf1rIQALBtzckd0ojwQ=', msg_type: 'interactive' });
  expect(Object.keys(body)).toEqual(['timestamp', 'sign', 'msg_type', 'card']);
});

test('without a secret the body is unsigned', () => {
  expect(Object.keys(bodyOf(feishu.request(alertNotice(), context({ url: URL }))))).toEqual(['msg_type', 'card']);
});

test('a breach is a red card mentioning the owner and the skip-level manager by open_id, with a button to the deal', () => {
  const card = bodyOf(feishu.request(alertNotice(breach()), context({ url: URL }))).card;
  expect(card).toEqual({
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: 'SLA breached: acme-001' }, template: 'red' },
    elements: [
      {
        tag: 'markdown',
        content: [
          '**Deal**: acme-001',
          '**Customer**: Acme Corp (tier A)',
          '**Stage**: Negotiation',
          '**Deadline**: 2026-12-01 09:00 UTC (3h 12m late)',
          '**Owner**: alice',
          '**SOP**: enterprise-b2b v3',
          '**Notify**: <at id=ou_alice></at> (owner), <at id=ou_carol></at> (manager.manager)',
        ].join('\n'),
      },
      {
        tag: 'action',
        actions: [
          {
            tag: 'button',
            text: { tag: 'plain_text', content: 'Open deal' },
            type: 'primary',
            url: 'https://sop.example.com/#sop=enterprise-b2b&deal=acme-001',
          },
        ],
      },
    ],
  });
});

test.each([
  ['a warning', warning(), 'orange', 'due in 20m'],
  ['an escalation', escalation(), 'red', '<at id=ou_alice></at> (owner), bob (manager), legal: nobody in the directory'],
  ['a request breach', requestBreach(), 'red', '**Request**: req-7'],
])('%s', (_case, payload, template, part) => {
  const card = bodyOf(feishu.request(alertNotice(payload), context({ url: URL }))).card;
  expect(card.header.template).toBe(template);
  expect(card.elements[0].content).toContain(part);
});

test('free text cannot form an <at> tag', () => {
  const payload = alert({ deal: { ...breach().deal, customer: { name: '<at id=all></at> & co', tier: 'A' } } });
  const content: string = bodyOf(feishu.request(alertNotice(payload), context({ url: URL }))).card.elements[0].content;
  expect(content).toContain('**Customer**: &lt;at id=all&gt;&lt;/at&gt; &amp; co (tier A)');
});

test('a ping is a blue test card; a resolve sends nothing', () => {
  const card = bodyOf(feishu.request(pingNotice(), context({ url: URL }))).card;
  expect(card.header).toEqual({
    title: { tag: 'plain_text', content: 'Test message: Sales SOP alerts reach this channel' },
    template: 'blue',
  });
  expect(feishu.request(resolveNotice(), context({ url: URL }))).toBeNull();
});

test.each([
  ['the documented success', 200, '{"code":0,"data":{},"msg":"success"}', null, { outcome: 'delivered' }],
  ['an older bot’s success', 200, '{"Extra":null,"StatusCode":0,"StatusMessage":"success"}', null, { outcome: 'delivered' }],
  [
    'a sign mismatch (19021) in a 200',
    200,
    '{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}',
    null,
    { outcome: 'final', error: 'Feishu answered 200: error 19021 sign match fail or timestamp is not within one hour from current time' },
  ],
  [
    'the rate limit (11232)',
    200,
    '{"code":11232,"data":{},"msg":"frequency limited"}',
    '2',
    { outcome: 'retry', error: 'Feishu answered 200: error 11232 frequency limited', retryAfterMs: 2_000 },
  ],
  [
    'the rate limit without Retry-After',
    200,
    '{"code":11232,"msg":"frequency limited"}',
    null,
    { outcome: 'retry', error: 'Feishu answered 200: error 11232 frequency limited' },
  ],
  [
    'an older bot’s error',
    200,
    '{"Extra":null,"StatusCode":19024,"StatusMessage":"Key Words Not Found"}',
    null,
    { outcome: 'final', error: 'Feishu answered 200: error 19024 Key Words Not Found' },
  ],
  [
    'a bad request (9499) in a 400',
    400,
    '{"code":9499,"msg":"Bad Request","data":{}}',
    null,
    { outcome: 'final', error: 'Feishu answered 400: error 9499 Bad Request' },
  ],
  ['a 503', 503, '', '60', { outcome: 'retry', error: 'Feishu answered 503', retryAfterMs: 60_000 }],
])('%s', (_case, status, body, retryAfter, reading) => {
  expect(feishu.read(status, body, retryAfter, NOW_MS)).toEqual(reading);
});
