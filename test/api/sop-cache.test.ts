// The API's cache of published SOP versions: versions kept, "latest" trusted for a second, a publish forgets it.
import { LATEST_SOP_TTL_MS, SopCache } from '../../api/sop-cache';
import type { Sop } from '../../domain';

const sop = (id: string, version: number) => ({ id, version, name: id, stages: [] }) as unknown as Sop;

test('a version read as the latest answers both the latest and the pinned version until the TTL ends', () => {
  let now = 0;
  const cache = new SopCache(() => now);
  cache.remember(sop('a', 2), true);
  expect(cache.get('a')?.version).toBe(2);
  expect(cache.get('a', 2)?.version).toBe(2);
  now += LATEST_SOP_TTL_MS - 1;
  expect(cache.get('a')?.version).toBe(2);
  now += 1;
  expect(cache.get('a')).toBeUndefined();
  expect(cache.get('a', 2)?.version).toBe(2);
});

test('a pinned read never becomes the latest; a publish forgets the latest and keeps the versions', () => {
  const cache = new SopCache(() => 0);
  cache.remember(sop('a', 1), false);
  expect(cache.get('a')).toBeUndefined();
  expect(cache.get('a', 1)?.version).toBe(1);
  cache.remember(sop('a', 2), true);
  cache.published('a');
  expect(cache.get('a')).toBeUndefined();
  expect(cache.get('a', 2)?.version).toBe(2);
  expect(cache.get('b', 1)).toBeUndefined();
});

test('beyond 1,000 versions the least recently stored one is dropped', () => {
  const cache = new SopCache(() => 0);
  for (let v = 1; v <= 1_001; v += 1) cache.remember(sop('a', v), false);
  expect(cache.get('a', 1)).toBeUndefined();
  expect(cache.get('a', 2)?.version).toBe(2);
  expect(cache.get('a', 1_001)?.version).toBe(1_001);
});
