// The SLA baseline: the least a Temporal workflow can do to keep a deadline. It sleeps to the same
// absolute instant as a deal's SLA and stamps the time through a no-op activity that POSTs to the
// same receiver; bundled on its own for the bench worker.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { createBaselineActivities } from './activities';

export interface BaselineDeadline {
  readonly id: string;
  /** Epoch ms, the same instant as the paired deal's `stage.warnAt`. */
  readonly deadline: number;
}

const { stamp } = proxyActivities<ReturnType<typeof createBaselineActivities>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2 },
});

export async function sleepToDeadline(input: BaselineDeadline): Promise<void> {
  await sleep(Math.max(input.deadline - Date.now(), 1));
  await stamp(input);
}
