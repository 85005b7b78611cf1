// Workflow code for tests only: a `dealWorkflow` that does something else than the real one, so a
// history it records makes the real code fail its replay with a non-determinism error.
import { sleep } from '@temporalio/workflow';

export async function dealWorkflow(): Promise<void> {
  await sleep('1 day');
}
