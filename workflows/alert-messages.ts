// Names and messages of the alert endpoints, the people directory and each endpoint's deliveries.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeliveryPage, DeliveryState, Notice, RateWindow } from '../domain';

/** The workflow that holds a map of entries (the alert endpoints, the people directory). */
export const KEYED_REGISTRY_WORKFLOW = 'keyedRegistryWorkflow';
export const ENDPOINT_DELIVERIES_WORKFLOW = 'endpointDeliveriesWorkflow';

/** The workflow ids of the alert settings: one registry each for endpoints and people, one deliveries workflow per endpoint. */
export interface AlertIds {
  readonly endpoints: string;
  readonly people: string;
  deliveries(endpointId: string): string;
}

/** The ids in production (`prefix` empty); tests sharing a server give each service its own prefix. */
export function alertIds(prefix = ''): AlertIds {
  return {
    endpoints: `${prefix}alert-endpoints`,
    people: `${prefix}people-directory`,
    deliveries: (endpointId) => `${prefix}alert-endpoint:${endpointId}`,
  };
}

export const putEntryUpdate = defineUpdate<void, [{ key: string; value: unknown }]>('putEntry');
/** Writes many entries at once (`PEOPLE_FILE` at start); answers how many changed. */
export const putEntriesUpdate = defineUpdate<number, [Record<string, unknown>]>('putEntries');
/** Answers whether the entry existed. */
export const deleteEntryUpdate = defineUpdate<boolean, [string]>('deleteEntry');
export const getEntryQuery = defineQuery<unknown, [string]>('getEntry');
export const listEntriesQuery = defineQuery<Record<string, unknown>>('listEntries');

/** A delivery for one endpoint: the endpoint takes each id once while it remembers it. */
export interface DeliveryRequest {
  readonly deliveryId: string;
  readonly notice: Notice;
  /** The endpoint's format's published rate limits, as of this request. */
  readonly windows: readonly RateWindow[];
}
export const deliverSignal = defineSignal<[DeliveryRequest]>('deliver');
/** The incidents (`incidentKey`) whose stage visit or deal ended: an on-call endpoint resolves those it triggered. */
export const resolveIncidentsSignal = defineSignal<[{ keys: string[] }]>('resolveIncidents');
/** The endpoint was deleted: deliveries not yet done fail, and the workflow ends. */
export const retireSignal = defineSignal('retire');
export const redeliverDeliveryUpdate = defineUpdate<{ deliveryId: string; state: DeliveryState }, [string]>('redeliverDelivery');
export const deliveriesQuery = defineQuery<
  DeliveryPage,
  [{ state?: DeliveryState; dealId?: string; pageSize: number; pageToken?: string }]
>('deliveries');

/** Failure type of a refused redelivery; its details hold `{ code, message }`. */
export const DELIVERY_REFUSED_FAILURE = 'DeliveryRefused';
