/** @type {import('jest').Config} */
// `npm run test:faults`: the fault suite only (SIGKILLed processes, outages, fuzzing); `jest` skips it.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    // jose ships ES modules only; jest's module system loads CommonJS, so it is compiled like our code.
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // Each file starts its own dev server, worker and API as processes; one file at a time on 2 cores.
  testTimeout: 240_000,
  maxWorkers: 1,
  setupFiles: ['<rootDir>/test/setup-runtime.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
