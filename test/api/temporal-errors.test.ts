// Temporal's answers the API turns into a 503 (retry shortly) rather than a 500.
import { ServiceError } from '@temporalio/client';
import { temporalProblem } from '../../api/temporal-errors';

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
