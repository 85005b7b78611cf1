import type { TemporalConnection } from '../config';
import {
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type Client,
  type ConnectionOptions,
  type GrpcRetryOptions,
} from '@temporalio/client';
import { problems } from './problem';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * The SDK's retry of failed gRPC calls (UNAVAILABLE and the like; up to 10 attempts, backing off
 * 170 ms, 289 ms, ... to 5 s), bounded by the call's deadline. The SDK's own interceptor sleeps out
 * its full backoff whatever the deadline: with Temporal down, a call under a 10 s deadline tried at
 * ~9.7 s, slept 5 s, and only then failed, as DEADLINE_EXCEEDED at ~14.7 s. Here no sleep runs past
 * the deadline and nothing is retried once it has passed, so the call fails by its deadline.
 */
export function deadlineBoundedRetryInterceptor(base: GrpcRetryOptions = defaultGrpcRetryOptions()): Interceptor {
  return (options, nextCall) => {
    const { deadline } = options;
    const until = deadline === undefined ? Infinity : deadline instanceof Date ? deadline.getTime() : Number(deadline);
    const remaining = () => until - Date.now();
    const bounded: GrpcRetryOptions = {
      retryableDecider: (attempt, status) => remaining() > 0 && base.retryableDecider(attempt, status),
      delayFunction: (attempt, status) => Math.max(0, Math.min(base.delayFunction(attempt, status), remaining())),
    };
    return makeGrpcRetryInterceptor(bounded)(options, nextCall);
  };
}

/**
 * How the API connects to Temporal: the SDK's defaults with `connection` (TLS, API key, metadata
 * from Temporal's environment configuration), and retries that end by each call's deadline.
 */
export function apiConnectionOptions(address: string, connection: TemporalConnection = {}): ConnectionOptions {
  return { address, ...connection, interceptors: [deadlineBoundedRetryInterceptor()] };
}

/** Time past the deadline given to the SDK to report its own failure before the timer answers instead. */
export const DEADLINE_GRACE_MS = 250;

/**
 * Runs `call` under a gRPC deadline `timeoutMs` from now, and answers 503 by then (plus
 * `DEADLINE_GRACE_MS`) whatever the SDK does: a call that does not end by its deadline (an SDK
 * loop between RPCs, a retry that ignores it) is left to finish on its own, unanswered.
 */
export async function withinDeadline<T>(client: Client, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(problems.unavailable(`Temporal did not answer within ${timeoutMs} ms; retry shortly.`)),
      timeoutMs + DEADLINE_GRACE_MS,
    );
  });
  try {
    return await Promise.race([client.withDeadline(Date.now() + timeoutMs, call), late]);
  } finally {
    clearTimeout(timer);
  }
}
