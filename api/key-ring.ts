import { createHash, timingSafeEqual } from 'node:crypto';
import type { CallerKey } from '../config';
import type { Actor } from '../domain';

/** Compares two 32-byte digests; `timingSafeEqual` unless a test watches the comparisons. */
export type DigestCompare = (a: Buffer, b: Buffer) => boolean;

/**
 * The API keys, held as SHA-256 digests only. A presented token is hashed once and compared with
 * every key's digest in constant time, all of them, whichever matches: the time a lookup takes
 * depends on neither the keys nor how much of one a guess got right.
 */
export class KeyRing {
  private readonly keys: ReadonlyArray<{ digest: Buffer; actor: Actor }>;

  constructor(
    keys: readonly CallerKey[],
    private readonly compare: DigestCompare = timingSafeEqual,
  ) {
    this.keys = keys.map((key) => ({ digest: Buffer.from(key.sha256, 'hex'), actor: { subject: key.subject, role: key.role } }));
  }

  get size(): number {
    return this.keys.length;
  }

  /** Who holds this token, or null. */
  find(token: string): Actor | null {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: Actor | null = null;
    for (const key of this.keys) {
      const same = this.compare(key.digest, digest);
      found = same ? key.actor : found;
    }
    return found;
  }
}
