// OneAtATime: a deal's calls run one after another, other deals' calls are not held up.
import { OneAtATime } from '../../api/one-at-a-time';

const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

test('calls with one key run one after another, in the order they came', async () => {
  const queue = new OneAtATime();
  const log: string[] = [];
  const call = (name: string, ms: number) => async () => {
    log.push(`start ${name}`);
    await later(ms, null);
    log.push(`end ${name}`);
    return name;
  };
  const answers = await Promise.all([
    queue.run('deal-a', call('1', 30)),
    queue.run('deal-a', call('2', 1)),
    queue.run('deal-a', call('3', 1)),
  ]);
  expect(answers).toEqual(['1', '2', '3']);
  expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  expect(queue.size).toBe(0);
});

test("another key's calls are not held up", async () => {
  const queue = new OneAtATime();
  const slow = queue.run('deal-a', () => later(200, 'a'));
  const started = Date.now();
  await expect(queue.run('deal-b', () => later(1, 'b'))).resolves.toBe('b');
  expect(Date.now() - started).toBeLessThan(150);
  await slow;
});

test('a failed call does not stop the next one; a call whose caller gave up while waiting never starts', async () => {
  const queue = new OneAtATime();
  const first = queue.run('deal-a', () => later(20, null).then(() => Promise.reject(new Error('failed'))));
  const gaveUp = new AbortController();
  const skipped = jest.fn(async () => 'ran');
  const abandoned = queue.run('deal-a', skipped, gaveUp.signal);
  const third = queue.run('deal-a', async () => 'third');
  gaveUp.abort(new Error('deadline'));
  await expect(first).rejects.toThrow('failed');
  await expect(abandoned).rejects.toThrow('deadline');
  await expect(third).resolves.toBe('third');
  expect(skipped).not.toHaveBeenCalled();
  expect(queue.size).toBe(0);
});
