import { createHash } from 'node:crypto';
import { problems } from './problem';

/**
 * Visibility page tokens as the API hands them out: `<base64url token>.<checksum>`, the checksum
 * taken over the token and the visibility query it pages through. Temporal answers a token it did
 * not issue with UNKNOWN, which the client retries until the deadline (a 503 after seconds); the
 * checksum lets the API refuse a forged, truncated or re-filtered token at once. It is a checksum,
 * not a signature: it keeps mistakes away from Temporal, not a caller who computes it on purpose.
 */
function checksum(raw: Uint8Array, query: string): string {
  return createHash('sha256').update(`${raw.length}:`).update(raw).update(query).digest('base64url').slice(0, 16);
}

/** The token to give the caller for Temporal's `nextPageToken` of this query; null on the last page. */
export function issuePageToken(raw: Uint8Array | null | undefined, query: string): string | null {
  if (!raw?.length) return null;
  return `${Buffer.from(raw).toString('base64url')}.${checksum(raw, query)}`;
}

/** Temporal's token back from one this API issued for the same query; a 422 problem for any other. */
export function readPageToken(token: string, query: string): Buffer {
  const [encoded = '', sum = '', ...rest] = token.split('.');
  const raw = Buffer.from(encoded, 'base64url');
  if (rest.length > 0 || raw.length === 0 || raw.toString('base64url') !== encoded || sum !== checksum(raw, query)) {
    throw problems.validation(
      [{ path: 'query.pageToken', message: 'not a page token this API issued for these filters; start again without pageToken' }],
      'The pageToken was not issued for this list: pass the nextPageToken of the previous page, with the same filters.',
    );
  }
  return raw;
}
