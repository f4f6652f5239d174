// The admin's commands, apart from where they run: parsed and checked before any database is opened
// (that is the slow part), then carried out on a database — the CLI's own, or the running server's
// when the server holds the embedded one (control.ts). Each result is data: words for a person, or --json.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { type Env, photosUnreachable, publicBaseUrl } from '../../config/env';
import { ChannelKind, Role, TimeZoneSchema } from '../../shared/post';
import { AppError } from '../../shared/errors';
import { type TimeZone, zoneLabel } from '../../shared/time';
import { DateTime } from 'luxon';
import { addWebhookChannel } from '../channels/channel.repository';
import { type ChannelDeps, type ChannelView, addFacebookChannel, addInstagramChannel, addTelegramChannel, addXChannelWithTokens, viewChannel } from '../channels/manage-channels';
import { secretBox } from '../channels/secret-box';
import { RECONCILER_QUEUES } from '../posts/deps';
import { platformAdapters, platformConfig } from '../publishing/platforms/registry';
import { createLogger } from '../runtime/logger';
import { resolveSecretsKey } from '../runtime/secrets-key';
import type { DB } from '../storage/schema';
import { setupLink } from '../setup/first-run';
import { addUnit, findUnitBySlug, unitNotFound } from '../units/unit.repository';
import { createToken, listTokens, revokeToken, revokeTokens } from '../users/token.repository';
import { addUser, findUserByEmail } from '../users/user.repository';
import { type DemoAccounts, fillDemo } from './demo';

export const USAGE = `siaran — Siaran admin CLI

  siaran migrate
  siaran unit add --slug S --name N [--parent SLUG] --tz Asia/Jakarta|Asia/Makassar|Asia/Jayapura
  siaran user add --email E --unit SLUG --role operator|supervisor|admin [--name N] [--password P]
  siaran token create --email E [--days D] [--label L]      (prints the token once)
  siaran token list --email E                               (the user's working tokens: id, label, dates; never the secret)
  siaran token revoke --email E [--id ID]                   (one token, or without --id every token of the user)
  siaran channel add --unit SLUG --kind webhook --url U --secret S [--name N]
  siaran channel add --unit SLUG --kind telegram --bot-token T --chat @name|-100… [--name N]
  siaran channel add --unit SLUG --kind x --access-token T --access-secret S [--name N]
                                    (OAuth 1.0a user tokens; needs X_CONSUMER_KEY and X_CONSUMER_SECRET)
  siaran channel add --unit SLUG --kind facebook --page-id ID --page-token T [--name N]
  siaran channel add --unit SLUG --kind instagram --ig-user-id ID --token T [--name N]
  siaran demo                                               (demo units, users and tokens, on a fresh database)
  siaran setup-link                                         (the first run's one-time set-up link, while no account exists)

  Every command takes --json: one JSON object on standard output, for scripts.
  channel add checks the account with the platform first. A secret given as - (--bot-token -,
  --access-secret -, --page-token -, --secret -) is read from standard input, so that it stays out of the process list
  and the shell history.

Uses the same configuration as the server (DATABASE_URL, DATA_DIR, SECRETS_KEY, ...). While the server
runs on the embedded database, the command is carried out by the server itself.`;

/** A mistake in the command line: exit code 64, with the usage. */
export class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

export type Command =
  | { name: 'migrate' }
  | { name: 'demo' }
  | { name: 'setup-link' }
  | { name: 'unit add'; slug: string; unitName: string; parent: string | undefined; tz: TimeZone }
  | { name: 'user add'; email: string; userName: string | undefined; unit: string; role: Role; password: string | undefined }
  | { name: 'token create'; email: string; days: number; label: string }
  | { name: 'token list'; email: string }
  | { name: 'token revoke'; email: string; id: string | undefined }
  | {
      name: 'channel add';
      unit: string;
      kind: 'webhook' | 'telegram' | 'x' | 'facebook' | 'instagram';
      channelName: string | undefined;
      /** Option values as given; a secret given as `-` is read from standard input when the command runs. */
      options: Record<string, string>;
    };

export interface Parsed {
  command: Command;
  json: boolean;
}

function need(values: Values, key: string): string {
  const v = values[key];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`missing --${key}`);
  return v.trim();
}

