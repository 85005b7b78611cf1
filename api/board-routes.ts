import type { z } from 'zod';
import type { AnalyticsService } from './analytics-service';
import { defineRoute, type Route } from './route';
import { paceQuery, periodQuery, sopParams } from './schemas';

/** What the pipeline board reads besides deals: who is signed in, and an SOP's analytics. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function boardRoutes(analytics: AnalyticsService): Route<any, any, any>[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/me',
      summary: 'The caller: subject and role of the API key',
      tag: 'Board',
      responses: { 200: '{ subject, role }' },
      handle: async ({ actor }) => ({ status: 200, body: { subject: actor.subject, role: actor.role } }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sops/:id/analytics',
      summary:
        'Per stage: p50 / p90 time in stage (wall and working), SLA warning and breach rates, escalations; win rate; revisions against outcome; where deals stall',
      tag: 'Analytics',
      params: sopParams,
      query: periodQuery,
      responses: {
        200: 'The SOP analytics; with from / to, of the whole weeks (Monday UTC) they fall in',
        403: 'A rep sees its own deals only',
        404: 'Not published',
        422: 'from after to, or not an ISO instant',
      },
      handle: async ({ params, query, actor }) => ({
        status: 200,
        body: await analytics.report(params.id, actor, query as z.infer<typeof periodQuery>),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sops/:id/analytics/pace',
      summary: "Each open deal's time in its stage against the p50 of the stage's completed visits (from visibility, may lag)",
      tag: 'Analytics',
      params: sopParams,
      query: paceQuery,
      responses: { 200: '{ deals: [{ dealId, owner, stage, timeInStageMs, peerP50Ms, pace }], nextPageToken }', 404: 'Not published' },
      handle: async ({ params, query, actor }) => ({
        status: 200,
        body: await analytics.pace(params.id, query as z.infer<typeof paceQuery>, actor),
      }),
    }),
  ];
}
