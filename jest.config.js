/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The fault and cluster suites have their own configs and commands (`npm run test:faults`, `npm run test:cluster`).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/', '<rootDir>/test/cluster/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    // jose ships ES modules only; jest's module system loads CommonJS, so it is compiled like our code.
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // Temporal servers and workflow bundles are slow to start; time-skipping is global to a server.
  testTimeout: 120_000,
  maxWorkers: 1,
  setupFiles: ['<rootDir>/test/setup-runtime.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
