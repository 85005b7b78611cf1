// Core's "Failing workflow task" records, as the worker runtime forwards them, read into run, cause and message.
import { failedWorkflowTask } from '../../worker/workflow-task-failures';

// Recorded from the SDK core of @temporalio/worker 1.24 (a thrown TypeError, the 5 s isolate limit, a replay mismatch).
const THROWN =
  'Failure { failure: Some(Failure { message: "main loop bug", source: "TypeScriptSDK", stack_trace: "TypeError: main loop bug\\n    at boom (/work/wf.ts:9:8)", encoded_attributes: None, cause: None, failure_info: None }), force_cause: Unspecified }';
const TIMED_OUT =
  'Failure { failure: Some(Failure { message: "Script execution timed out after 5000ms", source: "TypeScriptSDK", stack_trace: "Error: Script execution timed out after 5000ms", encoded_attributes: None, cause: None, failure_info: None }), force_cause: Unspecified }';
const NONDETERMINISM =
  'Failure { failure: Some(Failure { message: "[TMPRL1100] Nondeterminism error: No command scheduled for event HistoryEvent(id: 5, TimerStarted)", source: "", stack_trace: "", encoded_attributes: None, cause: None, failure_info: Some(ApplicationFailureInfo(ApplicationFailureInfo { r#type: "", non_retryable: false, details: None, next_retry_delay: None, category: Unspecified })) }), force_cause: NonDeterministicError }';
const core = (failure: string) => ({ sdkComponent: 'core', target: 'temporalio_sdk_core::worker::workflow', runId: 'run-1', failure });

test('an error in workflow code, and a task over its time limit, are workflow errors', () => {
  expect(failedWorkflowTask('Failing workflow task', core(THROWN))).toEqual({
    runId: 'run-1',
    cause: 'workflow_error',
    message: 'main loop bug',
  });
  expect(failedWorkflowTask('Failing workflow task', core(TIMED_OUT))).toEqual({
    runId: 'run-1',
    cause: 'workflow_error',
    message: 'Script execution timed out after 5000ms',
  });
});

test('a replay mismatch is non-determinism', () => {
  expect(failedWorkflowTask('Failing workflow task', core(NONDETERMINISM))).toEqual({
    runId: 'run-1',
    cause: 'nondeterminism',
    message: '[TMPRL1100] Nondeterminism error: No command scheduled for event HistoryEvent(id: 5, TimerStarted)',
  });
});

test("Rust's string escapes are undone: quotes, backslashes, new lines, code points", () => {
  const failure = THROWN.replace('main loop bug', 'say \\"hi\\" \\\\ there\\nnext \\u{1f4a5}');
  expect(failedWorkflowTask('Failing workflow task', core(failure))?.message).toBe('say "hi" \\ there\nnext 💥');
});

test('every other record is not a failed task', () => {
  expect(failedWorkflowTask('Failing workflow task', { sdkComponent: 'worker', runId: 'run-1', failure: THROWN })).toBeNull();
  expect(failedWorkflowTask('Failing legacy query request', core(THROWN))).toBeNull();
  expect(failedWorkflowTask('Failing workflow task', { sdkComponent: 'core' })).toBeNull();
  expect(failedWorkflowTask('Workflow failed', undefined)).toBeNull();
});
