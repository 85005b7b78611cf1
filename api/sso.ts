import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { SsoConfig } from '../config';
import { ROLES, SUBJECT, type Actor, type Role } from '../domain';
import type { JwksCache } from './jwks-cache';
import { problems } from './problem';

/** Signatures made with a private key only: a public key set has no business holding an HMAC secret. */
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Clocks of the identity provider and this API may differ this much. */
const CLOCK_TOLERANCE_S = 30;

/** A claim by name, or by a dotted path into nested claims (Keycloak's `realm_access.roles`). */
function claim(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  return name
    .split('.')
    .reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), payload);
}

/** The role a token grants: its role claim, a string or a list (then the most powerful known role in it). */
function roleOf(value: unknown): Role | null {
  const named = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
  return ROLES.find((role) => named.includes(role)) ?? null;
}

/** Why jose refused a token, in words for the 401's detail. */
function refusal(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'The token is not valid yet (nbf).';
    if (error.claim === 'iss') return 'The token was not issued by the identity provider this API trusts (iss).';
    if (error.claim === 'aud') return 'The token is not meant for this API (aud).';
    if (error.reason === 'missing') return `The token has no "${error.claim}" claim.`;
    return `The token's "${error.claim}" claim is not valid.`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "The token's signature does not verify with the identity provider's keys.";
  if (error instanceof errors.JWKSNoMatchingKey) return "No key of the identity provider matches the token's key id and algorithm.";
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return "The token names no key id, and none of the identity provider's keys that fit verifies it.";
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return "The token's algorithm is not one the identity provider's keys allow.";
  }
  return 'The token is not a well-formed, signed JWT.';
}

/** OIDC / JWT bearer tokens: signature by the identity provider's keys, then `iss`, `aud`, `exp`, `nbf`, subject and role. */
export class SsoVerifier {
  constructor(
    private readonly config: SsoConfig,
    readonly keys: JwksCache,
  ) {}

  /** The caller a token names; a 401 problem for a token that does not verify, 403 for one with no known role. */
  async verify(token: string): Promise<Actor> {
    const payload = await this.verified(token);
    const subject = claim(payload, this.config.subjectClaim);
    if (typeof subject !== 'string' || subject === '') {
      throw problems.unauthorized(`The token has no "${this.config.subjectClaim}" claim naming the caller.`, 'invalid_token');
    }
    if (!SUBJECT.test(subject)) {
      throw problems.unauthorized(
        `The token's "${this.config.subjectClaim}" claim is not a usable subject (letters, digits and . _ @ -, at most 128); set AUTH_SUBJECT_CLAIM to another claim.`,
        'invalid_token',
      );
    }
    const role = roleOf(claim(payload, this.config.roleClaim));
    if (!role) {
      throw problems.forbidden(`The token's "${this.config.roleClaim}" claim names none of the roles ${ROLES.join(' ')}.`);
    }
    return { subject, role };
  }

  private async verified(token: string, retried = false): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.keys.getKey, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ASYMMETRIC,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      if (!(error instanceof errors.JOSEError)) {
        // jose answers a token it cannot decode with a TypeError at times, and WebCrypto a provider key
        // it cannot import with a DOMException: the token is not verified either way.
        throw problems.unauthorized("The token could not be verified with the identity provider's keys.", 'invalid_token');
      }
      // A key id we have not seen: the identity provider may have rotated its keys since we fetched them.
      if (error instanceof errors.JWKSNoMatchingKey && !retried && (await this.keys.refreshForUnknownKey()))
        return this.verified(token, true);
      throw problems.unauthorized(refusal(error), 'invalid_token');
    }
  }
}
