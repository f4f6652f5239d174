// The unit's own news page lives in our database, so publishing is one idempotent insert.
import type { Kysely } from 'kysely';
import type { DB } from '../../../storage/schema';
import type { ConnectionReport, PlatformAdapter, PublishInput, PublishResult, Verification } from '../../platform';

export function newsPageAdapter(db: Kysely<DB>): PlatformAdapter<'news_page'> {
  const result = (input: PublishInput): PublishResult => ({ externalId: input.post.id, url: input.post.pageUrl, ids: [input.post.id] });
  return {
    kind: 'news_page',
    timeoutMs: 0,
    photoInput: 'url',
    async publish(input, ctx) {
      await db
        .insertInto('news_items')
        .values({
          post_id: input.post.id,
          unit_id: input.post.unit.id,
          target_id: input.targetId,
          title: input.post.title,
          body: input.post.text,
          published_at: ctx.claimedAt,
        })
        .onConflict((oc) => oc.column('post_id').doNothing())
        .execute();
      return result(input);
    },
    async verify(input): Promise<Verification> {
      const row = await db.selectFrom('news_items').select('post_id').where('post_id', '=', input.post.id).executeTakeFirst();
      return row ? { status: 'published', result: result(input) } : { status: 'not-published', checkpoint: undefined };
    },
    async retract(input) {
      await db.updateTable('news_items').set({ retracted_at: input.retractedAt }).where('post_id', '=', input.post.id).execute();
    },
    test(): Promise<ConnectionReport> {
      return Promise.resolve({ ok: true, detail: { id: 'Halaman berita satuan selalu tersedia.', en: "The unit's news page is always available." } });
    },
  };
}
