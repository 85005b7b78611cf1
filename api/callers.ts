import type { Actor } from '../domain';
import type { KeyRing } from './key-ring';
import { problems } from './problem';
import type { SsoVerifier } from './sso';

/** Longer bearer tokens are refused before any parsing: no identity provider issues them. */
export const MAX_TOKEN_BYTES = 8 * 1024;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Who sent a bearer token: an API key holder, else (with SSO) the subject of a JWT the identity provider signed. */
export class Callers {
  constructor(
    private readonly keys: KeyRing,
    private readonly sso: SsoVerifier | null,
  ) {}

  async identify(token: string): Promise<Actor> {
    if (Buffer.byteLength(token, 'utf8') > MAX_TOKEN_BYTES) {
      throw problems.unauthorized(`The bearer token is over ${MAX_TOKEN_BYTES / 1024} KB.`);
    }
    const holder = this.keys.find(token);
    if (holder) return holder;
    if (this.sso && JWT_SHAPE.test(token)) return this.sso.verify(token);
    throw problems.unauthorized(
      this.sso ? 'The bearer token is neither a known API key nor a JWT.' : 'The bearer token is not a known API key.',
    );
  }
}
