import type { RequestHandler } from 'express';
import type { Actor } from '../domain';
import type { Callers } from './callers';
import { problems } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    /** The caller, set by `authenticate`. */
    actor?: Actor;
  }
}

/** `Authorization: Bearer <token>`: an API key or an SSO token; 401 when missing or not valid, 403 with no known role. */
export function authenticate(callers: Callers): RequestHandler {
  return (request, _response, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.get('authorization') ?? '');
    if (!match) return next(problems.unauthorized());
    callers.identify(match[1]).then((actor) => {
      request.actor = actor;
      next();
    }, next);
  };
}
