// Posts nearly the same as this one, among the last 30 days' posts of its Polda: the same press release copied
// by two Polres, or the same photo. Shown to the author and to the approvers as a warning with links; it blocks
// nothing (the same national campaign text may be meant to go out everywhere).
// How "nearly the same" is measured: shared/rules/near-duplicates.ts.
import { sql } from 'kysely';
import type { LocalizedText } from '../../shared/errors';
import type { Actor, Post, PostStatus } from '../../shared/post';
import { inReach } from '../../shared/rules/permissions';
import { PHOTO_SIMILAR_BITS, TEXT_SIMILAR, textSignature, textSimilarity } from '../../shared/rules/near-duplicates';
import { POST_STATUS_LABELS } from '../../shared/words';
import { unitPath } from '../units/unit.repository';
import { postInReach } from './access';
import type { PostDeps } from './deps';
import type { Db } from './post.repository';

/** How far back posts are compared. */
export const SIMILAR_WINDOW_DAYS = 30;
/** Posts a warning names at most, the most similar first. */
const SHOWN = 10;
/** Posts of a window that pass the index's test, read at most. */
const CANDIDATES = 200;

/**
 * A post nearly the same, as far as the reader may know it. A post out of the reader's reach that is not on its
 * unit's public news page is only named by its unit: no id, title, time or measure, which would let a reader probe
 * another unit's unpublished text by submitting variations of a guess.
 */
export interface SimilarPost {
  unitName: string;
  /** Null for a post the reader may not know more of. */
  postId: string | null;
  status: PostStatus | null;
  statusLabel: LocalizedText | null;
  title: string | null;
  /** Where the reader opens it: its page when in their reach, its public news page when published there. */
  href: string | null;
  submittedAt: string | null;
  /** The estimated share of three-word runs the two texts have in common (0..1), when nearly the same and known. */
  textSimilarity: number | null;
  /** Whether the first photos are nearly the same (null when not told). */
  samePhoto: boolean | null;
}

/**
 * Keeps the submitted post's text signature and the unit within which it is compared, replacing the last
 * submission's: called in the transaction that submits it.
 */
export async function recordFingerprint(db: Db, post: Post, path: readonly string[], now: Date): Promise<void> {
  const signature = textSignature(post.title, post.body);
  const scopeId = await scopeOf(db, path);
  const minhash = signature ? sql<string>`${arrayLiteral(signature.minhash.map(String))}::int8[]` : null;
  const bands = sql<string>`${arrayLiteral(signature?.bands ?? [])}::int8[]`;
  await db
    .insertInto('post_fingerprints')
    .values({ post_id: post.id, scope_id: scopeId, submitted_at: now, minhash, bands })
    .onConflict((oc) => oc.column('post_id').doUpdateSet({ scope_id: scopeId, submitted_at: now, minhash, bands }))
    .execute();
}

/**
 * The unit whose posts are compared with each other: the nearest unit on the path named "Polda …" (how every
 * regional police command is named), else the top of the tree (an installation of one Polres, or names of
 * another kind).
 */
async function scopeOf(db: Db, path: readonly string[]): Promise<string> {
  const units = await db.selectFrom('units').select(['id', 'name']).where('id', 'in', [...path]).execute();
  const byId = new Map(units.map((u) => [u.id, u.name]));
  for (let i = path.length - 1; i >= 0; i--) if (/^polda\b/i.test(byId.get(path[i]!)?.trim() ?? '')) return path[i]!;
  return path[0]!;
}

interface CandidateRow {
  id: string;
  title: string;
  status: PostStatus;
  unit_id: string;
  unit_name: string;
  unit_slug: string;
  submitted_at: Date | string;
  minhash: Array<string | number | bigint> | null;
  my_minhash: Array<string | number | bigint> | null;
  photo_bits: string | number | bigint | null;
  on_news_page: boolean;
}

