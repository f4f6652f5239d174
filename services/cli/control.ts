// While the server holds the embedded database (one process only), the CLI's commands are carried out
// by the server: it listens on a Unix socket in DATA_DIR that only its own user can open, and asks for
// a token from a file only that user can read. Nothing listens on the network for this.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Env } from '../../config/env';
import { AppError } from '../../shared/errors';
import type { DB } from '../storage/schema';
import { type CommandResult, UsageError, executeCommand, parseCommand } from './commands';

const SOCKET = 'siaran.sock';
const TOKEN = 'control.token';
/** Unix socket paths are limited to about 107 bytes. */
const MAX_SOCKET_PATH = 100;

export type ControlAnswer = { ok: true; result: CommandResult } | { ok: false; exitCode: number; code?: string; message: string };

/** How a failed command is told: 64 for a mistake in the command line, 1 for anything else. */
export function explainError(err: unknown): { exitCode: number; code?: string; message: string } {
  if (err instanceof UsageError || (err instanceof TypeError && 'code' in err)) return { exitCode: 64, code: 'usage', message: err.message };
  if (err instanceof AppError) return { exitCode: 1, code: err.code, message: `${err.text.en}${detailsText(err.details)}` };
  return { exitCode: 1, message: err instanceof Error ? err.message : String(err) };
}

/** Validation details (zod issues) as sentences: which field, and what is wrong with it. */
function detailsText(details: unknown): string {
  if (!Array.isArray(details)) return '';
  const lines = details.map((d: { path?: unknown[]; message?: unknown }) => {
    const field = Array.isArray(d.path) && d.path.length > 0 ? d.path.join('.') : 'input';
    const why = typeof d.message === 'string' && !d.message.includes('/^') ? d.message : 'not valid';
    return `  ${field}: ${why}`;
  });
  return lines.length ? `\n${lines.join('\n')}` : '';
}

export interface ControlChannel {
  close(): Promise<void>;
}

export async function startControlChannel(opts: { dataDir: string; env: Env; db: Kysely<DB>; log: Logger; baseUrl: () => string }): Promise<ControlChannel | undefined> {
  const socketPath = path.resolve(opts.dataDir, SOCKET);
  const tokenPath = path.resolve(opts.dataDir, TOKEN);
  if (socketPath.length > MAX_SOCKET_PATH) {
    opts.log.warn({ socketPath }, 'DATA_DIR is too deep for the CLI socket: stop the server to use the CLI');
    return undefined;
  }
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  // Whoever may write into DATA_DIR could put their own socket where the CLI looks and collect the token:
  // refuse one writable by everybody or owned by another user (group-writable is common with umask 002
  // and private user groups).
  const dir = fs.statSync(opts.dataDir);
  if ((dir.mode & 0o002) !== 0 || (process.getuid && dir.uid !== process.getuid())) {
    opts.log.warn({ dataDir: opts.dataDir }, 'DATA_DIR is writable by other users or owned by another: no CLI socket (chmod 700 it); stop the server to use the CLI');
    return undefined;
  }
  const token = randomBytes(32).toString('hex');
  fs.rmSync(tokenPath, { force: true });
  fs.writeFileSync(tokenPath, token, { mode: 0o600, flag: 'wx' });
  // A socket left by a server that died: this process holds the database lock, so it is nobody's.
  fs.rmSync(socketPath, { force: true });
  const expected = Buffer.from(`Bearer ${token}`);
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: ControlAnswer) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const given = Buffer.from(req.headers.authorization ?? '');
    if (req.method !== 'POST' || req.url !== '/command') return answer(404, { ok: false, exitCode: 1, message: 'not found' });
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(401, { ok: false, exitCode: 1, message: 'the control token does not match' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      // A command and its secret are a few kilobytes; anything far larger is not from our CLI.
      size += c.length;
      if (size > 1_000_000) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { argv?: unknown; stdin?: unknown };
          if (!Array.isArray(body.argv) || !body.argv.every((a) => typeof a === 'string')) throw new UsageError('argv must be a list of strings');
          const { command } = parseCommand(body.argv, opts.env);
          const stdin = typeof body.stdin === 'string' ? body.stdin : '';
          const result = await executeCommand(command, { db: opts.db, env: opts.env, stdin: () => Promise.resolve(stdin), applied: [], baseUrl: opts.baseUrl });
          opts.log.info({ command: command.name }, 'CLI command carried out');
          answer(200, { ok: true, result });
        } catch (err) {
          answer(200, { ok: false, ...explainError(err) });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        fs.rmSync(tokenPath, { force: true });
      }),
  };
}

/**
 * Sends the command to the server holding the embedded database in DATA_DIR; undefined when no server
 * answers there (the CLI then opens the database itself).
 */
export async function sendToServer(dataDir: string, argv: string[], stdin: string | undefined): Promise<ControlAnswer | undefined> {
  const socketPath = path.resolve(dataDir, SOCKET);
  let socket: fs.Stats;
  try {
    socket = fs.lstatSync(socketPath);
  } catch {
    return undefined;
  }
  // Only a socket of our own user gets the token (and any secret piped in).
  if (!socket.isSocket() || (process.getuid && socket.uid !== process.getuid())) {
    throw new Error(`${socketPath} is not the server's socket (not a socket, or owned by another user); remove it, or run siaran as the server's user.`);
  }
  let token: string;
  try {
    token = fs.readFileSync(path.resolve(dataDir, TOKEN), 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES') {
      throw new Error(`The server in ${dataDir} runs as another user; run siaran as that user.`);
    }
    return undefined;
  }
  const body = JSON.stringify({ argv, stdin });
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: '/command', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ControlAnswer);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A socket file with nobody behind it: the server is gone.
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(undefined);
      else reject(err);
    });
    req.end(body);
  });
}
