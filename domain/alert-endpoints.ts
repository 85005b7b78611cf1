import { z } from 'zod';
import { tierSchema } from './deal-schema';
import { ALERT_TYPES, type AlertPayload, type AlertType, type Instant } from './deal-state';
import { SOP_ID } from './sop-schema';

/** Destination formats an alert endpoint may have (`CONTRACT.md` v2.3). */
export const FORMATS = ['standard', 'wecom', 'feishu', 'dingtalk', 'slack', 'teams', 'pagerduty'] as const;
export type FormatName = (typeof FORMATS)[number];

/** The built-in endpoint: `ALERT_WEBHOOK_URL`, format `standard`, every event. */
export const DEFAULT_ENDPOINT_ID = 'default';
/** How long a rotated-out `standard` secret still signs (`POST …/rotate-secret`). */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
const SIGNED_CHATS: readonly FormatName[] = ['feishu', 'dingtalk'];

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .max(2000)
  .refine((url) => !/^https?:\/\/[^/]*@/.test(url), 'credentials in the URL are not accepted; use secret or routingKey');

const fields = {
  url: httpUrl,
  format: z.enum(FORMATS, { error: `expected one of ${FORMATS.join(' ')}` }),
  description: z.string().max(500),
  events: z
    .array(z.enum(ALERT_TYPES, { error: `expected an event type: ${ALERT_TYPES.join(' ')}` }))
    .min(1)
    .max(ALERT_TYPES.length),
  sopIds: z.array(z.string().regex(SOP_ID, 'expected an SOP id')).min(1).max(100),
  tiers: z.array(tierSchema).min(1).max(3),
  secret: z.string().min(1).max(500),
  routingKey: z.string().min(1).max(500),
  enabled: z.boolean(),
};

/** `POST /v1/alert-endpoints`. */
export const endpointInputSchema = z.strictObject({
  url: fields.url,
  format: fields.format.default('standard'),
  description: fields.description.default(''),
  events: fields.events.optional(),
  sopIds: fields.sopIds.optional(),
  tiers: fields.tiers.optional(),
  secret: fields.secret.optional(),
  routingKey: fields.routingKey.optional(),
  enabled: fields.enabled.default(true),
});
export type EndpointInput = z.infer<typeof endpointInputSchema>;

/** `PATCH /v1/alert-endpoints/:id`: any field; `null` clears a filter or the bot's secret. */
export const endpointPatchSchema = z.strictObject({
  url: fields.url.optional(),
  format: fields.format.optional(),
  description: fields.description.optional(),
  events: fields.events.nullable().optional(),
  sopIds: fields.sopIds.nullable().optional(),
  tiers: fields.tiers.nullable().optional(),
  secret: fields.secret.nullable().optional(),
  routingKey: fields.routingKey.optional(),
  enabled: fields.enabled.optional(),
});
export type EndpointPatch = z.infer<typeof endpointPatchSchema>;

/** An alert endpoint as the registry keeps it, secrets included: never answered as it is (`endpointView`). */
export interface AlertEndpoint {
  readonly id: string;
  readonly url: string;
  readonly format: FormatName;
  readonly description: string;
  /** null: every event type. */
  readonly events: readonly AlertType[] | null;
  readonly sopIds: readonly string[] | null;
  readonly tiers: readonly string[] | null;
  readonly enabled: boolean;
  /** `standard`: the generated signing secret; `feishu` / `dingtalk`: the bot's secret, if it has one. */
  readonly secret: string | null;
  /** The secret before the last rotation, still signing until `previousUntil`. */
  readonly previousSecret: string | null;
  readonly previousUntil: Instant | null;
  readonly routingKey: string | null;
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
}

export interface EndpointProblem {
  readonly path: string;
  readonly message: string;
}

/** The rules across fields: what each format needs and what it does not take (`given`: what the request named). */
export function endpointProblems(
  endpoint: Pick<AlertEndpoint, 'format' | 'secret' | 'routingKey'>,
  given: { readonly secret: boolean; readonly routingKey: boolean },
): EndpointProblem[] {
  const list: EndpointProblem[] = [];
  if (endpoint.format === 'pagerduty' && !endpoint.routingKey) {
    list.push({
      path: 'routingKey',
      message: 'a pagerduty endpoint needs routingKey: the integration key of its Events API v2 integration',
    });
  }
  if (endpoint.format !== 'pagerduty' && (endpoint.routingKey || given.routingKey)) {
    list.push({ path: 'routingKey', message: `routingKey is for pagerduty endpoints; this one is ${endpoint.format}` });
  }
  if (given.secret && !SIGNED_CHATS.includes(endpoint.format)) {
    list.push({
      path: 'secret',
      message:
        endpoint.format === 'standard'
          ? 'a standard endpoint gets a generated signing secret; rotate it with POST /v1/alert-endpoints/:id/rotate-secret'
          : `secret is the signing secret of a feishu or dingtalk bot; a ${endpoint.format} endpoint takes none`,
    });
  }
  return list;
}

