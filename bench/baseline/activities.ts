import type { BaselineDeadline } from './workflows';

/** The baseline's one side effect: tell the receiver the deadline fell due, as a deal's webhook would. */
export function createBaselineActivities(receiverUrl: string) {
  return {
    async stamp(input: BaselineDeadline): Promise<void> {
      const response = await fetch(receiverUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': `baseline:${input.id}` },
        body: JSON.stringify({
          id: `baseline:${input.id}`,
          baseline: true,
          dealId: input.id,
          deadline: new Date(input.deadline).toISOString(),
        }),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`receiver answered ${response.status}`);
    },
  };
}
