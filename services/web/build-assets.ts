// Build step (run by `npm run build`, never by the product): bundles the browser code from the same
// shared/ modules the server runs, takes the style, and writes each with its content hash and its
// brotli and gzip forms into dist/web-assets, with a manifest the server reads at start.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';
import { type AssetManifest, type AssetName, MANIFEST_FILE, SCRIPTS, STYLES, type StyleName, defaultAssetDir } from './assets';

const SOURCES = path.join(__dirname, 'assets');
const SERVICES = path.resolve(__dirname, '..');

export async function buildAssets(outDir: string = defaultAssetDir()): Promise<AssetManifest> {
  const bodies: Array<{ name: AssetName; ext: string; type: string; body: Buffer }> = [];
  for (const name of SCRIPTS) {
    const out = await build({
      entryPoints: [path.join(SOURCES, `${name}.client.ts`)],
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2020',
      platform: 'browser',
      write: false,
      legalComments: 'none',
      // shared/ counts X's length with twitter-text's CommonJS build (for the server); the browser takes its ES build.
      alias: { 'twitter-text/dist/parseTweet': 'twitter-text/dist/esm/parseTweet' },
      logLevel: 'silent',
    });
    bodies.push({ name, ext: 'js', type: 'text/javascript; charset=utf-8', body: Buffer.from(out.outputFiles[0]!.contents) });
  }
  for (const [name, source] of Object.entries(STYLES) as Array<[StyleName, string]>) {
    bodies.push({ name, ext: 'css', type: 'text/css; charset=utf-8', body: fs.readFileSync(path.join(SERVICES, source)) });
  }

  // Written beside the old build and swapped in whole, so a running server never reads half of one.
  const staging = `${outDir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const manifest = {} as AssetManifest;
  for (const { name, ext, type, body } of bodies) {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const file = `${name}.${hash}.${ext}`;
    fs.writeFileSync(path.join(staging, file), body);
    fs.writeFileSync(path.join(staging, `${file}.br`), zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
    fs.writeFileSync(path.join(staging, `${file}.gz`), zlib.gzipSync(body, { level: 9 }));
    manifest[name] = { file, type, hash };
  }
  fs.writeFileSync(path.join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(staging, outDir);
  return manifest;
}

if (require.main === module) {
  buildAssets(process.argv[2]).then(
    (m) => console.log(`web assets: ${Object.values(m).map((e) => e.file).join(', ')}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
