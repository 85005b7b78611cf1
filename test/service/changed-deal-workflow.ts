// Workflow code for tests only: a `dealWorkflow` changed without patched(): its first task schedules
// an activity the real deal never schedules first, so its history does not replay on the real code.
import { proxyActivities } from '@temporalio/workflow';

const { probe } = proxyActivities<{ probe(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function dealWorkflow(): Promise<void> {
  await probe();
}
