// `npm start` runs everything in one process; `--api` or `--worker` runs one role (PostgreSQL only).
import { ConfigError, loadEnv } from '../config/env';
import { createLogger } from './runtime/logger';
import { startSiaran } from './runtime/siaran';

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
  const roles = args.has('--api') || args.has('--worker') ? { api: args.has('--api'), worker: args.has('--worker') } : { api: true, worker: true };
  const log = createLogger(env.LOG_LEVEL);
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  let siaran;
  try {
    siaran = await startSiaran(env, roles, { log });
  } catch (err) {
    log.fatal({ err }, 'could not start');
    process.exit(1);
  }
  log.info({ roles, database: siaran.database.kind, url: siaran.url }, 'Siaran is running');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining in-flight work, then stopping');
    siaran.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
