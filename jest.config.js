// Unit tests run once; integration tests run twice, on embedded PGlite and on PostgreSQL;
// browser tests drive Debian's Chromium against the product on PGlite.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
// Every project refuses outbound connections except to this machine (loopback-only.js).
const guard = '<rootDir>/test/support/loopback-only.js';
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], setupFiles: [guard] };

const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  // Suites spend most of their time waiting on processes, sockets and timers, and each has its own Redis
  // prefix, database schema and data folder: two at a time on a 2-core machine (jest's default is one).
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  globalSetup: '<rootDir>/test/support/global-setup.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'pglite',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFiles: [guard, '<rootDir>/test/support/db-pglite.js'],
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      setupFiles: [guard, '<rootDir>/test/support/db-pglite.js'],
    },
    {
      ...common,
      // The production image's runtime stage, reproduced from the Dockerfile and run on PostgreSQL.
      displayName: 'image',
      testMatch: ['<rootDir>/test/image/**/*.test.ts'],
      setupFiles: [guard, '<rootDir>/test/support/db-postgres.js'],
    },
    {
      ...common,
      displayName: 'postgres',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFiles: [guard, '<rootDir>/test/support/db-postgres.js'],
    },
  ],
};
