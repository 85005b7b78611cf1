import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** HTTP request counts and latencies by route and status, in a registry of this app's own. */
export function createHttpMetrics(): { registry: Registry; middleware: RequestHandler; rateLimited: (role: string) => void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const limited = new Counter({
    name: 'http_rate_limited_total',
    help: "Requests refused with 429 because their caller went over RATE_LIMIT, by the caller's role",
    labelNames: ['role'],
    registers: [registry],
  });
  const middleware: RequestHandler = (request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      // The route pattern, not the URL, so dealIds do not explode the label space.
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const labels = { method: request.method, route, status: String(response.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { registry, middleware, rateLimited: (role) => limited.inc({ role }) };
}
