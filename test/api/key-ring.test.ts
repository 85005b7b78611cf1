// API keys are held as SHA-256 digests and a presented token is compared with every one of them in
// constant time: the comparisons made do not depend on which key matches, nor on the token.
import { timingSafeEqual } from 'node:crypto';
import { Callers, MAX_TOKEN_BYTES } from '../../api/callers';
import { KeyRing } from '../../api/key-ring';
import { hashKey, tokenSha256, type CallerKey } from '../../config';

const KEYS: CallerKey[] = [
  hashKey({ token: 'first-key', role: 'admin', subject: 'root' }),
  hashKey({ token: 'middle-key', role: 'rep', subject: 'alice' }),
  { sha256: tokenSha256('last-key'), role: 'viewer', subject: 'victor' },
];

/** A key ring whose every comparison is recorded: the lengths compared, in order. */
function watched(): { ring: KeyRing; comparisons: number[][] } {
  const comparisons: number[][] = [];
  const ring = new KeyRing(KEYS, (a, b) => {
    comparisons.push([a.length, b.length]);
    return timingSafeEqual(a, b);
  });
  return { ring, comparisons };
}

test('finds the holder of each key, and nobody for another token', () => {
  const ring = new KeyRing(KEYS);
  expect(ring.find('first-key')).toEqual({ role: 'admin', subject: 'root' });
  expect(ring.find('middle-key')).toEqual({ role: 'rep', subject: 'alice' });
  expect(ring.find('last-key')).toEqual({ role: 'viewer', subject: 'victor' });
  for (const stranger of ['', 'first-ke', 'first-key ', 'FIRST-KEY', tokenSha256('first-key')]) expect(ring.find(stranger)).toBeNull();
});

test('every lookup compares 32-byte digests with every key, whichever key matches and however long the token', () => {
  const tokens = ['first-key', 'middle-key', 'last-key', '', 'f', 'first-kez', 'x'.repeat(MAX_TOKEN_BYTES)];
  for (const token of tokens) {
    const { ring, comparisons } = watched();
    ring.find(token);
    expect({ token: token.slice(0, 12), comparisons }).toEqual({
      token: token.slice(0, 12),
      comparisons: [
        [32, 32],
        [32, 32],
        [32, 32],
      ],
    });
  }
});

test('the ring holds digests only: the token is not in it', () => {
  const ring = new KeyRing(KEYS);
  expect(JSON.stringify(ring)).not.toMatch(/first-key|middle-key|last-key/);
});

test('a token over 8 KB is refused before it is looked up', async () => {
  const { ring, comparisons } = watched();
  const callers = new Callers(ring, null);
  await expect(callers.identify('x'.repeat(MAX_TOKEN_BYTES + 1))).rejects.toMatchObject({
    status: 401,
    detail: expect.stringMatching(/over 8 KB/),
  });
  expect(comparisons).toEqual([]);
  await expect(callers.identify('middle-key')).resolves.toEqual({ role: 'rep', subject: 'alice' });
  await expect(callers.identify('nobody')).rejects.toMatchObject({ status: 401 });
});
