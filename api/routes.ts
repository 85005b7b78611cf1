import type { Request } from 'express';
import { actionSchema, checkSop, openDealSchema, PERMISSIONS, sopSchema, type Actor } from '../domain';
import { alertRoutes } from './alert-routes';
import type { AlertEndpointService } from './alert-endpoint-service';
import type { DealService } from './deal-service';
import type { PeopleService } from './people-service';
import { bodyHash, type Idempotency } from './idempotency';
import { problems } from './problem';
import { defineRoute, type Route } from './route';
import type { MigrationService } from './migration-service';
import type { RiskService } from './risk-service';
import type { SimulationService } from './simulation-service';
import {
  dealListQuery,
  alertParams,
  dealParams,
  idempotencyKeyHeader,
  migrationBody,
  migrationParams,
  checkSimulationBody,
  riskListQuery,
  simulationBody,
  sopParams,
  sopVersionParams,
  timelineQuery,
} from './schemas';
import { sopProblem, SopRejectedError, type SopService } from './sop-service';

export interface Services {
  readonly people: PeopleService;
  readonly endpoints: AlertEndpointService;
  readonly deals: DealService;
  readonly sops: SopService;
  readonly migrations: MigrationService;
  readonly simulations: SimulationService;
  readonly risks: RiskService;
}

/** `Idempotency-Key`, scoped to the caller by the services; 422 when it is not 1–255 characters. */
function idempotencyOf(request: Request): Idempotency | undefined {
  const key = request.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!idempotencyKeyHeader.safeParse(key).success) {
    throw problems.validation([{ path: 'headers.idempotency-key', message: 'an Idempotency-Key is 1 to 255 characters' }]);
  }
  return { key, bodyHash: bodyHash({ path: request.path, body: request.body }) };
}

/** A route's `allow`: refuses every role whose row of `PERMISSIONS` lacks the permission. */
function rolesWith(permission: 'publishSops' | 'createDeals' | 'act' | 'reassign', refusal: string): (actor: Actor) => string | null {
  return (actor) => (actor.role === 'system' || PERMISSIONS[actor.role][permission] ? null : `A ${actor.role} may not ${refusal}.`);
}

const mayPublish = rolesWith('publishSops', 'publish SOPs');
const mayMigrate = rolesWith('publishSops', 'migrate deals to another SOP version');
const mayRedeliver = rolesWith('publishSops', 'send alerts again');
// Those who may reassign deals (admin, ops, manager) may follow a migration.
const mayFollowMigrations = rolesWith('reassign', 'read migrations');
// And run what-ifs.
const maySimulate = rolesWith('reassign', 'run what-if simulations');

