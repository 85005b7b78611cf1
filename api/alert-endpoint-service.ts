import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, ApplicationFailure, type Client } from '@temporalio/client';
import { enqueueDelivery } from '../activities';
import {
  DEFAULT_ENDPOINT_ID,
  endpointProblems,
  endpointView,
  newEndpoint,
  patchedEndpoint,
  pingPayload,
  rotatedEndpoint,
  type AlertEndpoint,
  type DeliveryPage,
  type DeliveryRecord,
  type DeliveryState,
  type EndpointInput,
  type EndpointPatch,
  type EndpointView,
} from '../domain';
import {
  deliveriesQuery,
  DELIVERY_REFUSED_FAILURE,
  redeliverDeliveryUpdate,
  retireSignal,
  type AlertIds,
} from '../workflows/alert-messages';
import type { KeyedRegistryClient } from './keyed-registry-client';
import { ProblemError, problems } from './problem';
import { withinDeadline } from './temporal-connection';
import { resendingLostUpdates } from './temporal-errors';

/** A new Standard Webhooks secret: `whsec_` and base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const unknownEndpoint = (id: string) => new ProblemError(404, 'Not Found', `There is no alert endpoint "${id}".`, 'unknown_endpoint');
const builtIn = () =>
  new ProblemError(
    409,
    'Conflict',
    'The built-in endpoint "default" is ALERT_WEBHOOK_URL / ALERT_WEBHOOK_SECRET: change it in the environment; its deliveries are on each deal (GET /v1/deals/:dealId).',
    'builtin_endpoint',
  );

export interface AlertEndpointServiceDeps {
  readonly client: Client;
  readonly taskQueue: string;
  readonly registry: KeyedRegistryClient<AlertEndpoint>;
  readonly ids: AlertIds;
  /** ALERT_WEBHOOK_URL, listed as the built-in endpoint `default`; null when unset. */
  readonly defaultUrl: string | null;
  /** How long a delivery is retried (`ALERT_RETRY_WINDOW`), for endpoints whose deliveries start here (a ping). */
  readonly retryForMs: number;
  readonly now?: () => string;
  readonly timeoutMs?: number;
}

/** Alert endpoints (`CONTRACT.md` v2.3): kept in their registry workflow, each with its deliveries workflow. */
export class AlertEndpointService {
  private readonly now: () => string;

  constructor(private readonly deps: AlertEndpointServiceDeps) {
    this.now = deps.now ?? (() => new Date().toISOString());
  }

  async create(input: EndpointInput): Promise<EndpointView & { signingSecret?: string }> {
    const secret = generateSigningSecret();
    const endpoint = newEndpoint(`ep_${randomUUID().replace(/-/g, '').slice(0, 20)}`, input, secret, this.now());
    const found = endpointProblems(endpoint, { secret: input.secret !== undefined, routingKey: input.routingKey !== undefined });
    if (found.length > 0) throw problems.validation(found);
    await this.deps.registry.put(endpoint.id, endpoint);
    return { ...endpointView(endpoint, this.now()), ...(endpoint.format === 'standard' && { signingSecret: secret }) };
  }

