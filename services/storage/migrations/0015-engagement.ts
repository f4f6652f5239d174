// What the platforms say of what went out: each published target's latest figures (views, reactions, comments,
// shares on the platform), and each channel's audience (followers, subscribers). Collected on a schedule by the
// engagement job; kept as the latest reading, which the monthly report sums.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('target_engagement')
    .addColumn('target_id', 'uuid', (c) => c.primaryKey().references('post_targets.id').onDelete('cascade'))
    // Null where the platform does not give that figure (or gives it only above a threshold of viewers).
    .addColumn('views', 'integer')
    .addColumn('reactions', 'integer')
    .addColumn('comments', 'integer')
    .addColumn('reposts', 'integer')
    // The platform no longer has the post (deleted there): its last figures are kept, and it is not asked again.
    .addColumn('gone', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('collected_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('channel_audience')
    .addColumn('channel_id', 'uuid', (c) => c.primaryKey().references('channels.id').onDelete('cascade'))
    .addColumn('followers', 'integer')
    .addColumn('collected_at', 'timestamptz')
    // Why the last collection for this channel read nothing, in the platform's words; cleared by a good one.
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'timestamptz')
    .execute();
  // The job's question, per channel: its published targets of the last weeks.
  await sql`create index post_targets_channel_published_idx on post_targets (channel_id, published_at) where status = 'published'`.execute(db);
}
