import {
  deliveryPage,
  fitCarried,
  nextTry,
  redelivered,
  retryDelayMs,
  throttleWaitMs,
  trimmedLog,
  withAttempt,
  type DeliveryRecord,
} from '../../domain';

const record = (seq: number, state: DeliveryRecord['state'], dealId = 'd1'): DeliveryRecord => ({
  deliveryId: `msg_${seq}`,
  seq,
  event: 'deal.sla.breached',
  dealId,
  alertId: `msg_${seq}`,
  createdAt: new Date(seq * 1000).toISOString(),
  state,
  attempts: [],
  attemptCount: 0,
  nextAttemptAt: state === 'delivered' || state === 'failed' ? null : new Date(seq * 1000).toISOString(),
});

describe('an endpoint’s delivery log', () => {
  test('retries: 2 s first (within the contract’s 5 s), doubling to at most 1 h; the tool’s Retry-After wins, capped at 1 h', () => {
    expect([1, 2, 3, 4, 12, 30].map((n) => retryDelayMs(n, null))).toEqual([2_000, 4_000, 8_000, 16_000, 3_600_000, 3_600_000]);
    expect(retryDelayMs(1, 30_000)).toBe(30_000);
    expect(retryDelayMs(1, 5 * 3_600_000)).toBe(3_600_000);
  });

  test('the throttle delays the 21st WeCom message of a minute until the first leaves the window, and never drops one', () => {
    const wecom = [{ count: 20, perMs: 60_000 }];
    const sent = Array.from({ length: 20 }, (_, i) => 1_000 + i * 100);
    expect(throttleWaitMs(sent.slice(0, 19), wecom, 3_000)).toBe(0);
    expect(throttleWaitMs(sent, wecom, 3_000)).toBe(1_000 + 60_000 - 3_000);
    expect(throttleWaitMs(sent, wecom, 61_000)).toBe(0);
    const feishu = [
      { count: 5, perMs: 1_000 },
      { count: 100, perMs: 60_000 },
    ];
    expect(throttleWaitMs([0, 10, 20, 30, 40], feishu, 500)).toBe(500);
  });

  test('pages newest first, by state or deal, with a token that goes on where the page ended', () => {
    const log = [record(1, 'delivered'), record(2, 'failed'), record(3, 'retrying', 'd2'), record(4, 'failed'), record(5, 'pending')];
    const first = deliveryPage(log, { pageSize: 2 });
    expect(first.deliveries.map((d) => d.seq)).toEqual([5, 4]);
    const second = deliveryPage(log, { pageSize: 2, pageToken: first.nextPageToken as string });
    expect(second.deliveries.map((d) => d.seq)).toEqual([3, 2]);
    expect(deliveryPage(log, { pageSize: 2, pageToken: second.nextPageToken as string })).toEqual({
      deliveries: [log[0]],
      nextPageToken: null,
    });
    expect(deliveryPage(log, { state: 'failed', pageSize: 10 }).deliveries.map((d) => d.seq)).toEqual([4, 2]);
    expect(deliveryPage(log, { dealId: 'd2', pageSize: 10 }).deliveries.map((d) => d.seq)).toEqual([3]);
  });

  test('the log lets go of the oldest ended deliveries first, never of one under way', () => {
    const log = [record(1, 'delivered'), record(2, 'retrying'), record(3, 'failed'), record(4, 'delivered'), record(5, 'pending')];
    expect(trimmedLog(log, 1).map((d) => d.seq)).toEqual([2, 4, 5]);
  });

  test('an attempt is recorded with its state; at most the latest 30 attempts are kept, all counted', () => {
    let d = record(1, 'pending');
    for (let i = 0; i < 35; i++) d = withAttempt(d, { at: `t${i}`, status: 503, latencyMs: 5, error: 'down' }, 'retrying', 'later');
    expect(d.attemptCount).toBe(35);
    expect(d.attempts).toHaveLength(30);
    expect(d.attempts[29].at).toBe('t34');
  });
});

describe('a delivery sent again by hand', () => {
  test('gets a retry window and a backoff of its own; its earlier attempts stay listed', () => {
    let failed = record(1, 'failed');
    for (let i = 0; i < 35; i++) failed = withAttempt(failed, { at: `t${i}`, status: null, latencyMs: 1, error: 'down' }, 'retrying', 'x');
    const now = new Date(Date.parse(failed.createdAt) + 30 * 3_600_000).toISOString();
    const again = redelivered(failed, now);
    expect(again).toMatchObject({ state: 'pending', nextAttemptAt: now, attemptCount: 35, retryFrom: now, attemptsBefore: 35 });
    expect(nextTry(again, null, Date.parse(now), 25 * 3_600_000)).toEqual({ delayMs: 2_000, outOfTime: false });
    expect(nextTry(failed, null, Date.parse(now), 25 * 3_600_000)).toEqual({ delayMs: 3_600_000, outOfTime: true });
  });
});

describe('what an endpoint carries to its next run', () => {
  const notice = { text: 'x'.repeat(1_000) };
  const big = (n: number, state: DeliveryRecord['state']) => {
    let d = record(n, state);
    for (let i = 0; i < 30; i++)
      d = withAttempt(d, { at: `t${i}`, status: 503, latencyMs: 5, error: 'e'.repeat(200) }, state, d.nextAttemptAt);
    return d;
  };

  test('fits the budget: first ended deliveries keep their last 3 attempts, then those under way, then the oldest ended go', () => {
    const log = [
      ...Array.from({ length: 40 }, (_, i) => big(i + 1, 'failed')),
      ...Array.from({ length: 10 }, (_, i) => big(100 + i, 'retrying')),
    ];
    const notices = Object.fromEntries(log.map((d) => [d.deliveryId, notice]));
    expect(fitCarried(log, notices, 10_000_000).log).toEqual(log);
    const budget = 80_000;
    const fitted = fitCarried(log, notices, budget);
    expect(JSON.stringify(fitted.log).length + JSON.stringify(fitted.notices).length).toBeLessThanOrEqual(budget);
    const underWay = fitted.log.filter((d) => d.state === 'retrying');
    expect(underWay.map((d) => d.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
    expect(underWay.every((d) => d.attempts.length === 3 && d.attemptCount === 30)).toBe(true);
    const ended = fitted.log.filter((d) => d.state === 'failed').map((d) => d.seq);
    expect(ended.length).toBeLessThan(40);
    expect(ended).toEqual(Array.from({ length: ended.length }, (_, i) => 41 - ended.length + i));
    expect(Object.keys(fitted.notices).sort()).toEqual(fitted.log.map((d) => d.deliveryId).sort());
  });
});
