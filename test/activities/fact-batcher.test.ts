// Facts from many deals on one worker go to their SOP's analytics as one signal per window.
import { FactBatcher } from '../../activities/fact-batcher';
import type { DealFact } from '../../domain';

const fact = (id: string) => ({ id }) as unknown as DealFact;

function recorder(fail = () => false) {
  const sent: Array<{ sopId: string; ids: string[] }> = [];
  const send = async (sopId: string, facts: DealFact[]) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (fail()) throw new Error('analytics unavailable');
    sent.push({ sopId, ids: facts.map((f) => (f as unknown as { id: string }).id) });
  };
  return { sent, send };
}

test('facts added within the window go as one batch per SOP, and every caller learns it went', async () => {
  const { sent, send } = recorder();
  const batcher = new FactBatcher(send, 20);
  await Promise.all([
    batcher.add('sop-a', [fact('d1#1.0')]),
    batcher.add('sop-a', [fact('d2#1.0'), fact('d2#1.1')]),
    batcher.add('sop-b', [fact('d3#1.0')]),
  ]);
  expect(sent).toEqual([
    { sopId: 'sop-a', ids: ['d1#1.0', 'd2#1.0', 'd2#1.1'] },
    { sopId: 'sop-b', ids: ['d3#1.0'] },
  ]);
  await batcher.add('sop-a', [fact('d1#2.0')]);
  expect(sent.at(-1)).toEqual({ sopId: 'sop-a', ids: ['d1#2.0'] });
});

test('a batch that fails fails every caller in it; the next batch starts afresh', async () => {
  let failing = true;
  const { sent, send } = recorder(() => failing);
  const batcher = new FactBatcher(send, 10);
  const outcomes = await Promise.allSettled([batcher.add('sop-a', [fact('a')]), batcher.add('sop-a', [fact('b')])]);
  expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  failing = false;
  await batcher.add('sop-a', [fact('a')]);
  expect(sent).toEqual([{ sopId: 'sop-a', ids: ['a'] }]);
});

test('a full batch goes at once, without waiting for its window', async () => {
  const { sent, send } = recorder();
  const batcher = new FactBatcher(send, 60_000, 3);
  const started = Date.now();
  await Promise.all([batcher.add('sop-a', [fact('1'), fact('2')]), batcher.add('sop-a', [fact('3')])]);
  expect(Date.now() - started).toBeLessThan(1_000);
  // One caller's facts are never split: more than the maximum go whole, and at once.
  const late = batcher.add('sop-a', [fact('4'), fact('5'), fact('6'), fact('7')]);
  await late;
  expect(sent.map((b) => b.ids)).toEqual([
    ['1', '2', '3'],
    ['4', '5', '6', '7'],
  ]);
});
