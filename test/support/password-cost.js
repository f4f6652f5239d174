// Passwords hashed inside a test process (fixtures, helpers) cost what the servers the tests start are set to
// (TEST_PASSWORD_COST in harness.ts): the least the settings allow. Otherwise every sign-in with a fixture's
// password would also rehash it.
const { configurePasswordCostFrom } = require('../../services/users/passwords');
const { TEST_PASSWORD_COST } = require('./test-password-cost');

configurePasswordCostFrom(Object.fromEntries(Object.entries(TEST_PASSWORD_COST).map(([k, v]) => [k, Number(v)])));
