import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { AnalyticsService } from './analytics-service';
import { authenticate } from './auth';
import type { Callers } from './callers';
import { boardRoutes } from './board-routes';
import { serveBoard } from './board-static';
import { createHttpMetrics } from './http-metrics';
import { openApiDocument } from './openapi';
import { problemHandler, routeNotFound } from './problem';
import { RateLimiter, rateLimit } from './rate-limit';
import type { ReadinessCheck } from './readiness';
import { toHandler } from './route';
import { routes, type Services } from './routes';
import { temporalProblem } from './temporal-errors';

export interface AppDeps {
  readonly services: Services;
  readonly analytics: AnalyticsService;
  /** Who sent a bearer token (API keys, SSO). */
  readonly callers: Callers;
  /** RATE_LIMIT: requests a second per caller in this process. */
  readonly rateLimit: number;
  readonly readiness: () => Promise<ReadinessCheck>;
  /** The in-process worker's Prometheus text, when the worker runs in this process. */
  readonly workerMetrics?: () => Promise<string>;
  readonly onUnexpectedError: (error: unknown) => void;
}

/** The HTTP API of `CONTRACT.md`, built from its dependencies. */
export function createApp(deps: AppDeps): { app: Express; metrics: Registry } {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // No ETag hashed over every JSON answer: a deal's state is read fresh each time (the board's files keep theirs).
  app.set('etag', false);
  const httpMetrics = createHttpMetrics();
  app.use(httpMetrics.middleware);

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', (_request, response, next) => {
    deps
      .readiness()
      .then((check) => response.status(check.ready ? 200 : 503).json(check))
      .catch(next);
  });
  app.get('/metrics', (_request, response, next) => {
    Promise.all([httpMetrics.registry.metrics(), deps.workerMetrics?.().catch(() => '') ?? ''])
      .then(([http, worker]) => response.type(httpMetrics.registry.contentType).send(`${http}\n${worker}`))
      .catch(next);
  });
  const apiRoutes = [...routes(deps.services), ...boardRoutes(deps.analytics)];
  const document = openApiDocument(apiRoutes);
  app.get('/v1/openapi.json', (_request, response) => {
    response.json(document);
  });

  // The board's files never live under /v1: an API read does not wait for a file lookup first.
  const board = serveBoard();
  app.use((request, response, next) => (request.path.startsWith('/v1/') ? next() : board(request, response, next)));
  app.use('/v1', authenticate(deps.callers));
  app.use('/v1', rateLimit(new RateLimiter(deps.rateLimit), httpMetrics.rateLimited));
  app.use(express.json({ limit: '1mb', strict: false, type: ['application/json', 'application/*+json'] }));
  for (const route of apiRoutes) app[route.method](route.path, toHandler(route));
  app.use(routeNotFound);
  app.use(((error, _request, _response, next) => next(temporalProblem(error) ?? error)) as express.ErrorRequestHandler);
  app.use(problemHandler(deps.onUnexpectedError));
  return { app, metrics: httpMetrics.registry };
}
