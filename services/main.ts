// `npm start` runs everything in one process; `--api` or `--worker` runs one role (PostgreSQL only);
// `--demo` fills a database that has no real accounts with demo units and users.
import { ConfigError, type Env, loadEnv } from '../config/env';
import { describeResult } from './cli/commands';
import { fillDemo } from './cli/demo';
import { createLogger } from './runtime/logger';
import { type RunningSiaran, startSiaran } from './runtime/siaran';

async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const args = new Set(process.argv.slice(2));
  const unknown = [...args].filter((a) => !['--api', '--worker', '--demo'].includes(a));
  if (unknown.length > 0) {
    console.error(`Unknown option ${unknown.join(' ')}. Use --api, --worker (either or both; neither runs both) and --demo.`);
    process.exit(2);
  }
  const roles = args.has('--api') || args.has('--worker') ? { api: args.has('--api'), worker: args.has('--worker') } : { api: true, worker: true };
  const log = createLogger(env.LOG_LEVEL);
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  // The signal handlers go in before anything starts: a SIGTERM that arrives while the server is starting, or
  // while the first-run greeting still waits on the database, must stop it cleanly, not kill it mid-write.
  let siaran: RunningSiaran | undefined;
  let requested: string | undefined;
  let closing = false;
  let exitCode = 0;
  // The first-run greeting (with --demo, filling the database) finishes before the database closes under it.
  let greeting: Promise<void> = Promise.resolve();
  const close = () => {
    if (closing || !siaran) return;
    closing = true;
    const running = siaran;
    log.info({ signal: requested }, 'draining in-flight work, then stopping');
    greeting.then(() => running.close()).then(
      () => process.exit(exitCode),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  let firstSignalAt = 0;
  const onSignal = (signal: string) => {
    // A second Ctrl-C (or SIGTERM) while a start hangs, or while a drain takes too long, stops it at once. The
    // same signal sent to the process and to its group (as `timeout` does) arrives twice at once: not a second.
    if (requested !== undefined && signal !== 'database lost') {
      if (Date.now() - firstSignalAt < 2000) return;
      log.warn({ signal }, 'stopping at once');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    requested ??= signal;
    firstSignalAt = Date.now();
    if (!siaran) log.info({ signal }, 'stopping as soon as the start has finished; again to stop at once');
    close();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  // SIGHUP (a closed terminal) keeps its default: the process ends at once. Draining would log to a terminal
  // that is gone, and the logger retries a failed write for ever.
  // The embedded database's thread died (startSiaran has logged it as fatal). The process stops, with a failure,
  // rather than stay up without a database: nothing in it can bring the database back, and /healthz, what a
  // supervisor restarts a process on, would go on answering OK while nothing is saved or published. Its
  // supervisor (systemd, Docker's restart policy) starts it again, which reopens the database. It stops as on
  // SIGTERM, so that the private Redis and the database's lock go with it, but within a bound: work that waits
  // on the database may not finish.
  const onDatabaseLost = () => {
    exitCode = 1;
    setTimeout(() => process.exit(1), 15_000).unref();
    onSignal('database lost');
  };

  try {
    siaran = await startSiaran(env, roles, { log, onDatabaseLost });
  } catch (err) {
    log.fatal({ err }, 'could not start');
    process.exit(1);
  }
  if (requested !== undefined) return close();
  log.info({ roles, database: siaran.database.kind, url: siaran.url }, 'Siaran is running');
  greeting = greet(siaran, env, args.has('--demo')).catch((err: unknown) => {
    log.error({ err }, 'could not prepare the first run');
  });
  await greeting;
}

/** What a person who just started the server needs: where to sign in, or how to set it up. */
async function greet(siaran: RunningSiaran, env: Env, demo: boolean): Promise<void> {
  const say = (lines: string[]) => process.stderr.write(`\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
  if (demo) {
    let why = '';
    const accounts = await fillDemo(siaran.database.db, env, (w) => (why = w));
    const lines = describeResult(accounts ? { command: 'demo', done: true, accounts } : { command: 'demo', done: false, reason: why }, env);
    say(accounts ? [`Siaran demo — sign in at ${siaran.baseUrl()}/login`, '', ...lines] : lines);
    return;
  }
  const link = await siaran.firstRunLink();
  if (link) say(['Siaran has no account yet. Open this one-time link to create the top unit and the first admin:', '', `    ${link}`, '', 'Or start with --demo (npm start -- --demo) to look around with demo units and users.']);
}

void main();
