// A jest reporter for CI machinery: with TEST_SUMMARY_FILE set, appends one JSON line per run,
// `{"config":…,"passed":N,"failed":M}`; `.ci/run` adds them up into its last line. A suite that
// could not run at all (a syntax error, a throw at import) counts as one failed test.
const { appendFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.TEST_SUMMARY_FILE;
    if (!file) return;
    const line = {
      config: process.env.npm_lifecycle_event ?? 'jest',
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

module.exports = SummaryReporter;
