// Once before every suite: the product is built as `npm run build` builds it, so tests that start
// processes run the compiled code users run (not a TypeScript loader), and the web assets exist. As for
// `npm start`, only when a source changed since the last build: after `npm ci` (whose prepare step builds)
// the run starts at once instead of compiling the same code again.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = function buildOnce() {
  execFileSync(process.execPath, [path.resolve(__dirname, '../../bin/build-if-stale.js')], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'ignore', 'inherit'] });
};
