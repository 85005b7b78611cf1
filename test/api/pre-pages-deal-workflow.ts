// Workflow code for tests only: a `dealWorkflow` as workers ran it before timeline pages: it answers
// the `timeline` query with every event and knows nothing of `timelineTail`.
import { condition, defineQuery, setHandler } from '@temporalio/workflow';

const timelineQuery = defineQuery<Array<{ at: string; type: string; actor: string; data: unknown }>>('timeline');

export async function dealWorkflow(): Promise<void> {
  setHandler(timelineQuery, () => [
    { at: '2026-12-01T09:00:00.000Z', type: 'deal_created', actor: 'alice', data: {} },
    { at: '2026-12-01T09:00:00.000Z', type: 'stage_entered', actor: 'system', data: { stage: 'requirements' } },
  ]);
  await condition(() => false);
}
