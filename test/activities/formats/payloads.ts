import type { FormatContext, Notice, PingPayload } from '../../../activities/formats';
import { pingPayload, type AlertPayload, type Recipient } from '../../../domain';

/** The instant every test attempt is made at: 3 h 12 min after the breach below. */
export const NOW_MS = Date.parse('2026-12-01T12:12:00.000Z');
export const PUBLIC_URL = 'https://sop.example.com';

/** The owner, with every chat id the people directory can hold. */
export const OWNER: Recipient = {
  role: 'owner',
  subject: 'alice',
  name: 'Alice Wang',
  email: 'alice@example.com',
  wecom: 'AliceW',
  feishu: 'ou_alice',
  dingtalk: 'alice01',
  slack: 'U0ALICE',
};

/** Two steps up the line from the owner, through Bob. */
export const SKIP_MANAGER: Recipient = {
  role: 'manager.manager',
  subject: 'carol',
  via: ['alice', 'bob'],
  name: 'Carol Liu',
  email: 'carol@example.com',
  wecom: 'CarolL',
  feishu: 'ou_carol',
  dingtalk: 'carol02',
  slack: 'U0CAROL',
};

/** Known to the directory by subject only: named, never mentioned. */
export const MANAGER: Recipient = { role: 'manager', subject: 'bob' };
/** A role nobody fills on the deal. */
export const NOBODY: Recipient = { role: 'legal', subject: null };

export function alert(overrides: Partial<AlertPayload> = {}): AlertPayload {
  return {
    id: 'msg_breach_0001',
    type: 'deal.sla.breached',
    occurredAt: '2026-12-01T09:00:00.000Z',
    deadline: '2026-12-01T09:00:00.000Z',
    deal: {
      dealId: 'acme-001',
      owner: 'alice',
      status: 'open',
      health: 'red',
      customer: { name: 'Acme Corp', tier: 'A' },
      amount: 120000,
      currency: 'CNY',
      sop: { id: 'enterprise-b2b', version: 3 },
    },
    stage: { id: 'negotiation', name: 'Negotiation', enteredAt: '2026-11-28T09:00:00.000Z' },
    requestId: null,
    riskId: null,
    level: null,
    occurrence: null,
    notify: ['owner', 'manager.manager'],
    recipients: [OWNER, SKIP_MANAGER],
    ...overrides,
  };
}

/** Our own payloads, by what they test. */
export const breach = (): AlertPayload => alert();
export const warning = (): AlertPayload =>
  alert({ id: 'msg_warning_0001', type: 'deal.sla.warning', deadline: '2026-12-01T12:32:00.000Z', recipients: [OWNER] });
export const escalation = (): AlertPayload =>
  alert({
    id: 'msg_escalated_0001',
    type: 'deal.escalated',
    level: 1,
    occurrence: 2,
    notify: ['manager'],
    recipients: [OWNER, MANAGER, NOBODY],
  });
export const requestBreach = (): AlertPayload =>
  alert({
    id: 'msg_request_0001',
    type: 'deal.request.breached',
    stage: null,
    requestId: 'req-7',
    notify: ['owner'],
    recipients: [OWNER],
  });

export function ping(): PingPayload {
  return pingPayload('ping_0001', '2026-12-01T12:12:00.000Z', { id: 'ep_1', description: 'Sales leadership group' });
}

export const alertNotice = (payload: AlertPayload = breach()): Notice => ({ kind: 'alert', alert: payload });
export const resolveNotice = (payload: AlertPayload = breach()): Notice => ({ kind: 'resolve', alert: payload });
export const pingNotice = (): Notice => ({ kind: 'ping', ping: ping() });

export function context(endpoint: Partial<FormatContext['endpoint']> = {}, nowMs = NOW_MS): FormatContext {
  return {
    nowMs,
    publicUrl: PUBLIC_URL,
    deliveryId: 'msg_breach_0001',
    endpoint: { url: 'https://hooks.example.com/robot?key=k1', secrets: [], ...endpoint },
  };
}

/** A request's JSON body. */
export function bodyOf(request: { body: string } | null): any {
  if (!request) throw new Error('expected a request');
  return JSON.parse(request.body);
}
