// The unit's own news page lives in our database, so publishing is one idempotent insert.
import type { Kysely } from 'kysely';
import type { DB } from '../../services/storage/schema';
import type { PublishedRef, Publisher, PublishRequest, Verification } from './publisher';

export class NewsPagePublisher implements Publisher {
  readonly kind = 'news_page' as const;

  constructor(private readonly db: Kysely<DB>) {}

  async publish(req: PublishRequest): Promise<PublishedRef> {
    await this.db
      .insertInto('news_items')
      .values({
        post_id: req.post.id,
        unit_id: req.post.unit.id,
        target_id: req.targetId,
        title: req.post.title,
        body: req.post.text,
        published_at: new Date(),
      })
      .onConflict((oc) => oc.column('post_id').doNothing())
      .execute();
    return { externalId: req.post.id, url: req.post.pageUrl };
  }

  async verify(req: PublishRequest): Promise<Verification> {
    const row = await this.db.selectFrom('news_items').select('post_id').where('post_id', '=', req.post.id).executeTakeFirst();
    return row ? { published: true, ref: { externalId: req.post.id, url: req.post.pageUrl } } : { published: false };
  }
}
