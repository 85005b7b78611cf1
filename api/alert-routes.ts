import { endpointInputSchema, endpointPatchSchema, PERMISSIONS, personSchema, type Actor } from '../domain';
import type { AlertEndpointService } from './alert-endpoint-service';
import type { PeopleService } from './people-service';
import { defineRoute, type Route } from './route';
import { dealParams, deliveriesQuery, deliveryParams, endpointParams, personParams } from './schemas';

/** Admin and ops: those who publish SOPs set where their alerts go and who is who. */
const opsOnly =
  (what: string) =>
  (actor: Actor): string | null =>
    actor.role === 'system' || PERMISSIONS[actor.role].publishSops ? null : `A ${actor.role} may not ${what}.`;
/** Admin, ops and managers may read the people directory. */
const managersUp = (actor: Actor): string | null =>
  actor.role === 'system' || PERMISSIONS[actor.role].reassign ? null : `A ${actor.role} may not read the people directory.`;

const mayManageEndpoints = opsOnly('read or change alert endpoints');

/** Alert endpoints, their deliveries and the people directory (`CONTRACT.md` v2.3). */
// Each route has its own parameter types; the list holds them side by side.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function alertRoutes({ endpoints, people }: { endpoints: AlertEndpointService; people: PeopleService }): Route<any, any, any>[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/alert-endpoints',
      summary: 'Add an alert endpoint (admin, ops): 201 with its id and, for standard, its signing secret (shown only here)',
      tag: 'Alerts',
      allow: mayManageEndpoints,
      body: { schema: endpointInputSchema, name: 'AlertEndpoint' },
      responses: { 201: 'The endpoint, and `signingSecret` for standard', 403: 'Role may not manage endpoints', 422: 'Invalid endpoint' },
      handle: async ({ body }) => ({ status: 201, body: await endpoints.create(body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/alert-endpoints',
      summary: 'Every alert endpoint, the built-in `default` first when ALERT_WEBHOOK_URL is set (admin, ops); secrets never shown',
      tag: 'Alerts',
      allow: mayManageEndpoints,
      responses: { 200: '{ endpoints }', 403: 'Role may not read endpoints' },
      handle: async () => ({ status: 200, body: await endpoints.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/alert-endpoints/:id',
      summary: 'One alert endpoint (admin, ops); secrets never shown',
      tag: 'Alerts',
      allow: mayManageEndpoints,
      params: endpointParams,
      responses: { 200: 'The endpoint', 403: 'Role may not read endpoints', 404: '`unknown_endpoint`' },
      handle: async ({ params }) => ({ status: 200, body: await endpoints.get(params.id) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/alert-endpoints/:id',
      summary: 'Change an alert endpoint (admin, ops): any field; null clears a filter or a bot secret',
      tag: 'Alerts',
      allow: mayManageEndpoints,
      params: endpointParams,
      body: { schema: endpointPatchSchema, name: 'AlertEndpointPatch' },
      responses: {
        200: 'The endpoint (with `signingSecret` when it became standard)',
        403: 'Role may not change endpoints',
        404: '`unknown_endpoint`',
        409: '`builtin_endpoint`: `default` is set by the environment',
        422: 'Invalid change',
      },
      handle: async ({ params, body }) => ({ status: 200, body: await endpoints.patch(params.id, body) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/alert-endpoints/:id',
      summary: 'Remove an alert endpoint (admin, ops): its deliveries not yet done fail',
      tag: 'Alerts',
      allow: mayManageEndpoints,
      params: endpointParams,
      responses: { 204: 'Removed', 403: 'Role may not change endpoints', 404: '`unknown_endpoint`', 409: '`builtin_endpoint`' },
      handle: async ({ params }) => {
        await endpoints.delete(params.id);
        return { status: 204, body: undefined };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/alert-endpoints/:id/rotate-secret',
      summary: 'A new signing secret for a standard endpoint (admin, ops); for 24 h deliveries carry both signatures',
      tag: 'Alerts',
      allow: mayManageEndpoints,
      params: endpointParams,
      responses: {
        200: '{ id, signingSecret, previousSecretExpiresAt }',
        403: 'Role may not change endpoints',
        404: '`unknown_endpoint`',
        409: '`not_rotatable` (not standard) or `builtin_endpoint`',
      },
      handle: async ({ params }) => ({ status: 200, body: await endpoints.rotate(params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/alert-endpoints/:id/test',
      summary: 'Send a `ping` event to the endpoint, whatever its filters (admin, ops): 202',
      tag: 'Alerts',
      allow: mayManageEndpoints,
      params: endpointParams,
      responses: { 202: '{ deliveryId, state: "pending" }', 403: 'Role may not use endpoints', 404: '`unknown_endpoint`' },
      handle: async ({ params }) => ({ status: 202, body: await endpoints.test(params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/alert-endpoints/:id/deliveries',
      summary: "The endpoint's deliveries, newest first, each with every attempt { at, status, latencyMs, error } (admin, ops)",
      tag: 'Alerts',
      allow: mayManageEndpoints,
      params: endpointParams,
      query: deliveriesQuery,
      responses: { 200: '{ deliveries, nextPageToken }', 403: 'Role may not read endpoints', 404: '`unknown_endpoint`' },
      handle: async ({ params, query }) => ({ status: 200, body: await endpoints.deliveries(params.id, query) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/alert-endpoints/:id/deliveries/:deliveryId/redeliver',
      summary: 'Send a delivery again under the same id (admin, ops): 202',
      tag: 'Alerts',
      allow: mayManageEndpoints,
      params: deliveryParams,
      responses: {
        202: '{ deliveryId, state: "pending" }',
        403: 'Role may not use endpoints',
        404: '`unknown_endpoint` or `unknown_delivery`',
        409: '`delivery_pending`: still being delivered',
      },
      handle: async ({ params }) => ({ status: 202, body: await endpoints.redeliver(params.id, params.deliveryId) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/deals/:dealId/deliveries',
      summary: "Each of the deal's alerts as delivered to each alert endpoint, with every attempt (admin, ops)",
      tag: 'Alerts',
      allow: mayManageEndpoints,
      params: dealParams,
      responses: { 200: '{ endpoints: [{ endpointId, description, format, deliveries }] }', 403: 'Role may not read endpoints' },
      handle: async ({ params }) => ({ status: 200, body: await endpoints.ofDeal(params.dealId) }),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/people/:subject',
      summary: 'Add or replace a person in the people directory (admin, ops): 201 new, 200 replaced',
      tag: 'People',
      allow: opsOnly('change the people directory'),
      params: personParams,
      body: { schema: personSchema, name: 'Person' },
      responses: { 200: 'Replaced', 201: 'Added', 403: 'Role may not change the directory', 422: 'Invalid entry' },
      handle: async ({ params, body }) => {
        const { created, person } = await people.put(params.subject, body);
        return { status: created ? 201 : 200, body: person };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/people',
      summary: 'The people directory (admin, ops, manager)',
      tag: 'People',
      allow: managersUp,
      responses: { 200: '{ people: [{ subject, name, manager, email, wecom, feishu, dingtalk, slack }] }', 403: 'Role may not read it' },
      handle: async () => ({ status: 200, body: await people.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/people/:subject',
      summary: 'One person in the directory (admin, ops, manager)',
      tag: 'People',
      allow: managersUp,
      params: personParams,
      responses: { 200: 'The person', 403: 'Role may not read it', 404: 'Not in the directory' },
      handle: async ({ params }) => ({ status: 200, body: await people.get(params.subject) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/people/:subject',
      summary: 'Remove a person from the directory (admin, ops)',
      tag: 'People',
      allow: opsOnly('change the people directory'),
      params: personParams,
      responses: { 204: 'Removed', 403: 'Role may not change the directory', 404: 'Not in the directory' },
      handle: async ({ params }) => {
        await people.delete(params.subject);
        return { status: 204, body: undefined };
      },
    }),
  ];
}
