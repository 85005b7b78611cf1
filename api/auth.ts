import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiKey } from '../config';
import type { Actor } from '../domain';
import { problems } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    /** The caller, set by `authenticate`. */
    actor?: Actor;
  }
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `Authorization: Bearer <token>` against the configured keys; 401 when missing or unknown. */
export function authenticate(keys: readonly ApiKey[]): RequestHandler {
  return (request, _response, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.get('authorization') ?? '');
    const key = match && keys.find((candidate) => sameToken(candidate.token, match[1]));
    if (!key) return next(problems.unauthorized());
    request.actor = { subject: key.subject, role: key.role };
    next();
  };
}
