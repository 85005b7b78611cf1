import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain';

/** A request's `Idempotency-Key` and a hash of its body. */
export interface Idempotency {
  readonly key: string;
  readonly bodyHash: string;
}

/** The same body, whatever its key order, hashes the same: a retry is recognised as the same request. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}
