import type { AlertPayload } from './deal-state';

/** A test message (`POST /v1/alert-endpoints/:id/test`): the v1 payload's shape with no deal. */
export interface PingPayload {
  readonly id: string;
  readonly type: 'ping';
  readonly occurredAt: string;
  readonly deadline: null;
  readonly deal: null;
  readonly stage: null;
  readonly requestId: null;
  readonly riskId: null;
  readonly level: null;
  readonly occurrence: null;
  readonly notify: readonly string[];
  readonly recipients: readonly never[];
  readonly endpoint: { readonly id: string; readonly description: string };
}

/** What one delivery carries to an endpoint. */
export type Notice =
  /** An alert fired (PagerDuty: `trigger`). `alert.recipients` are already resolved through the people directory. */
  | { readonly kind: 'alert'; readonly alert: AlertPayload }
  /** The stage visit or deal the alert belongs to ended (PagerDuty only: `resolve` of `incidentKey(alert)`). */
  | { readonly kind: 'resolve'; readonly alert: AlertPayload }
  | { readonly kind: 'ping'; readonly ping: PingPayload };

export function pingPayload(id: string, at: string, endpoint: { id: string; description: string }): PingPayload {
  return {
    id,
    type: 'ping',
    occurredAt: at,
    deadline: null,
    deal: null,
    stage: null,
    requestId: null,
    riskId: null,
    level: null,
    occurrence: null,
    notify: [],
    recipients: [],
    endpoint,
  };
}
