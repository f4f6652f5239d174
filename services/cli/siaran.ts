// `siaran`: the admin's command line, on the same config and database as the server.
import { parseArgs } from 'node:util';
import { ConfigError, type Env, loadEnv, publicBaseUrl } from '../../config/env';
import { AppError } from '../../shared/errors';
import { ChannelKind, Role, TimeZoneSchema } from '../../shared/post';
import { addWebhookChannel } from '../channels/channel.repository';
import { type ChannelDeps, addTelegramChannel, addXChannelWithTokens, viewChannel } from '../channels/manage-channels';
import { secretBox } from '../channels/secret-box';
import { platformAdapters, platformConfig } from '../publishing/platforms/registry';
import { createLogger } from '../runtime/logger';
import { resolveSecretsKey } from '../runtime/secrets-key';
import { type Database, migrateToLatest, openDatabase } from '../storage/database';
import { addUnit, findUnitBySlug, unitNotFound } from '../units/unit.repository';
import { createToken } from '../users/token.repository';
import { addUser, findUserByEmail } from '../users/user.repository';
import { runDemo } from './demo';
import { RECONCILER_QUEUES } from '../posts/deps';

const USAGE = `siaran — Siaran admin CLI

  siaran migrate
  siaran unit add --slug S --name N [--parent SLUG] --tz Asia/Jakarta|Asia/Makassar|Asia/Jayapura
  siaran user add --email E --unit SLUG --role operator|supervisor|admin [--name N] [--password P]
  siaran token create --email E [--days D] [--label L]      (prints the token once)
  siaran channel add --unit SLUG --kind webhook --url U --secret S [--name N]
  siaran channel add --unit SLUG --kind telegram --bot-token T --chat @name|-100… [--name N]
  siaran channel add --unit SLUG --kind x --access-token T --access-secret S [--name N]
                                    (OAuth 1.0a user tokens; needs X_CONSUMER_KEY and X_CONSUMER_SECRET)
  siaran demo                                               (demo units, users and tokens)

  channel add checks the account with the platform first and prints the channel id (--json: a JSON object).
  A secret given as - (--bot-token -, --access-secret -, --secret -) is read from standard input, so that
  it stays out of the process list and the shell history.

Uses the same configuration as the server (DATABASE_URL, DATA_DIR, SECRETS_KEY, ...).`;

class UsageError extends Error {}

/** A Telegram channel as people write it: `humaspolres` means `@humaspolres`. */
function channelRef(chat: string): string {
  return /^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(chat) ? `@${chat}` : chat;
}

/** Reads what was piped in, for a secret given as `-`. */
async function fromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** A secret option: its value, or what standard input holds when it is `-`. */
async function secretOf(values: Record<string, string | boolean | undefined>, key: string): Promise<string> {
  const v = need(values, key);
  if (v !== '-') return v;
  const piped = await fromStdin();
  if (piped === '') throw new UsageError(`--${key} - reads the secret from standard input, which was empty`);
  return piped;
}

function need(values: Record<string, string | boolean | undefined>, key: string): string {
  const v = values[key];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`missing --${key}`);
  return v.trim();
}

