// Once before every suite: the product is built as `npm run build` builds it, so tests that start
// processes run the compiled code users run (not a TypeScript loader), and the web assets exist.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = function buildOnce() {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'ignore', 'inherit'] });
};
