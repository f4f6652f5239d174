// Passwords hashed inside a test process (fixtures, helpers) cost what the servers the tests start are set to
// (TEST_PASSWORD_COST in harness.ts): the least the settings allow. Otherwise every sign-in with a fixture's
// password would also rehash it.
const { configurePasswordCost } = require('../../services/users/passwords');

configurePasswordCost({ memoryKib: 19_456, passes: 2, lanes: 1 });
