/**
 * Two tiers, run together by `npm test` (one summary line for the whole run):
 * - unit: test/unit/** and the replay test, pure code (parsers, rendering, config, arithmetic, workflow
 *   determinism), no stack; `npm run test:unit`.
 * - integration: every other test file, against the real stack one global setup starts;
 *   `npm run test:integration`. Jest runs a project's global setup only when a file of it is selected,
 *   so `npx jest test/unit/...` starts nothing.
 * Jest runs TypeScript through swc.
 */
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      // The replay test needs no server either: it replays recorded histories in-process.
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/replay.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/', '<rootDir>/test/replay.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 120_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
