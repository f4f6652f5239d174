// `npm run bench [name...] [--option=value...]`: each benchmark prints its figures beside a baseline measured in the same run.
import path from 'node:path';

const ALL = ['publish-lateness', 'media', 'x-publish', 'calendar'];

async function main(): Promise<void> {
  const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const names = named.length > 0 ? named : ALL;
  for (const name of names) {
    if (!ALL.includes(name)) throw new Error(`unknown benchmark "${name}"; known: ${ALL.join(', ')}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, `${name}.bench`)) as { run: () => Promise<void> };
    console.log(`\n=== ${name}`);
    await mod.run();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
