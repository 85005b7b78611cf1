import { condition, setHandler } from '@temporalio/workflow';
import { closeTimelinePageSignal, type TimelinePageInput } from './messages';

/**
 * One page of a deal's older timeline, started by the deal as it continues as new. The page is in
 * this workflow's input, read back from its first history event by the API (no worker needed).
 * It stays open while the deal is: a closed workflow is deleted after the namespace's retention,
 * and a deal may live longer than that. The deal closes its pages when it closes.
 */
export async function timelinePageWorkflow(_page: TimelinePageInput): Promise<void> {
  let closed = false;
  setHandler(closeTimelinePageSignal, () => {
    closed = true;
  });
  await condition(() => closed);
}
