// Build step (run by `npm run build`, never by the product): makes the empty embedded database new installations
// start from (empty-database.ts). Kept when this PGlite's one is already built.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { emptyDatabaseFile } from './empty-database';

export async function buildEmptyDatabase(file: string = emptyDatabaseFile()): Promise<boolean> {
  if (fs.existsSync(file)) return false;
  const db = await PGlite.create();
  try {
    const dump = await db.dumpDataDir('gzip');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Only this version's file stays: an earlier PGlite's is of no use to this build.
    for (const old of fs.readdirSync(path.dirname(file))) fs.rmSync(path.join(path.dirname(file), old), { force: true });
    const draft = `${file}.${String(process.pid)}.new`;
    fs.writeFileSync(draft, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(draft, file);
    return true;
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  buildEmptyDatabase().then(
    (made) => console.log(made ? `empty database: ${emptyDatabaseFile()}` : 'empty database: already built'),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
