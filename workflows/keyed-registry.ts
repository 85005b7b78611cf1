import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { deleteEntryUpdate, getEntryQuery, listEntriesQuery, putEntriesUpdate, putEntryUpdate } from './alert-messages';

const own = (entries: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(entries, key);

/**
 * A map of entries held durably in Temporal, like the SOP registry: the alert endpoints (with
 * their secrets) under one id, the people directory under another. The API checks what it writes;
 * this workflow keeps it, last write wins per key.
 */
export async function keyedRegistryWorkflow(carried: Record<string, unknown> = {}): Promise<void> {
  const entries: Record<string, unknown> = { ...carried };
  let changes = 0;
  setHandler(putEntryUpdate, ({ key, value }) => {
    entries[key] = value;
    changes++;
  });
  setHandler(putEntriesUpdate, (batch) => {
    let changed = 0;
    for (const [key, value] of Object.entries(batch)) {
      if (own(entries, key) && JSON.stringify(entries[key]) === JSON.stringify(value)) continue;
      entries[key] = value;
      changed++;
    }
    changes += changed;
    return changed;
  });
  setHandler(deleteEntryUpdate, (key) => {
    if (!own(entries, key)) return false;
    delete entries[key];
    changes++;
    return true;
  });
  setHandler(getEntryQuery, (key) => (own(entries, key) ? entries[key] : null));
  setHandler(listEntriesQuery, () => entries);

  const seen = changes;
  await condition(() => workflowInfo().continueAsNewSuggested || changes - seen >= 500);
  await condition(allHandlersFinished);
  await continueAsNew<typeof keyedRegistryWorkflow>(entries);
}
