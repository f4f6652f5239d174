// Unit tests run once; integration tests run twice, on embedded PGlite and on PostgreSQL;
// browser tests drive Debian's Chromium against the product on PGlite.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
// Every project refuses outbound connections except to this machine (loopback-only.js).
const guard = '<rootDir>/test/support/loopback-only.js';
// Passwords hashed in a test process cost what the tests' servers are set to (password-cost.js).
const cost = '<rootDir>/test/support/password-cost.js';
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], setupFiles: [guard, cost] };

const os = require('node:os');

// Integration suites run on both databases, except these, whose subject is not the database: their statements
// are those of the suites that do run on both (publishing-story, crash-safety, take-target, publish-batches,
// api-batches, approval-integrity, news-page, photo-pipeline) and of the browser tests, which run on the
// embedded database. The platform suites that SIGKILL processes (x-processes, instagram-processes) stay on
// both: there the embedded database's own files are tested.
const POSTGRES_ONLY = [
  // a platform's conversation: its paths, answers, limits and faults (the secrets test stays on both: the embedded
  // database's error texts differ from PostgreSQL's, and must not carry a secret either)
  'platforms/(x|telegram|facebook|instagram|retraction|partial-results|photo-slots|unreachable|all-channels)',
  // tokens, proof of the holder, invites (web-security stays on both: its sign-ins all at once are counted
  // through the embedded database's one connection)
  'web/account-security',
  // metrics, readiness and the queues page
  'operations',
  // photos carried to each kind of channel (the photo pipeline itself runs on both)
  'photos-publish',
  // the route table against every actor, the server's timeouts, webhook address rules, the hostile photo set
  'access/access-matrix',
  'server-timeouts',
  'webhook-addresses',
  'media/hostile-photos',
  // PostgreSQL's own connection pool
  'database-pool',
];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  // Suites spend most of their time waiting on processes, sockets and timers, and each has its own Redis
  // prefix, database schema and data folder. Two at a time kept a 2-core machine about 55% busy (15.5 CPU
  // minutes in 13.75), three about 77% (29 in 18.8). Four at a time overloaded it: set-ups of 60 s timed out.
  // So three, one more than the cores elsewhere (jest's default is one fewer).
  maxWorkers: Math.max(3, os.availableParallelism() + 1),
  globalSetup: '<rootDir>/test/support/global-setup.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'pglite',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // Suites whose subject is not the database run on PostgreSQL only (POSTGRES_ONLY, above).
      testPathIgnorePatterns: POSTGRES_ONLY.map((p) => `/test/integration/${p}\\.test\\.ts$`),
      setupFiles: [guard, cost, '<rootDir>/test/support/db-pglite.js'],
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      setupFiles: [guard, cost, '<rootDir>/test/support/db-pglite.js'],
    },
    {
      ...common,
      // The production image's runtime stage, reproduced from the Dockerfile and run on PostgreSQL.
      displayName: 'image',
      testMatch: ['<rootDir>/test/image/**/*.test.ts'],
      setupFiles: [guard, cost, '<rootDir>/test/support/db-postgres.js'],
    },
    {
      ...common,
      displayName: 'postgres',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFiles: [guard, cost, '<rootDir>/test/support/db-postgres.js'],
    },
  ],
};
