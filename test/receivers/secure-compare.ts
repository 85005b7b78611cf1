import { timingSafeEqual } from 'node:crypto';

/** Two strings compared in constant time (for their length): signatures as the tools compare them, text to text. */
export function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
