// Rendition files by URL: with a valid signature until it expires, or openly once the post is public.
import type { MediaDeps } from './deps';
import { mediaErrors } from './media-errors';
import { type StoredObject, isServableKey, renditionKeyFromName, verifySignature } from './media-store';

export interface ServedFile extends StoredObject {
  cacheControl: string;
  etag: string;
}

/** How long a cache may serve a public photo before asking again whether its post is still out. */
const PUBLIC_MAX_AGE = 600;

export async function serveRendition(
  deps: Pick<MediaDeps, 'db' | 'store' | 'signingKey' | 'now'>,
  name: string,
  query: { expires?: string | undefined; signature?: string | undefined },
): Promise<ServedFile> {
  const key = renditionKeyFromName(name);
  if (!isServableKey(key)) throw mediaErrors.fileNotFound();
  const now = deps.now();
  let cacheControl: string;
  if (query.signature !== undefined || query.expires !== undefined) {
    if (!verifySignature(deps.signingKey, key, query.expires, query.signature, now)) throw mediaErrors.fileNotFound();
    // The URL dies at its expiry; caches must not keep serving it beyond.
    const left = Math.max(0, Number(query.expires) - Math.floor(now.getTime() / 1000));
    cacheControl = `private, max-age=${left}, immutable`;
  } else {
    if (!(await isPublished(deps, key))) throw mediaErrors.fileNotFound();
    // The name is the content's hash, so the bytes never change; but whether they may be served does: a post
    // taken back must stop being served through caches too, so they ask again (a cheap 304) after a while.
    cacheControl = `public, max-age=${PUBLIC_MAX_AGE}`;
  }
  const file = await deps.store.stream(key);
  if (!file) throw mediaErrors.fileNotFound();
  return { ...file, cacheControl, etag: `"${name.slice(0, name.indexOf('.'))}"` };
}

/**
 * A rendition is public once some channel of its photo's post has published, or while a webhook delivery of it is
 * being made: its receiver may fetch the photo before answering. A post taken back takes its photos' public links
 * with it.
 */
async function isPublished(deps: Pick<MediaDeps, 'db'>, key: string): Promise<boolean> {
  const row = await deps.db
    .selectFrom('photo_renditions as r')
    .innerJoin('photos as p', 'p.id', 'r.photo_id')
    .innerJoin('post_targets as t', 't.post_id', 'p.post_id')
    .select('r.key')
    .where('r.key', '=', key)
    .innerJoin('channels as c', 'c.id', 't.channel_id')
    .where((eb) => eb.or([eb('t.status', '=', 'published'), eb.and([eb('t.status', '=', 'publishing'), eb('c.kind', '=', 'webhook')])]))
    // Asked to be taken back (pending, done or not possible there): no longer served from here.
    .where('t.retraction', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
