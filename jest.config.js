/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  // Temporal servers and workflow bundles are slow to start; time-skipping is global to a server.
  testTimeout: 120_000,
  maxWorkers: 1,
  setupFiles: ['<rootDir>/test/setup-runtime.ts'],
};
