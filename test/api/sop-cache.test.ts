// The API's cache of published SOP versions: versions kept; "latest" fresh for a second, usable while it is read again, dropped when old.
import { LATEST_SOP_MAX_AGE_MS, LATEST_SOP_TTL_MS, SopCache } from '../../api/sop-cache';
import type { Sop } from '../../domain';

const sop = (id: string, version: number) => ({ id, version, name: id, stages: [] }) as unknown as Sop;
const seen = (cache: SopCache, id: string, version?: number) => {
  const hit = cache.get(id, version);
  return hit && { version: hit.sop.version, fresh: hit.fresh };
};

test('the latest version is fresh for the TTL, then stale but usable, then gone; a pinned version stays', () => {
  let now = 0;
  const cache = new SopCache(() => now);
  cache.remember(sop('a', 2), true);
  expect(seen(cache, 'a')).toEqual({ version: 2, fresh: true });
  expect(seen(cache, 'a', 2)).toEqual({ version: 2, fresh: true });
  now = LATEST_SOP_TTL_MS - 1;
  expect(seen(cache, 'a')).toEqual({ version: 2, fresh: true });
  now = LATEST_SOP_TTL_MS;
  expect(seen(cache, 'a')).toEqual({ version: 2, fresh: false });
  now = LATEST_SOP_MAX_AGE_MS;
  expect(seen(cache, 'a')).toBeUndefined();
  expect(seen(cache, 'a', 2)).toEqual({ version: 2, fresh: true });
  cache.remember(sop('a', 3), true);
  expect(seen(cache, 'a')).toEqual({ version: 3, fresh: true });
});

test('a pinned read never becomes the latest; a publish forgets the latest and keeps the versions', () => {
  const cache = new SopCache(() => 0);
  cache.remember(sop('a', 1), false);
  expect(seen(cache, 'a')).toBeUndefined();
  expect(seen(cache, 'a', 1)).toEqual({ version: 1, fresh: true });
  cache.remember(sop('a', 2), true);
  cache.published('a');
  expect(seen(cache, 'a')).toBeUndefined();
  expect(seen(cache, 'a', 2)).toEqual({ version: 2, fresh: true });
  expect(seen(cache, 'b', 1)).toBeUndefined();
});

test('beyond 1,000 versions the least recently stored one is dropped', () => {
  const cache = new SopCache(() => 0);
  for (let v = 1; v <= 1_001; v += 1) cache.remember(sop('a', v), false);
  expect(seen(cache, 'a', 1)).toBeUndefined();
  expect(seen(cache, 'a', 2)?.version).toBe(2);
  expect(seen(cache, 'a', 1_001)?.version).toBe(1_001);
});
