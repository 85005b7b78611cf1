import { WECOM_MAX_BYTES, wecom } from '../../../activities/formats/wecom';
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

/** The markdown example of "群机器人配置说明" (developer.work.weixin.qq.com/document/path/91770). */
const DOCUMENTED_MARKDOWN = {
  msgtype: 'markdown',
  markdown: {
    content:
      '实时新增用户反馈<font color="warning">132例</font>，请相关同事注意。\n>类型:<font color="comment">用户反馈</font>\n>普通用户反馈:<font color="comment">117例</font>\n>VIP用户反馈:<font color="comment">15例</font>',
  },
};
const URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

function contentOf(payload: AlertPayload): string {
  return bodyOf(wecom.request(alertNotice(payload), context({ url: URL }))).markdown.content;
}

/** Only the syntax the documentation names: `<font color>` in its three colours and `<@userid>` mentions. */
function tagsOf(content: string): string[] {
  return [...content.matchAll(/<[^>]*>/g)].map((match) => match[0]);
}
const DOCUMENTED_TAG = /^(<font color="(info|comment|warning)">|<\/font>|<@[^<>\s]+>)$/;

test('the request posts to the robot URL as it is, in the documented markdown shape', () => {
  const request = wecom.request(alertNotice(), context({ url: URL }));
  expect(request?.url).toBe(URL);
  expect(request?.headers).toEqual({ 'content-type': 'application/json' });
  const body = bodyOf(request);
  expect(Object.keys(body)).toEqual(Object.keys(DOCUMENTED_MARKDOWN));
  expect(Object.keys(body.markdown)).toEqual(Object.keys(DOCUMENTED_MARKDOWN.markdown));
  expect(tagsOf(DOCUMENTED_MARKDOWN.markdown.content).every((tag) => DOCUMENTED_TAG.test(tag))).toBe(true);
});

test('a breach mentions the owner and the skip-level manager by their WeCom ids', () => {
  expect(contentOf(breach())).toBe(
    [
      '**<font color="warning">SLA breached: acme-001</font>**',
      '> Deal: <font color="comment">acme-001</font>',
      '> Customer: <font color="comment">Acme Corp (tier A)</font>',
      '> Stage: <font color="comment">Negotiation</font>',
      '> Deadline: <font color="comment">2026-12-01 09:00 UTC (3h 12m late)</font>',
      '> Owner: <font color="comment">alice</font>',
      '> SOP: <font color="comment">enterprise-b2b v3</font>',
      'Notify: <@AliceW> (owner), <@CarolL> (manager.manager)',
      '[Open deal](https://sop.example.com/#sop=enterprise-b2b&deal=acme-001)',
    ].join('\n'),
  );
});

test.each([
  ['a warning', warning(), ['SLA warning: acme-001', 'due in 20m']],
  [
    'an escalation',
    escalation(),
    ['Escalated (level 2, repeat 2): acme-001', '<@AliceW> (owner), bob (manager), legal: nobody in the directory'],
  ],
  ['a request breach', requestBreach(), ['Customer request overdue: acme-001', '> Request: <font color="comment">req-7</font>']],
])('%s says what happened', (_case, payload, parts) => {
  const content = contentOf(payload);
  for (const part of parts) expect(content).toContain(part);
  expect(content).not.toContain('Stage: <font color="comment">undefined');
  expect(tagsOf(content).every((tag) => DOCUMENTED_TAG.test(tag))).toBe(true);
});

test('free text cannot form a tag or a mention', () => {
  const content = contentOf(alert({ deal: { ...breach().deal, customer: { name: '<@all> <font color="info">x</font>', tier: 'A' } } }));
  expect(tagsOf(content).every((tag) => DOCUMENTED_TAG.test(tag))).toBe(true);
  expect(content).not.toContain('<@all>');
});

test('the content stays within 4096 bytes of UTF-8 and keeps its link', () => {
  const many = Array.from({ length: 30 }, (_, i) => ({ role: `role-${i}`, subject: `s${i}`, name: '名'.repeat(200), wecom: `w${i}` }));
  const content = contentOf(alert({ recipients: many }));
  expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECOM_MAX_BYTES);
  expect(content.endsWith('[Open deal](https://sop.example.com/#sop=enterprise-b2b&deal=acme-001)')).toBe(true);
  expect(content).toMatch(/Notify: <@w0> \(role-0\), .* and \d+ more\n/);
  expect(tagsOf(content).every((tag) => DOCUMENTED_TAG.test(tag))).toBe(true);
});

test('a ping is a test message; a resolve sends nothing', () => {
  expect(bodyOf(wecom.request(pingNotice(), context({ url: URL }))).markdown.content).toContain('Test message');
  expect(wecom.request(resolveNotice(), context({ url: URL }))).toBeNull();
});

test.each([
  ['the documented success', 200, '{"errcode":0,"errmsg":"ok"}', null, { outcome: 'delivered' }],
  [
    'a rate limit (45009) in a 200',
    200,
    '{"errcode":45009,"errmsg":"api freq out of limit"}',
    null,
    { outcome: 'retry', error: 'WeCom answered 200: error 45009 api freq out of limit', retryAfterMs: 60_000 },
  ],
  [
    'a rate limit with Retry-After',
    200,
    '{"errcode":45009,"errmsg":"api freq out of limit"}',
    '5',
    { outcome: 'retry', error: 'WeCom answered 200: error 45009 api freq out of limit', retryAfterMs: 5_000 },
  ],
  [
    'system busy (-1)',
    200,
    '{"errcode":-1,"errmsg":"system busy"}',
    null,
    { outcome: 'retry', error: 'WeCom answered 200: error -1 system busy' },
  ],
  [
    'an invalid webhook URL (93000) in a 200',
    200,
    '{"errcode":93000,"errmsg":"invalid webhook url"}',
    null,
    { outcome: 'final', error: 'WeCom answered 200: error 93000 invalid webhook url' },
  ],
  [
    'a 200 without errcode',
    200,
    '<html>proxy</html>',
    null,
    { outcome: 'final', error: 'WeCom answered 200 without a result code: <html>proxy</html>' },
  ],
  ['a 502', 502, 'Bad Gateway', null, { outcome: 'retry', error: 'WeCom answered 502: Bad Gateway' }],
  ['a 404', 404, '', null, { outcome: 'final', error: 'WeCom answered 404' }],
])('%s', (_case, status, body, retryAfter, reading) => {
  expect(wecom.read(status, body, retryAfter, NOW_MS)).toEqual(reading);
});
