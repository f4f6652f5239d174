// `siaran`: the admin's command line, on the same config and database as the server. With the embedded
// database in use by the server, the server carries the command out (control.ts).
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type Env, loadEnv } from '../../config/env';
import { type Database, migrateToLatest, openDatabase, pendingMigrations } from '../storage/database';
import { type CommandResult, type Parsed, USAGE, describeResult, executeCommand, parseCommand, secretsFromStdin } from './commands';
import { explainError, sendToServer } from './control';
import { configurePasswordCostFrom } from '../users/passwords';

/** Reads what was piped in, for a secret given as `-`. */
let stdinRead: Promise<string> | undefined;
/** Standard input, read once: the secret it holds goes to the server, or to this process when none runs. */
function readStdin(): Promise<string> {
  stdinRead ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  })();
  return stdinRead;
}

async function runHere(parsed: Parsed, env: Env): Promise<CommandResult> {
  if (!env.DATABASE_URL && !fs.existsSync(path.resolve(env.DATA_DIR, 'pglite'))) {
    // Run from another folder than the server's, DATA_DIR would name a new, empty database: say so.
    process.stderr.write(`siaran: no database in ${path.resolve(env.DATA_DIR)} yet: creating a new one there (set DATA_DIR to use the server's)\n`);
  }
  const database: Database = await openDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR });
  try {
    // Opening is quick when the schema is current; the migrator runs only when something is pending.
    const applied = (await pendingMigrations(database, env.DATABASE_SCHEMA)).length > 0 ? await migrateToLatest(database, env.DATABASE_SCHEMA) : [];
    return await executeCommand(parsed.command, { db: database.db, env, stdin: readStdin, applied });
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    console.log(USAGE);
    return;
  }
  let env: Env;
  try {
    env = loadEnv();
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : String(err);
    if (argv.includes('--json')) console.log(JSON.stringify({ error: { exitCode: 2, code: 'config', message } }));
    console.error(message);
    process.exitCode = 2;
    return;
  }
  configurePasswordCostFrom(env);
  let parsed: Parsed | undefined;
  try {
    // Mistakes in the arguments are told before anything is opened.
    parsed = parseCommand(argv, env);
    const remote = env.DATABASE_URL ? undefined : await sendToServer(env.DATA_DIR, argv, secretsFromStdin(parsed.command) ? await readStdin() : undefined);
    if (remote && !remote.ok) {
      report(parsed, remote);
      return;
    }
    const result = remote ? remote.result : await runHere(parsed, env);
    if (parsed.json) console.log(JSON.stringify(result));
    else for (const line of describeResult(result, env)) console.log(line);
    if (result.command === 'demo' && !result.done) process.exitCode = 1;
  } catch (err) {
    report(parsed, explainError(err));
  }
}

function report(parsed: Parsed | undefined, { exitCode, code, message }: { exitCode: number; code?: string; message: string }): void {
  process.exitCode = exitCode;
  // A command line too wrong to parse still asked for JSON if it says --json.
  if (parsed?.json ?? process.argv.includes('--json')) console.log(JSON.stringify({ error: { exitCode, code: code ?? 'failed', message } }));
  console.error(exitCode === 64 ? `siaran: ${message}\n\n${USAGE}` : `siaran: ${message}`);
}

void main();
