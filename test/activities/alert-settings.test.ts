import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { AlertSettings } from '../../activities/alert-settings';
import { alertIds } from '../../workflows/alert-messages';

/** A client whose registry queries answer `answers` in turn (an error is thrown), counting them. */
function clientAnswering(answers: Array<Record<string, unknown> | Error>) {
  const asked: string[] = [];
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        query: async () => {
          asked.push(workflowId);
          const answer = answers.shift() ?? {};
          if (answer instanceof Error) throw answer;
          return answer;
        },
      }),
    },
  } as unknown as Client;
  return { client, asked };
}

describe('the alert settings a worker reads', () => {
  const ids = alertIds('t:');
  const endpoint = (id: string) => ({ id });

  test('one read for alerts firing together; used for a second, then read again; no registry yet reads as empty', async () => {
    let now = 0;
    const { client, asked } = clientAnswering([{ a: endpoint('a') }, new WorkflowNotFoundError('gone', 't:alert-endpoints', undefined)]);
    const settings = new AlertSettings(client, ids, () => now);
    const together = await Promise.all([settings.endpoints(), settings.endpoints(), settings.endpoint('a')]);
    expect(together).toEqual([[{ id: 'a' }], [{ id: 'a' }], { id: 'a' }]);
    expect(asked).toEqual(['t:alert-endpoints']);
    now = 999;
    expect(await settings.endpoints()).toEqual([{ id: 'a' }]);
    expect(asked).toHaveLength(1);
    now = 1_000;
    expect(await settings.endpoints()).toEqual([]);
    expect(asked).toHaveLength(2);
    expect(await settings.directory()).toEqual({});
  });

  test('a failed read is not kept: the next alert reads again', async () => {
    const { client, asked } = clientAnswering([new Error('unavailable'), { mia: { name: 'Mia' } }]);
    const settings = new AlertSettings(client, ids, () => 0);
    await expect(settings.directory()).rejects.toThrow('unavailable');
    expect(await settings.directory()).toEqual({ mia: { name: 'Mia' } });
    expect(asked).toEqual(['t:people-directory', 't:people-directory']);
  });
});
