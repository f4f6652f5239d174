// Where photo bytes live, behind the few calls the media code makes. Keys are `originals/...`
// (never served) or `renditions/<content hash>.<ext>` (served, immutable).
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface StoredObject {
  stream: Readable;
  bytes: number;
  contentType: string;
}

export interface MediaStore {
  /** Stores bytes, or moves a local file in (the file is gone afterwards). */
  put(key: string, source: Buffer | { file: string }, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Undefined when there is no such object. */
  stream(key: string): Promise<StoredObject | undefined>;
  delete(key: string): Promise<void>;
  /** The URL a browser uses; the route behind it decides whether the file is public yet. */
  publicUrl(key: string): string;
  /** A URL anyone may fetch until it expires: what Instagram and a preview use. */
  signedUrl(key: string, ttlSeconds: number, now?: Date): string;
}

/** Renditions only: originals must never be reachable by a URL, signed or not. */
export function isServableKey(key: string): boolean {
  return /^renditions\/[0-9a-f]{32}\.(jpg|png|webp)$/.test(key);
}

/** The media signing key, derived from the installation's secret key so nothing new has to be configured. */
export function mediaSigningKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'siaran media url signing', 32));
}

export function signKey(signingKey: Buffer, key: string, expiresAt: number): string {
  return createHmac('sha256', signingKey).update(`${key}\n${expiresAt}`).digest('base64url');
}

export function verifySignature(
  signingKey: Buffer,
  key: string,
  expires: string | undefined,
  signature: string | undefined,
  now: Date,
): boolean {
  if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return false;
  const expiresAt = Number(expires);
  if (expiresAt * 1000 < now.getTime()) return false;
  const expected = Buffer.from(signKey(signingKey, key, expiresAt));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Path and query of a signed rendition URL, relative to the base URL. */
export function signedPath(signingKey: Buffer, key: string, ttlSeconds: number, now: Date): string {
  const expiresAt = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return `/media/${key.slice('renditions/'.length)}?expires=${expiresAt}&signature=${signKey(signingKey, key, expiresAt)}`;
}

export function renditionKeyFromName(name: string): string {
  return `renditions/${name}`;
}

/**
 * The browser-facing URLs every store hands out: always our own `/media/` route, so where the bytes
 * live (disk or a private bucket) never shows in a URL and the route keeps deciding what is served.
 */
export function mediaUrls(
  baseUrl: string | (() => string),
  signingKey: Buffer,
): Pick<MediaStore, 'publicUrl' | 'signedUrl'> {
  const base = typeof baseUrl === 'string' ? () => baseUrl : baseUrl;
  const root = () => base().replace(/\/+$/, '');
  return {
    publicUrl: (key) => `${root()}/media/${key.slice(key.indexOf('/') + 1)}`,
    signedUrl: (key, ttlSeconds, now = new Date()) => `${root()}${signedPath(signingKey, key, ttlSeconds, now)}`,
  };
}

/** Keys become file paths and object names: refuse anything that could step outside its folder. */
export function assertMediaKey(key: string): void {
  if (!/^[a-z]+(\/[A-Za-z0-9._-]+)+$/.test(key) || key.includes('..')) throw new Error(`bad media key "${key}"`);
}
