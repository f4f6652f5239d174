// A new embedded database is made from an empty one prepared by `npm run build`, instead of by initdb at the
// first start: initdb inside PGlite's WebAssembly takes 5–8 s of CPU, loading the prepared one about 1 s.
// The prepared database is initdb's output and nothing more (the migrations run at start as always), so it does
// not depend on the code's version; its name carries PGlite's version, and a build for another PGlite is ignored.
import fs from 'node:fs';
import path from 'node:path';

const PGLITE_VERSION = pgliteVersion();

/** PGlite's package.json is not among its exports: found from its entry point, up. */
function pgliteVersion(): string {
  for (let dir = path.dirname(require.resolve('@electric-sql/pglite')); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

/** Where the build puts the prepared database: dist/, beside the compiled code or, running from source, under the root. */
export function emptyDatabaseFile(): string {
  const up = path.resolve(__dirname, '..', '..');
  const dist = path.basename(up) === 'dist' ? up : path.join(up, 'dist');
  return path.join(dist, 'empty-database', `pglite-${PGLITE_VERSION}.tar.gz`);
}

/** The prepared database's file when this build has one, else undefined (a new database is then made by initdb). */
export function preparedEmptyDatabase(): string | undefined {
  const file = emptyDatabaseFile();
  return fs.existsSync(file) ? file : undefined;
}
