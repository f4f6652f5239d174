// Reproduces a Dockerfile's stages without Docker, so a test runs what the image runs: each stage is a
// directory standing for its WORKDIR; COPY copies from the build context (or, with --from, from an
// earlier stage's directory), RUN runs in that directory with the paths under WORKDIR pointed there,
// and the last stage's ENV, USER, HEALTHCHECK and CMD are returned for the caller to run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`unreadable Dockerfile line: ${line}`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stages.push({ from: f[1]!, name: f[2] ?? String(stages.length), instructions: [] });
      continue;
    }
    if (stages.length === 0) throw new Error(`${op} before FROM`);
    stages.at(-1)!.instructions.push({ op, args });
  }
  return stages;
}

/** `["a", "b"]` or `a b` as an argument list. */
function argList(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
}

/** `A=1 B=2` (or the legacy `A 1`). */
function envPairs(args: string): Record<string, string> {
  if (!args.includes('=')) {
    const [k, ...v] = args.split(/\s+/);
    return { [k!]: v.join(' ') };
  }
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return out;
}

export interface BuiltImage {
  /** The final stage's directory: what the image's WORKDIR holds. */
  dir: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: string[];
  healthcheck: string[] | undefined;
  /** Maps a path inside the image (under WORKDIR) to the directory standing for it. */
  local(p: string): string;
}

export interface BuildOptions {
  context: string;
  root: string;
  /** Added to every RUN's environment (e.g. npm's cache settings); never changes what is installed. */
  runEnv?: Record<string, string>;
  /** Rewrites a RUN command before it runs, for what this machine lacks (a user name). */
  rewriteRun?: (cmd: string) => string;
  log?: (line: string) => void;
}

export function reproduceImage(dockerfile: string, opts: BuildOptions): BuiltImage {
  const stages = parseDockerfile(fs.readFileSync(dockerfile, 'utf8'));
  const dirs = new Map<string, { dir: string; workdir: string }>();
  let last: BuiltImage | undefined;
  for (const stage of stages) {
    const dir = path.join(opts.root, stage.name);
    fs.mkdirSync(dir, { recursive: true });
    let workdir = '/';
    let env: Record<string, string> = {};
    let user: string | undefined;
    let cmd: string[] = [];
    let healthcheck: string[] | undefined;
    const local = (p: string, wd = workdir, d = dir) => {
      const abs = path.posix.resolve(wd, p);
      const rel = path.posix.relative(wd, abs);
      if (rel.startsWith('..')) throw new Error(`${p} is outside WORKDIR ${wd}: this reproduction maps only WORKDIR`);
      return path.join(d, rel);
    };
    for (const { op, args } of stage.instructions) {
      switch (op) {
        case 'WORKDIR':
          workdir = path.posix.resolve(workdir, args);
          break;
        case 'ENV':
          env = { ...env, ...envPairs(args) };
          break;
        case 'COPY': {
          const from = /^--from=(\S+)\s+/.exec(args);
          const parts = argList(args.replace(/^--\S+\s+/, ''));
          const dest = parts.pop()!;
          for (const src of parts) {
            const source = from ? local(src, dirs.get(from[1]!)!.workdir, dirs.get(from[1]!)!.dir) : path.join(opts.context, src);
            if (!fs.existsSync(source)) throw new Error(`COPY ${src}: not found${from ? ` in stage ${from[1]!}` : ' in the build context'}`);
            const target = dest.endsWith('/') || parts.length > 1 ? path.join(local(dest), path.basename(src)) : local(dest);
            fs.cpSync(source, target, { recursive: true, verbatimSymlinks: true });
          }
          break;
        }
        case 'RUN': {
          let command = args.startsWith('[') ? argList(args).join(' ') : args;
          // Absolute paths under WORKDIR point at this stage's directory.
          if (workdir !== '/') command = command.split(workdir).join(dir);
          if (opts.rewriteRun) command = opts.rewriteRun(command);
          opts.log?.(`RUN ${command}`);
          execFileSync('sh', ['-c', command], { cwd: local('.'), env: { ...process.env, ...env, ...opts.runEnv }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
          break;
        }
        case 'USER':
          user = args;
          break;
        case 'CMD':
          cmd = argList(args);
          break;
        case 'HEALTHCHECK': {
          const m = /CMD\s+(.*)$/.exec(args);
          healthcheck = m ? ['sh', '-c', m[1]!] : undefined;
          break;
        }
        case 'EXPOSE':
        case 'LABEL':
        case 'ARG':
          break;
        default:
          throw new Error(`Dockerfile instruction ${op} is not reproduced by this test; teach test/support/dockerfile.ts`);
      }
    }
    dirs.set(stage.name, { dir, workdir });
    const stageDir = dir;
    const stageWorkdir = workdir;
    last = { dir, workdir, env, user, cmd, healthcheck, local: (p) => local(p, stageWorkdir, stageDir) };
  }
  return last!;
}
