import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { JwksStatus } from './jwks-cache';

export interface ReadinessCheck {
  readonly ready: boolean;
  readonly checks: { temporal: boolean; worker: boolean; sops: boolean };
  /** With SSO: the identity provider's keys. Stale keys still verify tokens, so they do not make the API unready. */
  readonly sso?: JwksStatus;
}

/** `/readyz`: Temporal reachable, a worker polling the task queue, the SOP files published. */
export function createReadiness(options: {
  client: Client;
  namespace: string;
  taskQueue: string;
  sopsPublished: () => boolean;
  sso?: () => JwksStatus;
}): () => Promise<ReadinessCheck> {
  const { client, namespace, taskQueue, sopsPublished, sso } = options;
  return async () => {
    const within = <T>(call: () => Promise<T>) => client.withDeadline(Date.now() + 2_000, call);
    const temporalUp = await within(() => client.workflowService.getSystemInfo({})).then(
      () => true,
      () => false,
    );
    const worker =
      temporalUp &&
      (await within(() =>
        client.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      ).then(
        (answer) => (answer.pollers?.length ?? 0) > 0,
        () => false,
      ));
    const checks = { temporal: temporalUp, worker, sops: sopsPublished() };
    return { ready: checks.temporal && checks.worker && checks.sops, checks, ...(sso && { sso: sso() }) };
  };
}
