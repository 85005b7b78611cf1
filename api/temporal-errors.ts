import { isGrpcServiceError, ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ProblemError, problems } from './problem';

// gRPC codes: CANCELLED 1, DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8, UNAVAILABLE 14.
const UNAVAILABLE = new Set<number>([1, 4, 8, 14]);

function grpcCode(error: unknown): number | null {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return null;
}

/** True when Temporal could not be reached or did not answer in time: the caller may retry. */
export function isTemporalUnavailable(error: unknown): boolean {
  const code = grpcCode(error);
  return error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (code !== null && UNAVAILABLE.has(code));
}

/** Temporal's failures as HTTP problems: 503 when it is down or slow; anything else is ours to fix. */
export function temporalProblem(error: unknown): ProblemError | null {
  if (error instanceof ProblemError) return error;
  if (isTemporalUnavailable(error)) return problems.unavailable('Temporal is unreachable or too slow to answer; retry shortly.');
  return null;
}