/** Reads and checks the arguments; nothing is opened. */
export function parseCommand(argv: string[], env: Env): Parsed {
  const [noun, verb, ...rest] = argv;
  const single = noun === 'migrate' || noun === 'demo' || noun === 'setup-link';
  const { values } = parseArgs({
    args: single ? [verb ?? '', ...rest].filter(Boolean) : rest,
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
      id: { type: 'string' },
      kind: { type: 'string' },
      url: { type: 'string' },
      secret: { type: 'string' },
      'bot-token': { type: 'string' },
      chat: { type: 'string' },
      'access-token': { type: 'string' },
      'access-secret': { type: 'string' },
      'page-id': { type: 'string' },
      'page-token': { type: 'string' },
      'ig-user-id': { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const json = values.json === true;
  const name = single ? noun : `${noun ?? ''} ${verb ?? ''}`;
  switch (name) {
    case 'migrate':
    case 'demo':
    case 'setup-link':
      return { command: { name }, json };
    case 'unit add': {
      const tz = TimeZoneSchema.safeParse(need(values, 'tz'));
      if (!tz.success) throw new UsageError('--tz must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)');
      return { command: { name, slug: need(values, 'slug'), unitName: need(values, 'name'), parent: values.parent, tz: tz.data }, json };
    }
    case 'user add': {
      const role = Role.safeParse(need(values, 'role'));
      if (!role.success) throw new UsageError('--role must be operator, supervisor or admin');
      return { command: { name, email: need(values, 'email'), userName: values.name, unit: need(values, 'unit'), role: role.data, password: values.password }, json };
    }
    case 'token create': {
      const days = values.days ? Number(values.days) : env.TOKEN_DEFAULT_DAYS;
      if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
      return { command: { name, email: need(values, 'email'), days, label: values.label ?? 'cli' }, json };
    }
    case 'token list':
      return { command: { name, email: need(values, 'email') }, json };
    case 'token revoke': {
      const id = typeof values.id === 'string' ? values.id.trim() : undefined;
      if (id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new UsageError('--id must be a token id as token list prints it');
      return { command: { name, email: need(values, 'email'), id }, json };
    }
    case 'channel add': {
      const kind = need(values, 'kind').toLowerCase();
      // Every kind has its platform adapter (start-up checks it); the news page comes with every unit.
      const addable = ChannelKind.options.filter((k) => k !== 'news_page');
      if (!(addable as string[]).includes(kind)) throw new UsageError(`--kind must be ${addable.slice(0, -1).join(', ')} or ${addable.at(-1)!} (the news page comes with every unit)`);
      const k = kind as 'webhook' | 'telegram' | 'x' | 'facebook' | 'instagram';
      const required = { webhook: ['url', 'secret'], telegram: ['bot-token', 'chat'], x: ['access-token', 'access-secret'], facebook: ['page-id', 'page-token'], instagram: ['ig-user-id', 'token'] }[k];
      const options = Object.fromEntries(required.map((key) => [key, need(values, key)]));
      return { command: { name, unit: need(values, 'unit'), kind: k, channelName: values.name, options }, json };
    }
    default:
      throw new UsageError(noun ? `unknown command "${name.trim()}"` : 'no command given');
  }
}

/** The options of a command that are read from standard input (given as `-`). */
export function secretsFromStdin(command: Command): boolean {
  return command.name === 'channel add' && Object.values(command.options).includes('-');
}

export type CommandResult =
  | { command: 'migrate'; applied: string[] }
  | { command: 'demo'; done: boolean; reason?: string; accounts?: DemoAccounts }
  | { command: 'setup-link'; link: string | undefined }
  | { command: 'unit add'; unit: { id: string; slug: string; name: string; parentSlug: string | null; timeZone: string } }
  /** `password`: the one-time password made when none was given (shown once). */
  | { command: 'user add'; user: { id: string; email: string; name: string; role: string; unit: string }; password?: string }
  | { command: 'token create'; token: string; email: string; expiresAt: string; timeZone: TimeZone }
  | { command: 'token list'; email: string; timeZone: TimeZone; tokens: Array<{ id: string; label: string; createdAt: string; lastUsedAt: string | null; expiresAt: string }> }
  | { command: 'token revoke'; email: string; revoked: number }
  | { command: 'channel add'; unit: string; channel: ChannelView };

export interface CommandContext {
  db: Kysely<DB>;
  env: Env;
  /** What standard input held, for a secret given as `-`. */
  stdin: () => Promise<string>;
  /** Migrations this command's database applied on opening (the `migrate` command reports them). */
  applied: string[];
  /** The running server's public address, when the server carries the command out. */
  baseUrl?: () => string;
}

/** A Telegram channel as people write it: `humaspolres` means `@humaspolres`. */
function channelRef(chat: string): string {
  return /^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(chat) ? `@${chat}` : chat;
}

/** The holder's unit's zone: times are printed as the holder's office reads them (the JSON keeps UTC instants). */
async function zoneOfUser(db: Kysely<DB>, unitId: string): Promise<TimeZone> {
  const unit = await db.selectFrom('units').select('time_zone').where('id', '=', unitId).executeTakeFirstOrThrow();
  return unit.time_zone;
}

/** "2026-12-05 18:10 WIB": an instant as a terminal shows it, in a unit's zone. */
function localTime(iso: string, zone: TimeZone | undefined): string {
  // A server of an earlier version sends no zone: its instant, as it was printed before.
  if (!zone) return iso;
  return `${DateTime.fromISO(iso).setZone(zone).toFormat('yyyy-MM-dd HH:mm')} ${zoneLabel(zone)}`;
}

async function userByEmail(db: Kysely<DB>, email: string) {
  const user = await findUserByEmail(db, email);
  if (!user) throw new AppError('not-found', 'user.not_found', { id: `Tidak ada pengguna dengan e-mail ${email}.`, en: `No user with e-mail ${email}.` });
  return user;
}

export async function executeCommand(command: Command, ctx: CommandContext): Promise<CommandResult> {
  const { db, env } = ctx;
  switch (command.name) {
    case 'migrate':
      return { command: 'migrate', applied: ctx.applied };
    case 'demo': {
      const reasons: string[] = [];
      const accounts = await fillDemo(db, env, (line) => reasons.push(line));
      return accounts ? { command: 'demo', done: true, accounts } : { command: 'demo', done: false, reason: reasons.join(' ') };
    }
    case 'setup-link': {
      const base = ctx.baseUrl?.() ?? publicBaseUrl(env);
      return { command: 'setup-link', link: await setupLink(db, resolveSecretsKey(env.SECRETS_KEY, env.DATA_DIR), base, new Date()) };
    }
    case 'unit add': {
      const unit = await addUnit(db, { slug: command.slug, name: command.unitName, parentSlug: command.parent, timeZone: command.tz });
      return { command: 'unit add', unit: { id: unit.id, slug: unit.slug, name: unit.name, parentSlug: command.parent ?? null, timeZone: unit.time_zone } };
    }
    case 'user add': {
      // Whoever runs the CLI knows the password, as an admin who invites does: it is handed over, so it only
      // lets its holder choose their own, and the account cannot approve posts for a while.
      const oneTime = command.password ?? randomBytes(12).toString('base64url');
      const user = await addUser(db, { email: command.email, name: command.userName ?? command.email.split('@')[0] ?? command.email, unitSlug: command.unit, role: command.role, password: oneTime });
      await db
        .updateTable('users')
        .set({ password_must_change: true, approval_hold_until: new Date(Date.now() + env.APPROVAL_HOLD_AFTER_RESET_HOURS * 3_600_000) })
        .where('id', '=', user.id)
        .execute();
      return {
        command: 'user add',
        user: { id: user.id, email: user.email, name: user.name, role: user.role, unit: command.unit },
        ...(command.password ? {} : { password: oneTime }),
      };
    }
    case 'token create': {
      const user = await userByEmail(db, command.email);
      const { token, expiresAt } = await createToken(db, user.id, { label: command.label, days: command.days });
      return { command: 'token create', token, email: user.email, expiresAt: expiresAt.toISOString(), timeZone: await zoneOfUser(db, user.unit_id) };
    }
    case 'token list': {
      const user = await userByEmail(db, command.email);
      const tokens = await listTokens(db, user.id);
      return {
        command: 'token list',
        email: user.email,
        timeZone: await zoneOfUser(db, user.unit_id),
        tokens: tokens.map((tk) => ({ id: tk.id, label: tk.label, createdAt: tk.createdAt.toISOString(), lastUsedAt: tk.lastUsedAt?.toISOString() ?? null, expiresAt: tk.expiresAt.toISOString() })),
      };
    }
    case 'token revoke': {
      const user = await userByEmail(db, command.email);
      const revoked = command.id ? await revokeToken(db, user.id, command.id) : await revokeTokens(db, user.id);
      if (command.id && revoked === 0) {
        throw new AppError('not-found', 'token.not_found', {
          id: `Token ${command.id} bukan token ${user.email} yang masih berlaku.`,
          en: `Token ${command.id} is not a working token of ${user.email}.`,
        });
      }
      return { command: 'token revoke', email: user.email, revoked };
    }
    case 'channel add': {
      const unit = await findUnitBySlug(db, command.unit);
      if (!unit) throw unitNotFound(command.unit);
      let piped: string | undefined;
      const secret = async (key: string) => {
        const v = command.options[key]!;
        if (v !== '-') return v;
        piped ??= (await ctx.stdin()).trim();
        if (piped === '') throw new UsageError(`--${key} - reads the secret from standard input, which was empty`);
        return piped;
      };
      const box = secretBox(resolveSecretsKey(env.SECRETS_KEY, env.DATA_DIR));
      let channel;
      if (command.kind === 'webhook') {
        channel = await addWebhookChannel(
          db,
          box,
          { unitSlug: unit.slug, url: command.options.url!, secret: await secret('secret'), name: command.channelName },
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
          facebook: platforms.facebook,
          instagram: platforms.instagram,
          photosUnreachable: photosUnreachable(env),
          // Adding a channel releases nothing; the server's reconciler queues whatever needs it.
          scheduler: RECONCILER_QUEUES,
          baseUrl: () => publicBaseUrl(env),
          now: () => new Date(),
          log: createLogger('silent'),
        };
        channel =
          command.kind === 'telegram'
            ? await addTelegramChannel(deps, { unitId: unit.id, botToken: await secret('bot-token'), chat: channelRef(command.options.chat!), name: command.channelName })
            : command.kind === 'facebook'
              ? await addFacebookChannel(deps, { unitId: unit.id, pageId: command.options['page-id']!, pageToken: await secret('page-token'), name: command.channelName })
              : command.kind === 'instagram'
                ? await addInstagramChannel(deps, { unitId: unit.id, igUserId: command.options['ig-user-id']!, token: await secret('token'), name: command.channelName })
                : await addXChannelWithTokens(deps, { unitId: unit.id, accessToken: command.options['access-token']!, accessSecret: await secret('access-secret'), name: command.channelName });
      }
      return { command: 'channel add', unit: unit.slug, channel: viewChannel(channel, new Date(), 0, true) };
    }
  }
}

/** The result in words, one line each. */
export function describeResult(r: CommandResult, env: Env): string[] {
  switch (r.command) {
    case 'migrate':
      return [r.applied.length > 0 ? `applied: ${r.applied.join(', ')}` : 'database is up to date'];
    case 'setup-link':
      return r.link ? [r.link, '# open it in a browser to create the top unit and the first admin; it works once'] : ['Siaran is already set up: sign in with an existing account.'];
    case 'demo':
      if (!r.done || !r.accounts) return [`demo skipped: ${r.reason ?? ''}`];
      return [
        `units: ${r.accounts.units.join(', ')}`,
        '',
        `Sign in at /login with these (passwords and API tokens are shown only now; tokens valid ${String(env.TOKEN_DEFAULT_DAYS)} days):`,
        '',
        ...r.accounts.users.flatMap((u) => [`  ${u.role.padEnd(10)} ${u.email.padEnd(34)} password ${u.password}`, `  ${''.padEnd(10)} ${''.padEnd(34)} token    ${u.token}`]),
      ];
    case 'unit add':
      return [`unit ${r.unit.slug} (${r.unit.id}) added`];
    case 'user add':
      return [
        `user ${r.user.email} (${r.user.role}) added`,
        ...(r.password ? [`one-time password: ${r.password}`] : []),
        `# the password is for the first sign-in only: its holder then chooses their own${r.user.role === 'supervisor' ? `; approving waits ${String(env.APPROVAL_HOLD_AFTER_RESET_HOURS)} h` : ''}`,
      ];
    case 'token create':
      return [r.token, `# for ${r.email}, valid until ${localTime(r.expiresAt, r.timeZone)}; it is shown only this once`];
    case 'token list':
      if (r.tokens.length === 0) return [`no working token for ${r.email}`];
      return r.tokens.map((tk) => `${tk.id}  ${tk.label}  created ${localTime(tk.createdAt, r.timeZone)}  last used ${tk.lastUsedAt ? localTime(tk.lastUsedAt, r.timeZone) : 'never'}  valid until ${localTime(tk.expiresAt, r.timeZone)}`);
    case 'token revoke':
      return [`${String(r.revoked)} token(s) of ${r.email} revoked`];
    case 'channel add':
      return [`channel ${r.channel.id} (${r.channel.kind}, ${r.channel.accountName ?? r.channel.name}) added to ${r.unit}`];
  }
}