/** Every route of the API, in the order of `CONTRACT.md`. */
// Each route has its own parameter types; the list holds them side by side.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function routes(services: Services): Route<any, any, any>[] {
  const { deals, sops, migrations, simulations, risks } = services;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/sops',
      summary: 'Publish an SOP version (admin, ops): 201 new, 200 the same content again, 409 other content',
      tag: 'SOPs',
      allow: mayPublish,
      body: {
        schema: sopSchema,
        name: 'Sop',
        check: (body) => {
          const checked = checkSop(body);
          return checked.ok ? checked.sop : [...checked.problems];
        },
      },
      responses: {
        200: 'Already published with this content',
        201: 'Published',
        403: 'Role may not publish SOPs',
        409: 'Same id and version, other content',
        422: 'Schema or lint problems',
      },
      handle: async ({ body, actor }) => {
        const refusal = mayPublish(actor);
        if (refusal !== null) throw problems.forbidden(refusal);
        try {
          const result = await sops.publish(body);
          return { status: result.created ? 201 : 200, body: { id: result.id, version: result.version } };
        } catch (error) {
          throw error instanceof SopRejectedError ? sopProblem(error) : error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sops',
      summary: 'The latest version of each SOP',
      tag: 'SOPs',
      responses: { 200: 'SOPs' },
      handle: async () => ({ status: 200, body: { sops: await sops.list() } }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sops/:id',
      summary: 'The latest version of an SOP',
      tag: 'SOPs',
      params: sopParams,
      responses: { 200: 'The SOP', 404: 'Not published' },
      handle: async ({ params }) => {
        const sop = await sops.get(params.id);
        if (!sop) throw problems.notFound(`No SOP "${params.id}" is published.`);
        return { status: 200, body: sop };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sops/:id/versions',
      summary: 'The published versions of an SOP, ascending',
      tag: 'SOPs',
      params: sopParams,
      responses: { 200: '{ versions: [1, 2, …] }', 404: 'Not published' },
      handle: async ({ params }) => {
        const versions = await sops.versions(params.id);
        if (versions.length === 0) throw problems.notFound(`No SOP "${params.id}" is published.`);
        return { status: 200, body: { versions } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sops/:id/versions/:version',
      summary: 'One version of an SOP',
      tag: 'SOPs',
      params: sopVersionParams,
      responses: { 200: 'The SOP version', 404: 'Not published' },
      handle: async ({ params }) => {
        const sop = await sops.get(params.id, params.version);
        if (!sop) throw problems.notFound(`No SOP "${params.id}" version ${params.version} is published.`);
        return { status: 200, body: sop };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/sops/:id/migrations',
      summary: 'Move open deals of older versions to a newer one (admin, ops): 200 the dry run, 202 a migration started',
      tag: 'Migrations',
      allow: mayMigrate,
      params: sopParams,
      body: { schema: migrationBody, name: 'Migration' },
      responses: {
        200: '{ toVersion, counts, deals }: the dry run',
        202: '{ migrationId, status }, Location: /v1/migrations/:migrationId',
        403: 'Role may not migrate',
        404: 'SOP not published',
        409: 'migration_running: the same request is running',
        422: 'Unknown version, stage or a fromVersion not below toVersion',
      },
      handle: async ({ params, body, actor, request }) => {
        if (body.dryRun) return { status: 200, body: await migrations.dryRun(params.id, body, actor) };
        const started = await migrations.start(params.id, body, actor);
        request.res?.location(`/v1/migrations/${started.migrationId}`);
        return { status: 202, body: started };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/migrations/:migrationId',
      summary: 'A migration: its status, counts and each deal’s outcome (admin, ops, manager)',
      tag: 'Migrations',
      allow: mayFollowMigrations,
      params: migrationParams,
      responses: { 200: 'The migration', 403: 'Role may not read migrations', 404: 'unknown_migration' },
      handle: async ({ params }) => ({ status: 200, body: await migrations.status(params.migrationId) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/migrations/:migrationId/cancel',
      summary: 'Stop a migration (admin, ops): migrated deals stay migrated, pending ones are left alone',
      tag: 'Migrations',
      allow: mayMigrate,
      params: migrationParams,
      responses: { 200: 'The migration as it stands', 403: 'Role may not migrate', 404: 'unknown_migration' },
      handle: async ({ params }) => ({ status: 200, body: await migrations.cancel(params.migrationId) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/sops/:id/simulations',
      summary: "What-if (admin, ops, manager): replay the SOP's recorded deals under their own versions and under a draft",
      tag: 'SOPs',
      allow: maySimulate,
      params: sopParams,
      body: { schema: simulationBody, name: 'Simulation', check: checkSimulationBody },
      responses: {
        200: '{ sopId, deals, consistency, baseline, proposed, stages, perDeal, unread, took }',
        403: 'Role may not run what-ifs',
        404: 'SOP not published',
        422: 'The draft does not lint, has another id, or the deal selection is invalid',
      },
      handle: async ({ params, body, actor }) => ({ status: 200, body: await simulations.simulate(params.id, body, actor) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/deals',
      summary: 'Open a deal on a published SOP',
      tag: 'Deals',
      allow: rolesWith('createDeals', 'create deals'),
      body: { schema: openDealSchema, name: 'OpenDeal' },
      idempotent: true,
      responses: { 201: 'The deal', 403: 'Role may not create this deal', 409: 'dealId in use', 422: 'Invalid, or unknown SOP' },
      handle: async ({ body, actor, request }) => ({ status: 201, body: await deals.open(body, actor, idempotencyOf(request)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/deals',
      summary: 'Deals from visibility (may lag a write by a moment), filtered and paged',
      tag: 'Deals',
      query: dealListQuery,
      responses: { 200: '{ deals, nextPageToken }' },
      handle: async ({ query, actor }) => ({ status: 200, body: await deals.list(query, actor) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/deals/:dealId',
      summary: 'One deal, read from its workflow (never stale)',
      tag: 'Deals',
      params: dealParams,
      responses: { 200: 'The deal', 404: 'No deal the caller may read' },
      handle: async ({ params, actor }) => ({ status: 200, body: await deals.get(params.dealId, actor) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/deals/:dealId/timeline',
      summary: "The deal's events, oldest first: all of them, or a page of `pageSize` from `pageToken`",
      tag: 'Deals',
      params: dealParams,
      query: timelineQuery,
      responses: { 200: '{ events } or, paged, { events, nextPageToken }', 404: 'No deal the caller may read' },
      handle: async ({ params, query, actor }) => ({ status: 200, body: await deals.timeline(params.dealId, actor, query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/risks',
      summary:
        'The weekly risk review: risks of the open deals the caller may read, with owner and what is due next, the most overdue first',
      tag: 'Deals',
      query: riskListQuery,
      responses: { 200: '{ risks: [{ dealId, riskId, summary, owner, nextTask, nextDueAt, overdueMs, … }], truncated }' },
      handle: async ({ query, actor }) => ({ status: 200, body: await risks.review(query, actor) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/deals/:dealId/explain',
      summary: 'Why: every pending deadline derived day by day on the deal’s calendar, and every alert fired with its rule',
      tag: 'Deals',
      params: dealParams,
      responses: { 200: '{ dealId, deadlines, alerts }', 404: 'No deal the caller may read' },
      handle: async ({ params, actor }) => ({ status: 200, body: await deals.explain(params.dealId, actor) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/deals/:dealId/actions',
      summary: 'Act on a deal: 200 { accepted, deal } or a problem with its code',
      tag: 'Deals',
      allow: rolesWith('act', 'act on deals'),
      params: dealParams,
      body: { schema: actionSchema, name: 'Action' },
      idempotent: true,
      responses: {
        200: '{ accepted: true, deal }',
        403: 'Role may not do this',
        404: 'No deal the caller may read',
        409: 'Conflict with the deal state',
        422: 'Invalid action',
      },
      handle: async ({ params, body, actor, request }) => ({
        status: 200,
        body: await deals.act(params.dealId, body, actor, idempotencyOf(request)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/deals/:dealId/alerts/:alertId/redeliver',
      summary: 'Send a failed or skipped alert again under its own webhook-id (admin, ops): 202',
      tag: 'Deals',
      allow: mayRedeliver,
      params: alertParams,
      responses: {
        202: '{ alertId, delivery: "pending" }',
        403: 'Role may not send alerts again',
        404: 'No such deal, or unknown_alert',
        409: 'delivery_pending, already_delivered, or deal_closed',
      },
      handle: async ({ params, actor }) => ({ status: 202, body: await deals.redeliver(params.dealId, params.alertId, actor) }),
    }),
    ...alertRoutes(services),
  ];
}
