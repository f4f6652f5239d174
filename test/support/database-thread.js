// Keeps hold of the embedded database's threads this process starts, so that a test can stop one as a crash
// would. Imported by a test file, or preloaded into a server process (NODE_OPTIONS=--require), where SIGUSR2
// stops them.
const workerThreads = require('node:worker_threads');

const threads = new Set();
const Original = workerThreads.Worker;
workerThreads.Worker = class TrackedWorker extends Original {
  constructor(code, options) {
    super(code, options);
    if (options && options.workerData && options.workerData.pglite) {
      threads.add(this);
      this.once('exit', () => threads.delete(this));
    }
  }
};

/** Stops every embedded database thread still running, as a crash of the thread would. */
async function stopDatabaseThreads() {
  await Promise.all([...threads].map((t) => t.terminate()));
}

process.on('SIGUSR2', () => void stopDatabaseThreads());

module.exports = { stopDatabaseThreads };
