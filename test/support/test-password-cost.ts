// The password hashing cost of every test: the least the settings allow (a hash at the production cost is
// 400 ms of CPU, paid at every sign-in of every test). Servers the tests start get it as settings
// (harness.ts), and the test processes themselves hash at it (password-cost.js).
export const TEST_PASSWORD_COST = { PASSWORD_HASH_MEMORY_KIB: '19456', PASSWORD_HASH_PASSES: '2', PASSWORD_HASH_LANES: '1' };