async function run(argv: string[], env: Env, out: (line: string) => void): Promise<void> {
  const [noun, verb, ...rest] = argv;
  const { values } = parseArgs({
    args: noun === 'migrate' || noun === 'demo' ? [verb ?? '', ...rest].filter(Boolean) : rest,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      parent: { type: 'string' },
      tz: { type: 'string' },
      email: { type: 'string' },
      unit: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      days: { type: 'string' },
      label: { type: 'string' },
      kind: { type: 'string' },
      url: { type: 'string' },
      secret: { type: 'string' },
      'bot-token': { type: 'string' },
      chat: { type: 'string' },
      'access-token': { type: 'string' },
      'access-secret': { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const command = noun === 'migrate' || noun === 'demo' ? noun : `${noun ?? ''} ${verb ?? ''}`;
  const known = ['migrate', 'demo', 'unit add', 'user add', 'token create', 'channel add'];
  if (!known.includes(command)) throw new UsageError(noun ? `unknown command "${command.trim()}"` : 'no command given');

  // Mistakes in the arguments are told before the database is opened: that is the slow part.
  const tz = command === 'unit add' ? TimeZoneSchema.safeParse(need(values, 'tz')) : undefined;
  if (tz && !tz.success) throw new UsageError('--tz must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)');
  const role = command === 'user add' ? Role.safeParse(need(values, 'role')) : undefined;
  if (role && !role.success) throw new UsageError('--role must be operator, supervisor or admin');
  const days = values.days ? Number(values.days) : env.TOKEN_DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
  const kind = command === 'channel add' ? need(values, 'kind').toLowerCase() : undefined;
  if (kind !== undefined) {
    // Every kind has its platform adapter (start-up checks it); the news page comes with every unit.
    const addable = ChannelKind.options.filter((k) => k !== 'news_page');
    if (!(addable as string[]).includes(kind)) throw new UsageError(`--kind must be ${addable.slice(0, -1).join(', ')} or ${addable.at(-1)!} (the news page comes with every unit)`);
    const required = { webhook: ['url', 'secret'], telegram: ['bot-token', 'chat'], x: ['access-token', 'access-secret'] }[kind as 'webhook' | 'telegram' | 'x'];
    for (const key of required) need(values, key);
  }

  const database: Database = await openDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR });
  try {
    const applied = await migrateToLatest(database, env.DATABASE_SCHEMA);
    const db = database.db;
    switch (command) {
      case 'migrate':
        out(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
        return;
      case 'unit add': {
        const unit = await addUnit(db, { slug: need(values, 'slug'), name: need(values, 'name'), parentSlug: values.parent, timeZone: tz!.data });
        out(`unit ${unit.slug} (${unit.id}) added`);
        return;
      }
      case 'user add': {
        const email = need(values, 'email');
        const user = await addUser(db, { email, name: values.name ?? email.split('@')[0] ?? email, unitSlug: need(values, 'unit'), role: role!.data, password: values.password });
        out(`user ${user.email} (${user.role}) added`);
        return;
      }
      case 'token create': {
        const user = await findUserByEmail(db, need(values, 'email'));
        if (!user) throw new UsageError(`no user with e-mail ${need(values, 'email')}`);
        const { token, expiresAt } = await createToken(db, user.id, { label: values.label ?? 'cli', days });
        out(token);
        out(`# for ${user.email}, valid until ${expiresAt.toISOString()}; it is shown only this once`);
        return;
      }
      case 'channel add': {
        const unit = await findUnitBySlug(db, need(values, 'unit'));
        if (!unit) throw unitNotFound(need(values, 'unit'));
        const box = secretBox(resolveSecretsKey(env.SECRETS_KEY, env.DATA_DIR));
        let channel;
        if (kind === 'webhook') {
          channel = await addWebhookChannel(
            db,
            box,
            { unitSlug: unit.slug, url: need(values, 'url'), secret: await secretOf(values, 'secret'), name: values.name },
            { allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS },
          );
        } else {
          const platforms = platformConfig(env, db);
          const deps: ChannelDeps = {
            db,
            box,
            adapters: platformAdapters(platforms),
            x: platforms.x,
            telegram: platforms.telegram,
            // Adding a channel releases nothing; the server's reconciler queues whatever needs it.
            scheduler: RECONCILER_QUEUES,
            baseUrl: () => publicBaseUrl(env),
            now: () => new Date(),
            log: createLogger('silent'),
          };
          channel =
            kind === 'telegram'
              ? await addTelegramChannel(deps, { unitId: unit.id, botToken: await secretOf(values, 'bot-token'), chat: channelRef(need(values, 'chat')), name: values.name })
              : await addXChannelWithTokens(deps, { unitId: unit.id, accessToken: need(values, 'access-token'), accessSecret: await secretOf(values, 'access-secret'), name: values.name });
        }
        const view = viewChannel(channel, new Date());
        out(values.json ? JSON.stringify(view) : `channel ${channel.id} (${channel.kind}, ${channel.account_name ?? channel.name}) added to ${unit.slug}`);
        return;
      }
      case 'demo':
        await runDemo(db, env, out);
        return;
    }
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
    console.error(err instanceof ConfigError ? err.message : String(err));
    process.exitCode = 2;
    return;
  }
  try {
    await run(argv, env, (line) => console.log(line));
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err)) {
      console.error(`siaran: ${err.message}\n\n${USAGE}`);
      process.exitCode = 64;
    } else if (err instanceof AppError) {
      console.error(`siaran: ${err.text.en} (${err.code})${err.details ? `\n${JSON.stringify(err.details, null, 2)}` : ''}`);
      process.exitCode = 1;
    } else {
      console.error(`siaran: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
}

void main();