/** Posts nearly the same as `postId` (which must have been submitted once), as this reader may be told of them. */
export async function similarPosts(db: Db, actor: Actor, postId: string, now: Date): Promise<SimilarPost[]> {
  const since = new Date(now.getTime() - SIMILAR_WINDOW_DAYS * 86_400_000);
  // One statement: the post's own signature and first photo, then the posts of its Polda in the window that share
  // a band of the text signature (the GIN index) or whose first photo differs in few bits.
  const { rows } = await sql<CandidateRow>`
    with me as (
      select f.scope_id, f.minhash, f.bands,
             (select ph.phash from photos ph where ph.post_id = f.post_id order by ph.position, ph.created_at limit 1) as phash
        from post_fingerprints f where f.post_id = ${postId}
    )
    select p.id, p.title, p.status, p.unit_id, u.name as unit_name, u.slug as unit_slug, f.submitted_at, f.minhash,
           me.minhash as my_minhash,
           case when me.phash is null or fp.phash is null then null else bit_count(int8send(fp.phash # me.phash)) end as photo_bits,
           exists (select 1 from post_targets t join channels c on c.id = t.channel_id
                    where t.post_id = p.id and c.kind = 'news_page' and t.status = 'published') as on_news_page
      from me
      join post_fingerprints f on f.scope_id = me.scope_id and f.post_id <> ${postId} and f.submitted_at > ${since}
      join posts p on p.id = f.post_id
      join units u on u.id = p.unit_id
      left join lateral (select ph.phash from photos ph where ph.post_id = p.id order by ph.position, ph.created_at limit 1) fp on true
     where p.status not in ('draft', 'rejected', 'cancelled', 'expired', 'retracted')
       and (f.bands && me.bands or (me.phash is not null and fp.phash is not null and bit_count(int8send(fp.phash # me.phash)) <= ${PHOTO_SIMILAR_BITS}))
     order by f.submitted_at desc
     limit ${CANDIDATES}`.execute(db);

  const found: Array<SimilarPost & { rank: number }> = [];
  const paths = new Map<string, string[]>();
  for (const r of rows) {
    const similarity = r.minhash && r.my_minhash ? textSimilarity(r.minhash.map(Number), r.my_minhash.map(Number)) : 0;
    const samePhoto = r.photo_bits !== null && Number(r.photo_bits) <= PHOTO_SIMILAR_BITS;
    if (similarity < TEXT_SIMILAR && !samePhoto) continue;
    let path = paths.get(r.unit_id);
    if (!path) paths.set(r.unit_id, (path = await unitPath(db, r.unit_id)));
    const rank = Math.max(similarity, samePhoto ? 1 - Number(r.photo_bits) / 64 : 0);
    const visible = inReach(actor, path);
    // Public already: its news page shows the title and text to anyone.
    const publicPost = r.on_news_page && (r.status === 'published' || r.status === 'failed' || r.status === 'unconfirmed');
    if (!visible && !publicPost) {
      found.push({ unitName: r.unit_name, postId: null, status: null, statusLabel: null, title: null, href: null, submittedAt: null, textSimilarity: null, samePhoto: null, rank });
      continue;
    }
    found.push({
      postId: r.id,
      unitName: r.unit_name,
      status: r.status,
      statusLabel: POST_STATUS_LABELS[r.status],
      title: r.title,
      href: visible ? `/posts/${r.id}` : `/u/${encodeURIComponent(r.unit_slug)}/p/${r.id}`,
      submittedAt: new Date(r.submitted_at).toISOString(),
      textSimilarity: similarity >= TEXT_SIMILAR ? similarity : null,
      samePhoto,
      rank,
    });
  }
  return found
    .sort((a, b) => b.rank - a.rank)
    .slice(0, SHOWN)
    .map(({ rank: _rank, ...s }) => s);
}

/** The posts nearly the same as a post the actor may see. */
export async function readSimilarPosts(deps: PostDeps, actor: Actor, postId: string): Promise<SimilarPost[]> {
  await postInReach(deps.db, actor, postId);
  return similarPosts(deps.db, actor, postId, deps.now());
}

/** A PostgreSQL array literal of integers given as decimal strings. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}
