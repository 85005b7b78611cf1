import { DefaultLogger, Runtime } from '@temporalio/worker';

// One Temporal runtime per test process, quiet below errors so test output stays readable.
try {
  Runtime.install({ logger: new DefaultLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'ERROR') });
} catch {
  // Already installed by an earlier test file in this process.
}
