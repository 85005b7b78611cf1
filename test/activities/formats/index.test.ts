import { formatOf, RATE_LIMITS, RATE_WINDOWS, rateWindows, readStatus, retryAfterMs, type AlertFormat } from '../../../activities/formats';
import { readCodedAnswer } from '../../../activities/formats/http-answer';
import { FORMATS, throttleWaitMs, type RateWindow } from '../../../domain';
import { alertNotice, context, NOW_MS, pingNotice } from './payloads';

test.each(FORMATS)('formatOf(%s) builds a request and reads an answer', (name) => {
  const format: AlertFormat = formatOf(name);
  const secrets = name === 'standard' ? [`whsec_${Buffer.alloc(32, 1).toString('base64')}`] : [];
  for (const notice of [alertNotice(), pingNotice()]) {
    const request = format.request(notice, context({ secrets, routingKey: 'R0123456789abcdef0123456789abcde' }));
    expect(request?.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(request?.body ?? '')).not.toThrow();
  }
  expect(format.read(503, '', null, NOW_MS).outcome).toBe('retry');
});

/** Sends as fast as one window allows for `horizonMs`, then checks every window of the tool was kept. */
function keepsTo(single: RateWindow, windows: readonly RateWindow[], horizonMs: number): boolean {
  const sentAt: number[] = [];
  for (let t = 0; t <= horizonMs;) {
    t += throttleWaitMs(sentAt, [single], t);
    sentAt.push(t);
  }
  return windows.every(({ count, perMs }) => sentAt.every((t) => sentAt.filter((at) => at > t - perMs && at <= t).length <= count));
}

test.each(FORMATS)('RATE_LIMITS.%s, one window, keeps to every window the tool publishes', (name) => {
  const single = RATE_LIMITS[name];
  if (single === null) {
    expect(RATE_WINDOWS[name]).toEqual([]);
    return;
  }
  expect(RATE_WINDOWS[name].length).toBeGreaterThan(0);
  expect(keepsTo(single, RATE_WINDOWS[name], 5 * 60_000)).toBe(true);
});

test('the published limits, per endpoint', () => {
  expect(RATE_WINDOWS).toEqual({
    wecom: [{ count: 20, perMs: 60_000 }],
    feishu: [
      { count: 5, perMs: 1000 },
      { count: 100, perMs: 60_000 },
    ],
    dingtalk: [{ count: 20, perMs: 60_000 }],
    slack: [{ count: 1, perMs: 1000 }],
    teams: [{ count: 100, perMs: 60_000 }],
    pagerduty: [{ count: 120, perMs: 60_000 }],
    standard: [],
  });
  expect(RATE_LIMITS.feishu).toEqual({ count: 5, perMs: 3000 });
  // Feishu's 5 a second alone would break its 100 a minute.
  expect(keepsTo({ count: 5, perMs: 1000 }, RATE_WINDOWS.feishu, 5 * 60_000)).toBe(false);
});

test('rateWindows hands out a copy, each window a tenth longer than published (arrival jitter)', () => {
  const windows = rateWindows('feishu');
  expect(windows).toEqual([
    { count: 5, perMs: 1_100 },
    { count: 100, perMs: 66_000 },
  ]);
  expect(windows).not.toBe(RATE_WINDOWS.feishu);
  expect(rateWindows('standard')).toEqual([]);
});

test.each([
  [null, null],
  ['', null],
  ['0', 0],
  ['120', 120_000],
  ['86400', 3_600_000],
  [new Date(NOW_MS + 90_000).toUTCString(), 90_000],
  [new Date(NOW_MS - 90_000).toUTCString(), null],
  ['soon', null],
  ['-5', null],
])('Retry-After %j waits %j ms', (header, ms) => {
  expect(retryAfterMs(header, NOW_MS)).toBe(ms);
});

test.each([
  [200, { outcome: 'delivered' }],
  [299, { outcome: 'delivered' }],
  [302, { outcome: 'final', error: 'tool answered 302: body' }],
  [400, { outcome: 'final', error: 'tool answered 400: body' }],
  [408, { outcome: 'retry', error: 'tool answered 408: body', retryAfterMs: 1_000 }],
  [429, { outcome: 'retry', error: 'tool answered 429: body', retryAfterMs: 1_000 }],
  [500, { outcome: 'retry', error: 'tool answered 500: body', retryAfterMs: 1_000 }],
  [599, { outcome: 'retry', error: 'tool answered 599: body', retryAfterMs: 1_000 }],
])('the common reader: %i', (status, reading) => {
  expect(readStatus('tool', status, 'body', '1', NOW_MS)).toEqual(reading);
});

test('a long answer is quoted short, on one line', () => {
  const reading = readStatus('tool', 400, `line one\n${'x'.repeat(1000)}`, null, NOW_MS);
  expect(reading.outcome === 'final' && reading.error.length).toBeLessThan(250);
  expect(reading.outcome === 'final' && reading.error.includes('\n')).toBe(false);
});

test('a retryable result code wins over the status; other codes only after it', () => {
  const rules = {
    tool: 'bot',
    resultOf: (answer: Readonly<Record<string, unknown>>) => (typeof answer.code === 'number' ? { code: answer.code, message: '' } : null),
    retryCodes: new Map([[7, 5_000]]),
  };
  expect(readCodedAnswer(rules, 400, '{"code":7}', null, NOW_MS)).toEqual({
    outcome: 'retry',
    error: 'bot answered 400: error 7',
    retryAfterMs: 5_000,
  });
  expect(readCodedAnswer(rules, 400, '{"code":8}', null, NOW_MS)).toEqual({ outcome: 'final', error: 'bot answered 400: error 8' });
  expect(readCodedAnswer(rules, 503, '{"code":8}', null, NOW_MS)).toEqual({ outcome: 'retry', error: 'bot answered 503: error 8' });
  expect(readCodedAnswer(rules, 200, '', null, NOW_MS)).toEqual({
    outcome: 'final',
    error: 'bot answered 200 without a result code: empty body',
  });
});
