// Browser code is bundled once per process with esbuild, from the same shared/ modules the server runs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build, stop } from 'esbuild';

export interface Asset {
  body: Buffer;
  /** Compressed once at build: phones on slow links get a fraction of the bytes. */
  brotli: Buffer;
  gzip: Buffer;
  type: string;
  hash: string;
}

const SCRIPTS = ['compose', 'calendar'] as const;
export type ScriptName = (typeof SCRIPTS)[number];

export interface AssetStore {
  ready(): Promise<void>;
  /** URL with the content hash, cacheable for a year. */
  url(name: ScriptName | 'style'): string;
  byFile(file: string): Asset | undefined;
}

/** The client sources: beside this file when run from sources, back in services/ when run from dist/. */
function sourceDir(): string {
  const here = path.join(__dirname, 'assets');
  return fs.existsSync(path.join(here, 'compose.client.ts')) ? here : path.resolve(__dirname, '..', '..', '..', 'services', 'web', 'assets');
}

export function assetStore(dir: string = sourceDir()): AssetStore {
  const byName = new Map<string, { file: string; asset: Asset }>();
  const add = (name: string, ext: string, type: string, body: Buffer) => {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const brotli = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
    byName.set(name, { file: `${name}.${hash}.${ext}`, asset: { body, brotli, gzip: zlib.gzipSync(body, { level: 9 }), type, hash } });
  };
  const building = (async () => {
    const entry = (name: string) => path.join(dir, `${name}.client.ts`);
    for (const name of SCRIPTS) {
      const out = await build({
        entryPoints: [entry(name)],
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
      add(name, 'js', 'text/javascript; charset=utf-8', Buffer.from(out.outputFiles[0]!.contents));
    }
    // esbuild's helper process would otherwise keep a finished server from exiting.
    await stop();
    add('style', 'css', 'text/css; charset=utf-8', fs.readFileSync(path.join(dir, 'siaran.css')));
  })();
  building.catch(() => undefined);
  return {
    ready: () => building,
    url(name) {
      const entry = byName.get(name);
      return `/assets/${entry ? entry.file : `${name}.missing`}`;
    },
    byFile(file) {
      for (const v of byName.values()) if (v.file === file) return v.asset;
      return undefined;
    },
  };
}
