// Temporal's answers the API turns into a 503 (retry shortly) rather than a 500.
import { ServiceError } from '@temporalio/client';
import { resendingLostUpdates, temporalProblem } from '../../api/temporal-errors';

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

test("a query refused while the deal's workflow task is being retried (a worker died holding it) is 503", () => {
  // As the fault suite saw it right after a worker was SIGKILLed.
  const error = new ServiceError('Failed to query Workflow', {
    cause: grpcError(9, 'Unable to query workflow due to Workflow Task in failed state.'),
  });
  expect(temporalProblem(error)).toMatchObject({ status: 503 });
});

test('a query refused because no worker polled the task queue lately (a server or worker restart) is 503', () => {
  // As the fault suite saw it right after the dev server came back.
  const error = new ServiceError('Failed to query Workflow', {
    cause: grpcError(9, 'no poller seen for task queue recently, worker may be down'),
  });
  expect(temporalProblem(error)).toMatchObject({ status: 503 });
});

test('other failed preconditions stay unexpected errors', () => {
  const error = new ServiceError('Failed', { cause: grpcError(9, 'something else') });
  expect(temporalProblem(error)).toBeNull();
});

test('unreachable Temporal is 503', () => {
  expect(temporalProblem(grpcError(14, 'No connection established'))).toMatchObject({ status: 503 });
});

// As CI saw it once: an update that lands in a workflow task the server then drops.
const lostUpdate = () =>
  new ServiceError('Workflow Update failed', {
    cause: grpcError(9, 'Unable to perform workflow execution update due to unexpected workflow task failure.'),
  });

test('an update dropped with its workflow task is 503, not 500', () => {
  expect(temporalProblem(lostUpdate())).toMatchObject({ status: 503 });
});

test('an update dropped with its workflow task is sent again, and answers once it lands', async () => {
  let sent = 0;
  const answer = await resendingLostUpdates(
    async () => {
      sent++;
      if (sent < 3) throw lostUpdate();
      return 'done';
    },
    3,
    1,
  );
  expect({ answer, sent }).toEqual({ answer: 'done', sent: 3 });
});

test('a dropped update is sent at most three times; other errors are not sent again', async () => {
  let sent = 0;
  await expect(
    resendingLostUpdates(
      async () => {
        sent++;
        throw lostUpdate();
      },
      3,
      1,
    ),
  ).rejects.toThrow('Workflow Update failed');
  expect(sent).toBe(3);

  sent = 0;
  await expect(
    resendingLostUpdates(
      async () => {
        sent++;
        throw new Error('refused');
      },
      3,
      1,
    ),
  ).rejects.toThrow('refused');
  expect(sent).toBe(1);
});
