import { isGrpcServiceError, ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ProblemError, problems } from './problem';

// gRPC codes: CANCELLED 1, DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8, UNAVAILABLE 14.
const UNAVAILABLE = new Set<number>([1, 4, 8, 14]);

function grpcCode(error: unknown): number | null {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return null;
}

const FAILED_PRECONDITION = 9;

function grpcDetails(error: unknown): string {
  if (isGrpcServiceError(error)) return error.details;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.details;
  return '';
}

/**
 * The server refuses a query while no worker can answer it: the deal's last workflow task failed or
 * timed out (a worker died holding it) until a worker retries it, or no worker has polled the task
 * queue lately (after a worker or server restart). A wait, not a fault.
 */
const WAITING_FOR_A_WORKER = /workflow task in failed state|no poller seen for task queue/i;

export function isWaitingForWorker(error: unknown): boolean {
  return grpcCode(error) === FAILED_PRECONDITION && WAITING_FOR_A_WORKER.test(grpcDetails(error));
}

/** The deal's workflow was ended (terminated) before its first task ran: there is no state to read. */
export function isClosedBeforeItRan(error: unknown): boolean {
  return grpcCode(error) === FAILED_PRECONDITION && /closed before WorkflowTaskStarted/i.test(grpcDetails(error));
}

/**
 * The server dropped the workflow task that carried an update (the worker failed it, timed out on
 * it, or died holding it), and with it every update in that task: none was accepted, so none
 * changed the deal, and sending it again is safe.
 */
export function isUpdateLostWithTask(error: unknown): boolean {
  return grpcCode(error) === FAILED_PRECONDITION && /unexpected workflow task failure/i.test(grpcDetails(error));
}

/** True when Temporal could not be reached or did not answer in time: the caller may retry. */
export function isTemporalUnavailable(error: unknown): boolean {
  const code = grpcCode(error);
  return (
    error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
    (code !== null && UNAVAILABLE.has(code)) ||
    isWaitingForWorker(error) ||
    isUpdateLostWithTask(error)
  );
}

/** Temporal's failures as HTTP problems: 503 when it is down or slow; anything else is ours to fix. */
export function temporalProblem(error: unknown): ProblemError | null {
  if (error instanceof ProblemError) return error;
  if (isTemporalUnavailable(error)) return problems.unavailable('Temporal is unreachable or too slow to answer; retry shortly.');
  return null;
}

/**
 * Sends an update again (at most `attempts` times in all, a short pause between) while the server
 * drops the task that carried it. The caller's deadline still bounds the whole.
 */
export async function resendingLostUpdates<T>(send: () => Promise<T>, attempts = 3, pauseMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= attempts || !isUpdateLostWithTask(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
    }
  }
}
