// Amplification, as the ranking counts it: a published post's permalink visits and its shares by personnel
// (to WhatsApp, copied, its photo taken), per post and day. Counts only: no address, no cookie, nobody's identity.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('amplification_counts')
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('visit', 'share_whatsapp', 'share_copy', 'photo')`))
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('amplification_counts_pk', ['post_id', 'day', 'kind'])
    .execute();
  await db.schema.createIndex('amplification_counts_unit_idx').on('amplification_counts').columns(['unit_id', 'day']).execute();
}
