// Writes jest's totals where .ci/run reads them, so CI runs the README's test command unchanged.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.file = path.join(globalConfig.rootDir, 'test-artifacts', 'jest-summary.json');
  }
  onRunComplete(_contexts, results) {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(
      this.file,
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        suitesFailedToRun: results.numRuntimeErrorTestSuites,
        total: results.numTotalTests,
      }),
    );
  }
}
module.exports = SummaryReporter;
