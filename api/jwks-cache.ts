import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ConfigError } from '../config';

/** How the key set looks to `/readyz`: fresh, or stale (the last fetch failed; the cached keys still verify). */
export interface JwksStatus {
  readonly keys: number;
  readonly fetchedAt: string;
  readonly stale: null | { readonly since: string; readonly error: string };
}

export interface JwksOptions {
  /** Fetch again this often (default 5 minutes): an identity provider rotates keys by publishing the new one first. */
  readonly refreshEveryMs?: number;
  /** A token with an unknown `kid` fetches at once, but not more often than this (default 5 s). */
  readonly cooldownMs?: number;
  readonly timeoutMs?: number;
  readonly onStale?: (error: string) => void;
  readonly onRecovered?: () => void;
}

const messageOf = (error: unknown): string =>
  typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : error ? String(error) : '';

/** Fetches a JSON Web Key Set: 200, JSON, a `keys` array that jose accepts; otherwise an Error saying which. */
async function fetchKeySet(url: string, timeoutMs: number): Promise<{ set: JSONWebKeySet; getKey: JWTVerifyGetKey }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } }).catch(
    (error: unknown) => {
      // undici says "fetch failed" and puts the reason (ECONNREFUSED, a timeout) in `cause`.
      const cause = messageOf((error as { cause?: unknown })?.cause);
      throw new Error(cause ? `${messageOf(error)}: ${cause}` : messageOf(error));
    },
  );
  if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
  const set = (await response.json().catch(() => {
    throw new Error('answered something that is not JSON');
  })) as JSONWebKeySet;
  try {
    return { set, getKey: createLocalJWKSet(set) };
  } catch {
    throw new Error('answered JSON that is not a JSON Web Key Set ({"keys": [...]})');
  }
}

/**
 * The identity provider's signing keys. Loaded once at start (a failure then stops the API),
 * fetched again every few minutes and whenever a token names a key id it does not know; a fetch
 * that fails later keeps the keys it had, and says so.
 */
export class JwksCache {
  private refreshing: Promise<boolean> | null = null;
  /** 0: the first unknown key id after start fetches at once. */
  private lastAttempt = 0;
  private stale: JwksStatus['stale'] = null;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly url: string,
    private readonly options: JwksOptions,
    private current: { set: JSONWebKeySet; getKey: JWTVerifyGetKey; fetchedAt: string },
  ) {
    this.timer = setInterval(() => void this.refresh(), options.refreshEveryMs ?? 5 * 60_000).unref();
  }

  static async load(url: string, options: JwksOptions = {}): Promise<JwksCache> {
    try {
      const loaded = await fetchKeySet(url, options.timeoutMs ?? 5_000);
      return new JwksCache(url, options, { ...loaded, fetchedAt: new Date().toISOString() });
    } catch (error) {
      // Bad configuration as far as the operator is concerned: the process stops with this line, no stack.
      throw new ConfigError([
        { variable: 'AUTH_JWKS_URL', message: `the identity provider's keys at ${url} could not be loaded: ${messageOf(error)}` },
      ]);
    }
  }

  /** For jose's `jwtVerify`: the key the token's header names, from the keys held now. */
  readonly getKey: JWTVerifyGetKey = (header, token) => this.current.getKey(header, token);

  status(): JwksStatus {
    return { keys: this.current.set.keys.length, fetchedAt: this.current.fetchedAt, stale: this.stale };
  }

  /** A token named a key we do not hold: fetch now unless we just did. true when new keys arrived. */
  async refreshForUnknownKey(): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.lastAttempt < (this.options.cooldownMs ?? 5_000)) return false;
    return this.refresh();
  }

  /** Fetches the key set again; on failure keeps the keys it had. One fetch at a time. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.fetchAgain().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async fetchAgain(): Promise<boolean> {
    this.lastAttempt = Date.now();
    try {
      const loaded = await fetchKeySet(this.url, this.options.timeoutMs ?? 5_000);
      this.current = { ...loaded, fetchedAt: new Date().toISOString() };
      if (this.stale) this.options.onRecovered?.();
      this.stale = null;
      return true;
    } catch (error) {
      const message = messageOf(error);
      if (!this.stale) this.options.onStale?.(message);
      this.stale = { since: this.stale?.since ?? new Date().toISOString(), error: message };
      return false;
    }
  }
}
