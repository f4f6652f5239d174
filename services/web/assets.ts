// The browser's scripts and style, bundled and compressed by `npm run build` (build-assets.ts) into
// dist/web-assets: the running product reads files and needs neither esbuild nor the client sources.
import fs from 'node:fs';
import path from 'node:path';

export const SCRIPTS = ['compose', 'calendar', 'share'] as const;
export type ScriptName = (typeof SCRIPTS)[number];
/**
 * Style sheets, by source relative to services/: the web app's, and the public news pages' own (small, so
 * that a citizen on a phone downloads none of the app's rules).
 */
export const STYLES = { style: 'web/assets/siaran.css', news: 'public/assets/news.css' } as const;
export type StyleName = keyof typeof STYLES;
export type AssetName = ScriptName | StyleName;

/** What the build wrote: for each asset, its file name (with its content hash) and type. */
export type AssetManifest = Record<AssetName, { file: string; type: string; hash: string }>;
export const MANIFEST_FILE = 'manifest.json';

export interface Asset {
  body: Buffer;
  /** Compressed at build time: phones on slow links get a fraction of the bytes. */
  brotli: Buffer;
  gzip: Buffer;
  type: string;
  hash: string;
}

export interface AssetStore {
  /** URL with the content hash, cacheable for a year. */
  url(name: AssetName): string;
  byFile(file: string): Asset | undefined;
}

/** dist/web-assets, from the compiled code (dist/services/web) or from the sources (services/web). */
export function defaultAssetDir(): string {
  const up = path.resolve(__dirname, '..', '..');
  return path.basename(up) === 'dist' ? path.join(up, 'web-assets') : path.join(up, 'dist', 'web-assets');
}

export class AssetsMissing extends Error {
  constructor(dir: string, cause: unknown) {
    super(`The web assets are not built (${path.join(dir, MANIFEST_FILE)} cannot be read): run \`npm run build\`.`, { cause });
    this.name = 'AssetsMissing';
  }
}

/** Loads every asset once; a missing or partial build stops the start instead of serving broken pages. */
export function assetStore(dir: string = defaultAssetDir()): AssetStore {
  let manifest: AssetManifest;
  const byFile = new Map<string, Asset>();
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as AssetManifest;
    for (const entry of Object.values(manifest)) {
      const file = path.join(dir, entry.file);
      byFile.set(entry.file, { body: fs.readFileSync(file), brotli: fs.readFileSync(`${file}.br`), gzip: fs.readFileSync(`${file}.gz`), type: entry.type, hash: entry.hash });
    }
  } catch (err) {
    throw new AssetsMissing(dir, err);
  }
  for (const name of [...SCRIPTS, ...(Object.keys(STYLES) as StyleName[])]) {
    if (!(name in manifest)) throw new AssetsMissing(dir, new Error(`${name} is not in the manifest`));
  }
  return {
    url: (name) => `/assets/${manifest[name].file}`,
    byFile: (file) => byFile.get(file),
  };
}
