#!/usr/bin/env node
// `npm start` builds only when a source changed since the last build (the assets' manifest is written
// last), so a start after `npm install` takes seconds rather than a full compile.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', 'web-assets', 'manifest.json');

function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, entry)));
  return max;
}

const built = newest(stamp);
const sources = ['config', 'shared', 'services', 'workers', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
// The prepared empty database is part of the build (a build from before it existed lacks it).
const prepared = fs.existsSync(path.join(root, 'dist', 'empty-database')) && fs.readdirSync(path.join(root, 'dist', 'empty-database')).some((f) => f.endsWith('.tar.gz'));
if (built === 0 || !prepared || sources.some((s) => newest(path.join(root, s)) > built)) {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
