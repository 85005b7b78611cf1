import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'jest.config.js',
      'jest.faults.config.js',
      'jest.cluster.config.js',
      'node_modules/',
      'dist/',
      '.temporal/',
      '.data/',
      'coverage/',
      'test-results/',
      'scripts/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { import: importPlugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import/no-cycle': 'error',
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Workflow code is replayed: it must stay deterministic and free of Node built-ins.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'crypto', 'http', 'https', 'net', 'os', 'path', 'child_process'],
              message: 'Workflow and domain code must stay deterministic: no Node built-ins.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' }],
    },
  },
  {
    // The API runs alone (`npm run api`, its own container): it takes nothing from the worker process.
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/worker', '**/worker/*'], message: 'The API never imports worker code; share it from another folder.' }],
        },
      ],
    },
  },
  {
    // The pipeline board: plain ES modules the browser loads as they are, no build step.
    files: ['web/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
    rules: { 'no-console': 'error' },
  },
  {
    // Jest loads reporters as they are, without a transform: CommonJS for Node.
    files: ['test/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    // Tests read JSON answers loosely on purpose: the assertions are the type check.
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
