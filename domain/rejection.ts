/** Stable codes for an action the deal refuses; the API maps each to its HTTP status. */
export const REJECTION_CODES = [
  'forbidden',
  'deal_closed',
  'wrong_stage',
  'missing_deliverables',
  'unknown_stage',
  'unknown_deliverable',
  'already_paused',
  'not_paused',
  'request_exists',
  'unknown_request',
  'risk_exists',
  'unknown_risk',
  'idempotency_key_reused',
  'validation_failed',
  'unknown_alert',
  'delivery_pending',
  'already_delivered',
  'unknown_playbook',
  'unknown_task',
  'task_done',
  'no_response_due',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Why a deal refuses an action: a stable code, a sentence for people, and details for programs. */
export interface Rejection {
  readonly rejected: true;
  readonly code: RejectionCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export function reject(code: RejectionCode, message: string, details?: Record<string, unknown>): Rejection {
  return details ? { rejected: true, code, message, details } : { rejected: true, code, message };
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && (value as { rejected?: unknown }).rejected === true;
}
