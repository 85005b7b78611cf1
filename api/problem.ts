import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Problem } from '../domain';

/** Thrown by handlers and services for any answer that is not a success; rendered as problem+json. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code?: string,
    readonly errors?: readonly Problem[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail);
  }
}

export const problems = {
  /** `error` is RFC 6750's: `invalid_token` for a JWT that does not verify (an unknown API key keeps v1's plain `Bearer`). */
  unauthorized: (
    detail = 'Send Authorization: Bearer <token> with a known API key or a token from your identity provider.',
    error?: 'invalid_token',
  ) =>
    new ProblemError(401, 'Unauthorized', detail, undefined, undefined, {
      'www-authenticate': error ? `Bearer error="${error}"` : 'Bearer',
    }),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ProblemError(
      429,
      'Too Many Requests',
      `You sent more requests a second than this API allows one caller; try again in ${retryAfterSeconds} s.`,
      'rate_limited',
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    ),
  forbidden: (detail: string) => new ProblemError(403, 'Forbidden', detail, 'forbidden'),
  notFound: (detail: string) => new ProblemError(404, 'Not Found', detail),
  validation: (errors: readonly Problem[], detail = 'The request is not valid; see errors.') =>
    new ProblemError(422, 'Unprocessable Content', detail, 'validation_failed', errors),
  unavailable: (detail: string) => new ProblemError(503, 'Service Unavailable', detail, undefined, undefined, { 'retry-after': '5' }),
};

function render(error: ProblemError) {
  return {
    type: error.code ? `https://sales-sop.dev/problems/${error.code}` : 'about:blank',
    title: error.title,
    status: error.status,
    detail: error.detail,
    ...(error.code && { code: error.code }),
    ...(error.errors && { errors: error.errors }),
  };
}

/** Maps body-parser failures to the statuses `CONTRACT.md` names. */
function fromBodyParser(error: { type?: string; status?: number }): ProblemError | null {
  if (error.type === 'entity.too.large') return new ProblemError(413, 'Content Too Large', 'The request body is over 1 MiB.');
  if (error.type === 'entity.parse.failed') return new ProblemError(400, 'Bad Request', 'The request body is not valid JSON.');
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    return new ProblemError(415, 'Unsupported Media Type', 'Send the body as UTF-8 JSON.');
  }
  if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    return new ProblemError(error.status, 'Bad Request', 'The request could not be read.');
  }
  return null;
}

/** The one place that writes error responses: every failure becomes problem+json, never a stack. */
export function problemHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _request, response, _next) => {
    const problem =
      error instanceof ProblemError
        ? error
        : (fromBodyParser(error as { type?: string; status?: number }) ??
          (onUnexpected(error), new ProblemError(500, 'Internal Server Error', 'Something went wrong on our side; it has been logged.')));
    response
      .status(problem.status)
      .set(problem.headers ?? {})
      .type('application/problem+json')
      .send(JSON.stringify(render(problem)));
  };
}

export const routeNotFound: RequestHandler = (request, _response, next) => {
  next(problems.notFound(`No route for ${request.method} ${request.path}.`));
};
