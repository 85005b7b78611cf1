import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { standard } from '../../../activities/formats/standard';
import { signedHeaders, signedHeadersForKeys, webhookKey } from '../../../activities/webhook-signature';
import { alertNotice, breach, context, NOW_MS, ping, pingNotice, resolveNotice, warning } from './payloads';

const NEW_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

/** The documented algorithm, on its own: base64 HMAC-SHA256 of "<id>.<timestamp>.<body>", keyed with the bytes after "whsec_". */
function expected(secret: string, id: string, timestamp: string, body: string): string {
  return createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64');
}

test.each([
  ['a breach', alertNotice(breach()), JSON.stringify(breach())],
  ['a warning', alertNotice(warning()), JSON.stringify(warning())],
  ['a ping', pingNotice(), JSON.stringify(ping())],
])('%s is the v1 payload as it is, signed with this attempt’s timestamp', (_case, notice, body) => {
  const request = standard.request(notice, context({ url: 'https://alerts.example.com/in', secrets: [NEW_SECRET] }));
  expect(request).toEqual({
    url: 'https://alerts.example.com/in',
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'msg_breach_0001',
      'webhook-timestamp': String(NOW_MS / 1000),
      'webhook-signature': `v1,${expected(NEW_SECRET, 'msg_breach_0001', String(NOW_MS / 1000), body)}`,
    },
    body,
  });
});

test('during a rotation both secrets sign, the new one first, and either verifies', () => {
  const nowMs = Date.now(); // Standard Webhooks' verifier rejects timestamps older than 5 minutes.
  const request = standard.request(alertNotice(), context({ secrets: [NEW_SECRET, OLD_SECRET] }, nowMs));
  const timestamp = String(Math.floor(nowMs / 1000));
  expect(request?.headers['webhook-signature']).toBe(
    `v1,${expected(NEW_SECRET, 'msg_breach_0001', timestamp, request?.body ?? '')} v1,${expected(OLD_SECRET, 'msg_breach_0001', timestamp, request?.body ?? '')}`,
  );
  for (const secret of [NEW_SECRET, OLD_SECRET]) {
    expect(new Webhook(secret).verify(request?.body ?? '', request?.headers ?? {})).toEqual(breach());
  }
  const stranger = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
  expect(() => new Webhook(stranger).verify(request?.body ?? '', request?.headers ?? {})).toThrow();
});

test('a resolve has nothing to send', () => {
  expect(standard.request(resolveNotice(), context({ secrets: [NEW_SECRET] }))).toBeNull();
});

test('with no secret there is no request to sign', () => {
  expect(() => standard.request(alertNotice(), context({ secrets: [] }))).toThrow(/signing secret/);
});

test('one key signs as the single-key signer always did', () => {
  const key = webhookKey(NEW_SECRET);
  expect(signedHeadersForKeys([key], 'id1', '{}', 1_700_000_000)).toEqual(signedHeaders(key, 'id1', '{}', 1_700_000_000));
});

test.each([
  [200, '', null, { outcome: 'delivered' }],
  [204, '', null, { outcome: 'delivered' }],
  [408, '', null, { outcome: 'retry', error: 'the alert system answered 408' }],
  [429, 'slow down', '30', { outcome: 'retry', error: 'the alert system answered 429: slow down', retryAfterMs: 30_000 }],
  [503, '', '7200', { outcome: 'retry', error: 'the alert system answered 503', retryAfterMs: 3_600_000 }],
  [400, 'bad', null, { outcome: 'final', error: 'the alert system answered 400: bad' }],
  [410, '', '5', { outcome: 'final', error: 'the alert system answered 410' }],
])('%i %j (Retry-After %s) reads %j', (status, body, retryAfter, reading) => {
  expect(standard.read(status, body, retryAfter, NOW_MS)).toEqual(reading);
});
