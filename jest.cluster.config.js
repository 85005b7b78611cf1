/** @type {import('jest').Config} */
// `npm run test:cluster`: the service on the production topology (`npm run cluster`): PostgreSQL, the
// Temporal server built from its Go module, two workers and two APIs, as processes.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 300_000,
  maxWorkers: 1,
  setupFiles: ['<rootDir>/test/setup-runtime.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
