// answerUnlessStuck: the answer wins when it comes; a stuck deal's problem wins when the check finds one.
import { answerUnlessStuck, StuckDeals } from '../../api/deal-trouble';
import { ProblemError } from '../../api/problem';

const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
const stuckProblem = new ProblemError(503, 'Service Unavailable', 'stuck', 'deal_unavailable');

test('an answer before the check: the check never runs', async () => {
  const check = jest.fn(async () => stuckProblem);
  await expect(answerUnlessStuck(() => later(10, 'deal'), check, 200)).resolves.toBe('deal');
  await later(300, null);
  expect(check).not.toHaveBeenCalled();
});

test('a slow answer of a healthy deal: the check finds nothing and the answer still comes', async () => {
  const check = jest.fn(async () => null);
  await expect(answerUnlessStuck(() => later(300, 'deal'), check, 50)).resolves.toBe('deal');
  expect(check).toHaveBeenCalledTimes(1);
});

test('a check that fails (Temporal down) changes nothing: the call ends as it ends', async () => {
  await expect(
    answerUnlessStuck(
      () => Promise.reject(new Error('down')),
      async () => Promise.reject(new Error('also down')),
      10,
    ),
  ).rejects.toThrow('down');
  await expect(
    answerUnlessStuck(
      () => later(100, 'deal'),
      async () => Promise.reject(new Error('down')),
      10,
    ),
  ).resolves.toBe('deal');
});

test('a stuck deal: the problem answers without waiting for the call, and the call is cancelled', async () => {
  let signal: AbortSignal | undefined;
  const call = (given: AbortSignal) => {
    signal = given;
    return new Promise<string>((_resolve, reject) => given.addEventListener('abort', () => reject(new Error('cancelled'))));
  };
  await expect(answerUnlessStuck(call, async () => stuckProblem, 50)).rejects.toBe(stuckProblem);
  expect(signal?.aborted).toBe(true);
});

test('a deal found stuck is answered from memory for 5 s, then asked about again', () => {
  let now = 1_000;
  const stuck = new StuckDeals(() => now);
  expect(stuck.recall('acme')).toBeNull();
  stuck.remember('acme', stuckProblem);
  now += 4_999;
  expect(stuck.recall('acme')).toBe(stuckProblem);
  expect(stuck.recall('other')).toBeNull();
  now += 1;
  expect(stuck.recall('acme')).toBeNull();
});
