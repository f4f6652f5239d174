// `npm run chaos -- --posts=40 --units=5 --window-seconds=30 --seed=7`: the chaos run from the command line.
// Prints one table; exits non-zero when anything was published twice or lost.
import { DEFAULTS, formatReport, runChaos } from './chaos-run';

function options(argv: string[]) {
  const o: Record<string, string> = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg} (use --posts=N --units=N --window-seconds=N --seed=N --embedded)`);
    o[m[1]!] = m[2]!;
  }
  const num = (name: string, fallback: number) => {
    if (o[name] === undefined) return fallback;
    const n = Number(o[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const known = ['posts', 'units', 'window-seconds', 'seed', 'fault-rate', 'photo-share', 'kill-every-seconds', 'settle-seconds', 'database'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((n) => `--${n}`).join(' ')})`);
  return {
    posts: Math.round(num('posts', DEFAULTS.posts)),
    units: Math.round(num('units', DEFAULTS.units)),
    windowSeconds: num('window-seconds', DEFAULTS.windowSeconds),
    seed: Math.round(num('seed', DEFAULTS.seed)),
    faultRate: num('fault-rate', DEFAULTS.faultRate),
    photoShare: num('photo-share', DEFAULTS.photoShare),
    killEverySeconds: num('kill-every-seconds', DEFAULTS.killEverySeconds),
    settleSeconds: num('settle-seconds', DEFAULTS.settleSeconds),
    database: o.database === 'embedded' ? ('embedded' as const) : ('postgres' as const),
  };
}

async function main() {
  const report = await runChaos(options(process.argv.slice(2)));
  process.stdout.write(`${formatReport(report)}\n`);
  process.exitCode = report.publishedTwice.length > 0 || report.lost.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 2;
});
