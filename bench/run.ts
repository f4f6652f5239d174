// `npm run bench [name...] [--option=value...]`: each benchmark prints its figures beside a baseline measured in
// the same run, then one table gathers every figure: what was measured, the baseline, Siaran, the ratio, the goal.
import path from 'node:path';
import type { Row } from './support';

const ALL = ['publish-throughput', 'publish-lateness', 'api', 'calendar', 'report', 'x-publish', 'media', 'media-hostile'];

async function main(): Promise<void> {
  const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const names = named.length > 0 ? named : ALL;
  const rows: Row[] = [];
  for (const name of names) {
    if (!ALL.includes(name)) throw new Error(`unknown benchmark "${name}"; known: ${ALL.join(', ')}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, `${name}.bench`)) as { run: () => Promise<Row[] | undefined> };
    console.log(`\n=== ${name}`);
    rows.push(...((await mod.run()) ?? []));
  }
  if (rows.length === 0) return;
  console.log('\n| figure | baseline | Siaran | ratio | goal |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.figure} | ${r.baseline} | ${r.siaran} | ${r.ratio} | ${r.goal} |`);
  console.log('\nEach row alone:');
  for (const c of [...new Set(rows.map((r) => r.command))]) console.log(`  ${c}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
