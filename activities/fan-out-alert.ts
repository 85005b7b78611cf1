import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { addressed, DEFAULT_ENDPOINT_ID, endpointMatches, type AlertEndpoint, type AlertPayload, type Notice } from '../domain';
import { deliverSignal, ENDPOINT_DELIVERIES_WORKFLOW, resolveIncidentsSignal, type AlertIds } from '../workflows/alert-messages';
import type { EndpointDeliveriesInput } from '../workflows/endpoint-deliveries';
import type { AlertSettings } from './alert-settings';
import { rateWindows } from './formats';

export interface FanOutDeps {
  readonly client: Client;
  readonly settings: AlertSettings;
  /** How long each endpoint retries a delivery before it fails (`ALERT_RETRY_WINDOW`, default 25 h). */
  readonly retryForMs: number;
}

/** Hands `notice` to an endpoint's deliveries workflow, starting it on its first delivery. */
export async function enqueueDelivery(
  deps: { readonly client: Client; readonly ids: AlertIds; readonly retryForMs: number },
  endpoint: AlertEndpoint,
  deliveryId: string,
  notice: Notice,
  taskQueue: string,
): Promise<void> {
  const input: EndpointDeliveriesInput = { endpointId: endpoint.id, retryForMs: deps.retryForMs };
  await deps.client.workflow.signalWithStart(ENDPOINT_DELIVERIES_WORKFLOW, {
    workflowId: deps.ids.deliveries(endpoint.id),
    taskQueue,
    args: [input],
    signal: deliverSignal,
    signalArgs: [{ deliveryId, notice, windows: rateWindows(endpoint.format) }],
  });
}

/**
 * An alert's way to the endpoints beyond the built-in one: its recipients resolved through the
 * people directory as it stands now (paths up the line climb it), then one delivery per enabled
 * endpoint whose filters match, each in that endpoint's own workflow. Sent again (a retried
 * activity, a redelivery), an endpoint takes the same id once. Answers the alert as addressed.
 */
export function createFanOutAlert(deps: FanOutDeps) {
  return async function fanOutAlert(alert: AlertPayload): Promise<AlertPayload> {
    const [endpoints, directory] = await Promise.all([deps.settings.endpoints(), deps.settings.directory()]);
    const sent: AlertPayload = { ...alert, recipients: addressed(alert.recipients, directory) };
    const taskQueue = Context.current().info.taskQueue;
    const targets = endpoints.filter((endpoint) => endpoint.id !== DEFAULT_ENDPOINT_ID && endpointMatches(endpoint, sent));
    await Promise.all(
      targets.map((endpoint) =>
        enqueueDelivery({ ...deps, ids: deps.settings.ids }, endpoint, alert.id, { kind: 'alert', alert: sent }, taskQueue),
      ),
    );
    return sent;
  };
}

/** Tells every on-call endpoint that these incidents ended; each resolves those it triggered. */
export function createResolveIncidents(deps: FanOutDeps) {
  return async function resolveIncidents(input: { keys: string[] }): Promise<void> {
    const oncall = (await deps.settings.endpoints()).filter((endpoint) => endpoint.format === 'pagerduty');
    await Promise.all(
      oncall.map((endpoint) =>
        deps.client.workflow
          .getHandle(deps.settings.ids.deliveries(endpoint.id))
          .signal(resolveIncidentsSignal, { keys: input.keys })
          .catch((error: unknown) => {
            // An endpoint that never triggered anything has no workflow: nothing to resolve there.
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          }),
      ),
    );
  };
}
