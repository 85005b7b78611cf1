import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const ISSUER = 'https://idp.test/';
export const AUDIENCE = 'sales-sop-api';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function signingKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * A local identity provider: serves its JSON Web Key Set on a loopback port and signs tokens.
 * Its keys can be rotated, and it can be made to fail, as a real one does on a bad day.
 */
export class IdentityProvider {
  /** What the JWKS endpoint answers: the key set, or an HTTP status to fail with. */
  failWith: number | null = null;
  fetches = 0;

  private constructor(
    private readonly server: Server,
    public published: SigningKey[],
  ) {}

  static async start(keys: SigningKey[]): Promise<IdentityProvider> {
    let provider: IdentityProvider | null = null;
    const server = createServer((_request, response) => {
      const idp = provider as IdentityProvider;
      idp.fetches++;
      if (idp.failWith) {
        response.writeHead(idp.failWith).end('down');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: idp.published.map((key) => key.jwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    provider = new IdentityProvider(server, keys);
    return provider;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  /** A token as the provider issues it: this issuer and audience, valid for an hour, unless `claims` say otherwise. */
  async token(key: SigningKey, claims: JWTPayload & { role?: unknown } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
