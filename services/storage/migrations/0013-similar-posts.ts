// Posts nearly the same as others of their Polda (shared/rules/near-duplicates.ts): each submitted post's text
// signature, kept from its last submission, and each photo's difference hash, made when it is received.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('photos').addColumn('phash', 'int8').execute();
  await db.schema
    .createTable('post_fingerprints')
    .addColumn('post_id', 'uuid', (c) => c.primaryKey().references('posts.id').onDelete('cascade'))
    // The unit within which posts are compared: the post's Polda (services/posts/similar-posts.ts).
    .addColumn('scope_id', 'uuid', (c) => c.notNull().references('units.id'))
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    // Null when the text is too short to compare: the photo may still be.
    .addColumn('minhash', sql`int8[]`)
    .addColumn('bands', sql`int8[]`, (c) => c.notNull().defaultTo(sql`'{}'::int8[]`))
    .execute();
  await db.schema.createIndex('post_fingerprints_scope_idx').on('post_fingerprints').columns(['scope_id', 'submitted_at']).execute();
  await sql`create index post_fingerprints_bands_idx on post_fingerprints using gin (bands)`.execute(db);
}
