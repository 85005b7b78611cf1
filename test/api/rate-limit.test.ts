// The per-caller token bucket: a burst of twice the rate, then the rate; Retry-After says when.
import { RateLimiter } from '../../api/rate-limit';

function limiter(perSecond: number): { limiter: RateLimiter; advance: (ms: number) => void } {
  let now = 0;
  return { limiter: new RateLimiter(perSecond, () => now), advance: (ms) => (now += ms) };
}

test('a caller may burst to twice the rate, then waits; another caller is not touched', () => {
  const { limiter: limit } = limiter(5);
  const answers = Array.from({ length: 12 }, () => limit.take('alice'));
  expect(answers.slice(0, 10)).toEqual(Array(10).fill(0));
  expect(answers.slice(10)).toEqual([1, 1]);
  expect(limit.take('bob')).toBe(0);
});

test('the bucket refills at the rate: a second later, rate-many more requests go', () => {
  const { limiter: limit, advance } = limiter(5);
  for (let i = 0; i < 10; i++) limit.take('alice');
  expect(limit.take('alice')).toBe(1);
  advance(1_000);
  const answers = Array.from({ length: 6 }, () => limit.take('alice'));
  expect(answers).toEqual([0, 0, 0, 0, 0, 1]);
});

test('Retry-After is the whole seconds until one request may go, at least 1', () => {
  const { limiter: slow } = limiter(1);
  slow.take('alice');
  slow.take('alice');
  expect(slow.take('alice')).toBe(1);
  const { limiter: fast, advance } = limiter(1000);
  for (let i = 0; i < 2000; i++) fast.take('alice');
  expect(fast.take('alice')).toBe(1);
  advance(1);
  expect(fast.take('alice')).toBe(0);
});

test('a steady caller at the rate is never refused', () => {
  const { limiter: limit, advance } = limiter(50);
  for (let i = 0; i < 1_000; i++) {
    expect(limit.take('steady')).toBe(0);
    advance(20);
  }
});

test('memory follows busy callers: once over 10,000 are held, those whose bucket has filled again are forgotten', () => {
  const { limiter: limit, advance } = limiter(1);
  for (let i = 0; i <= 10_000; i++) limit.take(`caller-${i}`);
  expect(limit.callers).toBe(10_001);
  limit.take('busy');
  limit.take('busy');
  advance(2_000);
  limit.take('latecomer');
  // Everyone idle for 2 s has a full bucket again; 'busy' too; only the latecomer's is not full.
  expect(limit.callers).toBe(1);
  expect(limit.take('busy')).toBe(0);
});
