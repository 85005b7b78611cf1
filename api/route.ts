import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { schemaProblems, type Actor, type Problem } from '../domain';
import { problems } from './problem';

/** What a handler returns: a status and a JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly actor: Actor;
  readonly request: Request;
}

/**
 * One route as one object: its zod schemas are at once the runtime check, the handler's types and
 * the OpenAPI document.
 */
export interface Route<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path, e.g. `/v1/deals/:dealId`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /**
   * The role check that needs nothing but the caller: a refusal message (answered 403) or null. It
   * runs before any validation, so a role that may never do this learns that, not what its request
   * got wrong. Checks that need the request (a rep naming another owner) stay in the services.
   */
  readonly allow?: (actor: Actor) => string | null;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  /** A named schema (see `namedSchemas`) or one described inline. */
  readonly body?: { schema: z.ZodType<B>; name?: string; check?: (body: unknown) => Problem[] | B };
  readonly idempotent?: boolean;
  readonly responses: Readonly<Record<number, string>>;
  readonly handle: (input: RouteInput<P, Q, B>) => Promise<Reply>;
}

export function defineRoute<P, Q, B>(route: Route<P, Q, B>): Route<P, Q, B> {
  return route;
}

/** Deeper than any valid request: refused before recursive schemas could exhaust the stack. */
const MAX_DEPTH = 32;

/**
 * What no valid body holds, found before any schema runs: nesting deeper than recursive schemas
 * could walk, and `__proto__` keys (JSON.parse makes them own properties; a schema might copy them
 * onto a prototype).
 */
function shapeProblems(value: unknown): Problem[] {
  const stack: Array<[unknown, number, string]> = [[value, 1, '']];
  while (stack.length > 0) {
    const [item, depth, path] = stack.pop() as [unknown, number, string];
    if (item === null || typeof item !== 'object') continue;
    if (depth > MAX_DEPTH) return [{ path: '', message: `the body is nested more than ${MAX_DEPTH} levels deep` }];
    for (const key of Object.keys(item)) {
      const at = path ? `${path}.${key}` : key;
      if (key === '__proto__') return [{ path: at, message: 'the key "__proto__" is not allowed' }];
      stack.push([(item as Record<string, unknown>)[key], depth + 1, at]);
    }
  }
  return [];
}

function prefixed(where: string, list: Problem[]): Problem[] {
  return list.map((problem) => ({ path: [where, problem.path].filter(Boolean).join('.'), message: problem.message }));
}

/** Validates every part of the request, lists every problem at once, then calls the handler. */
export function toHandler<P, Q, B>(route: Route<P, Q, B>): RequestHandler {
  return (request, response, next) => {
    const actor = request.actor;
    if (!actor) return next(problems.unauthorized());
    const refusal = route.allow?.(actor) ?? null;
    if (refusal !== null) return next(problems.forbidden(refusal));
    const found: Problem[] = [];
    const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T => {
      if (!schema) return undefined as T;
      const result = schema.safeParse(value);
      if (!result.success) found.push(...prefixed(where, schemaProblems(result.error)));
      return result.success ? result.data : (undefined as T);
    };
    const params = parse(route.params, request.params, 'params');
    const query = parse(route.query, { ...request.query }, 'query');
    let body = undefined as B;
    const shape = route.body && request.body !== undefined ? shapeProblems(request.body) : [];
    if (route.body) {
      if (request.body === undefined) {
        found.push({ path: '', message: 'a JSON body (Content-Type: application/json) is required' });
      } else if (shape.length > 0) {
        found.push(...shape);
      } else if (route.body.check) {
        const checked = route.body.check(request.body);
        if (Array.isArray(checked)) found.push(...(checked as Problem[]));
        else body = checked as B;
      } else {
        body = parse(route.body.schema, request.body, '');
      }
    }
    if (found.length > 0) return next(problems.validation(found));
    route
      .handle({ params, query, body, actor, request })
      .then((reply) => (reply.status === 204 ? response.status(204).end() : response.status(reply.status).json(reply.body)))
      .catch(next);
  };
}
