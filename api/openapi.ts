import { z } from 'zod';
import type { Route } from './route';
import { dealListQuery, deliveriesQuery, namedSchemas } from './schemas';

type JsonSchema = Record<string, unknown>;

/** The named schemas as OpenAPI components; recursive rules become `$ref`s to `Rule`. */
function components(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(namedSchemas)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input', unrepresentable: 'any' });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema as JsonSchema;
      return [id, rest];
    }),
  );
}

function inline(schema: z.ZodType): JsonSchema {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parametersOf(route: Route): JsonSchema[] {
  const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
  const pathParams = route.params ? (inline(route.params).properties as Record<string, JsonSchema>) : {};
  const documented = route.query === dealListQuery || route.query === deliveriesQuery;
  const queryParams = documented && route.query ? (inline(route.query).properties as Record<string, JsonSchema>) : {};
  return [
    ...names.map((name) => ({ name, in: 'path', required: true, schema: pathParams[name] ?? { type: 'string' } })),
    ...Object.entries(queryParams).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ...(route.idempotent
      ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 } }]
      : []),
  ];
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** OpenAPI 3.1, generated from the same route objects and zod schemas that validate requests. */
export function openApiDocument(routes: readonly Route[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(route.responses)) {
      responses[status] =
        Number(status) === 204
          ? { description }
          : Number(status) < 400
            ? { description, content: { 'application/json': { schema: { type: 'object' } } } }
            : problemResponse(description);
    }
    Object.assign(responses, {
      400: problemResponse('Malformed JSON, or a request that is not valid HTTP'),
      401: problemResponse('Missing or unknown API key, or an SSO token that does not verify (the detail says why)'),
      ...(responses[403] ? {} : { 403: problemResponse('An SSO token whose role claim names no known role') }),
      413: problemResponse('Body over 1 MiB'),
      431: { $ref: '#/components/responses/HeadersTooLarge' },
      ...(responses[422] ? {} : { 422: problemResponse('Invalid request') }),
      429: problemResponse(
        '`rate_limited`: this caller sent more than RATE_LIMIT requests a second (bursts to twice that); `Retry-After` says when to try again',
      ),
      503: problemResponse(
        path.includes('{dealId}')
          ? 'Temporal unreachable or too slow; or `deal_unavailable`: this deal cannot answer because its workflow task keeps failing (the detail names the error)'
          : 'Temporal unreachable or too slow',
      ),
    });
    paths[path] = {
      ...paths[path],
      [route.method]: {
        summary: route.summary,
        tags: [route.tag],
        operationId: `${route.method}${path
          .replace(/[{}]/g, '')
          .replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())
          .replace(/[^A-Za-z0-9]/g, '')}`,
        parameters: parametersOf(route),
        ...(route.body && {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: route.body.name ? { $ref: `#/components/schemas/${route.body.name}` } : inline(route.body.schema),
              },
            },
          },
        }),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Sales SOP orchestrator', version: '1.0.0', description: 'Deals walking sales SOPs on Temporal; see CONTRACT.md.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: components(),
      responses: {
        // Answered by the HTTP server itself (api/http-server.ts) before any route: possible on every operation.
        HeadersTooLarge: problemResponse('Request line and headers over 16 KB (a URL or a header too long)'),
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key, or (with AUTH_JWKS_URL set) a JWT from the identity provider' },
      },
    },
  };
}