  async list(): Promise<{ endpoints: EndpointView[] }> {
    const all = Object.values(await this.deps.registry.list()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return { endpoints: [...this.builtIn(), ...all.map((endpoint) => endpointView(endpoint, this.now()))] };
  }

  async get(id: string): Promise<EndpointView> {
    if (id === DEFAULT_ENDPOINT_ID && this.deps.defaultUrl) return this.builtIn()[0];
    return endpointView(await this.stored(id), this.now());
  }

  async patch(id: string, patch: EndpointPatch): Promise<EndpointView & { signingSecret?: string }> {
    const endpoint = await this.stored(id);
    const secret = generateSigningSecret();
    const changed = patchedEndpoint(endpoint, patch, secret, this.now());
    const found = endpointProblems(changed, {
      secret: patch.secret !== undefined && patch.secret !== null,
      routingKey: patch.routingKey !== undefined,
    });
    if (found.length > 0) throw problems.validation(found);
    await this.deps.registry.put(id, changed);
    const becameStandard = changed.format === 'standard' && endpoint.format !== 'standard';
    return { ...endpointView(changed, this.now()), ...(becameStandard && { signingSecret: secret }) };
  }

  async delete(id: string): Promise<void> {
    await this.stored(id);
    await this.deps.registry.delete(id);
    await this.bounded(() => this.deps.client.workflow.getHandle(this.deps.ids.deliveries(id)).signal(retireSignal)).catch(
      (error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      },
    );
  }

  /** A new signing secret; the old one signs too for 24 h. */
  async rotate(id: string): Promise<{ id: string; signingSecret: string; previousSecretExpiresAt: string }> {
    const endpoint = await this.stored(id);
    if (endpoint.format !== 'standard') {
      throw new ProblemError(
        409,
        'Conflict',
        `Only standard endpoints have a signing secret to rotate; a ${endpoint.format} bot's secret is set with PATCH { secret }.`,
        'not_rotatable',
      );
    }
    const secret = generateSigningSecret();
    const rotated = rotatedEndpoint(endpoint, secret, this.now());
    await this.deps.registry.put(id, rotated);
    return { id, signingSecret: secret, previousSecretExpiresAt: rotated.previousUntil as string };
  }

  /** Sends a `ping` to the endpoint, whatever its filters. */
  async test(id: string): Promise<{ deliveryId: string; state: DeliveryState }> {
    const endpoint = await this.stored(id);
    const deliveryId = `ping_${randomUUID().replace(/-/g, '')}`;
    const ping = pingPayload(deliveryId, this.now(), { id, description: endpoint.description });
    await this.bounded(() =>
      enqueueDelivery(
        { client: this.deps.client, ids: this.deps.ids, retryForMs: this.deps.retryForMs },
        endpoint,
        deliveryId,
        { kind: 'ping', ping },
        this.deps.taskQueue,
      ),
    );
    return { deliveryId, state: 'pending' };
  }

  async deliveries(id: string, query: { state?: DeliveryState; pageSize: number; pageToken?: string }): Promise<DeliveryPage> {
    await this.stored(id);
    return this.page(id, query);
  }

  async redeliver(id: string, deliveryId: string): Promise<{ deliveryId: string; state: DeliveryState }> {
    await this.stored(id);
    try {
      return await this.bounded(() =>
        resendingLostUpdates(() =>
          this.deps.client.workflow.getHandle(this.deps.ids.deliveries(id)).executeUpdate(redeliverDeliveryUpdate, { args: [deliveryId] }),
        ),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError)
        throw new ProblemError(404, 'Not Found', `Endpoint ${id} has no delivery "${deliveryId}".`, 'unknown_delivery');
      const cause = error instanceof WorkflowUpdateFailedError ? error.cause : null;
      if (cause instanceof ApplicationFailure && cause.type === DELIVERY_REFUSED_FAILURE) {
        const { code, message } = cause.details?.[0] as { code: string; message: string };
        throw new ProblemError(
          code === 'delivery_pending' ? 409 : 404,
          code === 'delivery_pending' ? 'Conflict' : 'Not Found',
          message,
          code,
        );
      }
      throw error;
    }
  }

  /** Every delivery of one deal's alerts, per endpoint (the board's deal detail). */
  async ofDeal(
    dealId: string,
  ): Promise<{ endpoints: Array<{ endpointId: string; description: string; format: string; deliveries: DeliveryRecord[] }> }> {
    const all = Object.values(await this.deps.registry.list());
    const pages = await Promise.all(all.map((endpoint) => this.page(endpoint.id, { dealId, pageSize: 1_000 })));
    return {
      endpoints: all
        .map((endpoint, i) => ({
          endpointId: endpoint.id,
          description: endpoint.description,
          format: endpoint.format,
          deliveries: pages[i].deliveries,
        }))
        .filter((entry) => entry.deliveries.length > 0),
    };
  }

  private async page(
    id: string,
    query: { state?: DeliveryState; dealId?: string; pageSize: number; pageToken?: string },
  ): Promise<DeliveryPage> {
    return this.bounded(() => this.deps.client.workflow.getHandle(this.deps.ids.deliveries(id)).query(deliveriesQuery, query)).catch(
      (error: unknown) => {
        // No delivery yet: the endpoint's workflow starts with its first.
        if (error instanceof WorkflowNotFoundError) return { deliveries: [], nextPageToken: null };
        throw error;
      },
    );
  }

  private async stored(id: string): Promise<AlertEndpoint> {
    if (id === DEFAULT_ENDPOINT_ID && this.deps.defaultUrl) throw builtIn();
    const endpoint = await this.deps.registry.get(id);
    if (!endpoint) throw unknownEndpoint(id);
    return endpoint;
  }

  private builtIn(): EndpointView[] {
    if (!this.deps.defaultUrl) return [];
    return [
      {
        id: DEFAULT_ENDPOINT_ID,
        url: this.deps.defaultUrl,
        format: 'standard',
        description: 'ALERT_WEBHOOK_URL',
        events: null,
        sopIds: null,
        tiers: null,
        enabled: true,
        secretSet: true,
        routingKeySet: false,
        previousSecretExpiresAt: null,
        builtIn: true,
        createdAt: null,
        updatedAt: null,
      },
    ];
  }

  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return withinDeadline(this.deps.client, this.deps.timeoutMs ?? 10_000, call);
  }
}
