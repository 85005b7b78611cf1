import type { Rejection } from '../domain';
import { ProblemError } from './problem';

/** HTTP status of each rejection code (`CONTRACT.md`, Errors). */
const REJECTION_STATUS: Record<Rejection['code'], number> = {
  forbidden: 403,
  deal_closed: 409,
  wrong_stage: 409,
  missing_deliverables: 409,
  already_paused: 409,
  not_paused: 409,
  request_exists: 409,
  unknown_request: 409,
  risk_exists: 409,
  unknown_risk: 409,
  unknown_stage: 422,
  unknown_deliverable: 422,
  idempotency_key_reused: 422,
  validation_failed: 422,
  unknown_alert: 404,
  delivery_pending: 409,
  already_delivered: 409,
  unknown_playbook: 422,
  unknown_task: 409,
  task_done: 409,
  no_response_due: 409,
};
const TITLES: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Content' };

/** A deal's refusal of an action, as the HTTP problem the contract gives its code. */
export function rejectionProblem(rejection: Rejection): ProblemError {
  const status = REJECTION_STATUS[rejection.code] ?? 422;
  return new ProblemError(status, TITLES[status] ?? 'Rejected', rejection.message, rejection.code);
}