/** A new endpoint from its input; `signingSecret` is the generated one for `standard`. */
export function newEndpoint(id: string, input: EndpointInput, signingSecret: string, now: Instant): AlertEndpoint {
  return {
    id,
    url: input.url,
    format: input.format,
    description: input.description,
    events: input.events ?? null,
    sopIds: input.sopIds ?? null,
    tiers: input.tiers ?? null,
    enabled: input.enabled,
    secret: input.format === 'standard' ? signingSecret : (input.secret ?? null),
    previousSecret: null,
    previousUntil: null,
    routingKey: input.routingKey ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * An endpoint changed by a patch. A format that becomes `standard` gets `signingSecret`; one that
 * stops being `standard` or a signed chat drops its secret.
 */
export function patchedEndpoint(endpoint: AlertEndpoint, patch: EndpointPatch, signingSecret: string, now: Instant): AlertEndpoint {
  const format = patch.format ?? endpoint.format;
  const secret = secretAfter(endpoint, format, patch.secret, signingSecret);
  const keepsRotation = format === 'standard' && endpoint.format === 'standard';
  return {
    ...endpoint,
    url: patch.url ?? endpoint.url,
    format,
    description: patch.description ?? endpoint.description,
    events: patch.events === undefined ? endpoint.events : patch.events,
    sopIds: patch.sopIds === undefined ? endpoint.sopIds : patch.sopIds,
    tiers: patch.tiers === undefined ? endpoint.tiers : patch.tiers,
    enabled: patch.enabled ?? endpoint.enabled,
    secret,
    previousSecret: keepsRotation ? endpoint.previousSecret : null,
    previousUntil: keepsRotation ? endpoint.previousUntil : null,
    routingKey: format === 'pagerduty' ? (patch.routingKey ?? endpoint.routingKey) : null,
    updatedAt: now,
  };
}

/**
 * The secret an endpoint has once its format is `format`: a standard endpoint keeps its signing
 * secret (or gets `signingSecret` on becoming standard); a signed chat takes the patch's secret, or
 * keeps the one it had as a signed chat; any other format has none.
 */
function secretAfter(
  endpoint: AlertEndpoint,
  format: FormatName,
  patched: string | null | undefined,
  signingSecret: string,
): string | null {
  if (format === 'standard') return endpoint.format === 'standard' ? endpoint.secret : signingSecret;
  if (!SIGNED_CHATS.includes(format)) return null;
  if (patched !== undefined) return patched;
  return SIGNED_CHATS.includes(endpoint.format) ? endpoint.secret : null;
}

/** The endpoint after `rotate-secret`: the new secret signs, the old one too until 24 h from now. */
export function rotatedEndpoint(endpoint: AlertEndpoint, signingSecret: string, now: Instant): AlertEndpoint {
  return {
    ...endpoint,
    secret: signingSecret,
    previousSecret: endpoint.secret,
    previousUntil: new Date(Date.parse(now) + ROTATION_OVERLAP_MS).toISOString(),
    updatedAt: now,
  };
}

/** The secrets that sign a delivery at `now`: the current one, then the previous one during its overlap. */
export function signingSecrets(endpoint: AlertEndpoint, now: Instant): string[] {
  const secrets = endpoint.secret ? [endpoint.secret] : [];
  if (endpoint.previousSecret && endpoint.previousUntil && now < endpoint.previousUntil) secrets.push(endpoint.previousSecret);
  return secrets;
}

/** Whether an alert goes to this endpoint: enabled, and every filter it has matches. */
export function endpointMatches(endpoint: AlertEndpoint, alert: AlertPayload): boolean {
  return (
    endpoint.enabled &&
    (endpoint.events === null || endpoint.events.includes(alert.type)) &&
    (endpoint.sopIds === null || endpoint.sopIds.includes(alert.deal.sop.id)) &&
    (endpoint.tiers === null || endpoint.tiers.includes(alert.deal.customer.tier))
  );
}

/** The endpoint as the API answers it: no secret, no routing key, only whether they are set. */
export interface EndpointView {
  readonly id: string;
  readonly url: string;
  readonly format: FormatName;
  readonly description: string;
  readonly events: readonly AlertType[] | null;
  readonly sopIds: readonly string[] | null;
  readonly tiers: readonly string[] | null;
  readonly enabled: boolean;
  readonly secretSet: boolean;
  readonly routingKeySet: boolean;
  /** Until when the previous `standard` secret still signs; null outside a rotation. */
  readonly previousSecretExpiresAt: Instant | null;
  readonly builtIn: boolean;
  readonly createdAt: Instant | null;
  readonly updatedAt: Instant | null;
}

export function endpointView(endpoint: AlertEndpoint, now: Instant): EndpointView {
  const rotating = endpoint.previousUntil !== null && now < endpoint.previousUntil;
  return {
    id: endpoint.id,
    url: endpoint.url,
    format: endpoint.format,
    description: endpoint.description,
    events: endpoint.events,
    sopIds: endpoint.sopIds,
    tiers: endpoint.tiers,
    enabled: endpoint.enabled,
    secretSet: endpoint.secret !== null,
    routingKeySet: endpoint.routingKey !== null,
    previousSecretExpiresAt: rotating ? endpoint.previousUntil : null,
    builtIn: endpoint.id === DEFAULT_ENDPOINT_ID,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}
