import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { cliPath, testServerPath } from '../../scripts/temporal-binaries';
import { bundleDealWorkflows } from '../../worker/workflow-bundle';
import { searchAttributes } from '../../workflows/messages';

/** The time-skipping server from the pinned binary: "48 hours later" takes milliseconds. */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath({ install: true }) } },
  });
  // The test server takes registrations through the operator API; it has no CLI flag for them.
  const types: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
    [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    [SearchAttributeType.DOUBLE]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  } as Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.values(searchAttributes).map((key) => [key.name, types[key.type]])),
  });
  return env;
}

/** A real dev server on loopback with the deal search attributes registered, in memory. */
export function devServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cliPath({ install: true }) },
      ip: '127.0.0.1',
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--log-level', 'error'],
    },
  });
}

/** The workflow code, bundled once per test file. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleDealWorkflows(quietLogger);
}

const noop = (): void => undefined;
/** A logger that drops everything: for workflow bundles built in tests. */
export const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

let counter = 0;
/** A workflow id no other test in this process uses. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
