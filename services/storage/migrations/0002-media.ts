import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('photos')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id'))
    .addColumn('post_id', 'uuid', (c) => c.references('posts.id'))
    .addColumn('uploaded_by', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('alt_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('fit', 'text', (c) => c.notNull().defaultTo('crop').check(sql`fit in ('crop', 'pad')`))
    .addColumn('original_key', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('processing', 'ready', 'failed')`))
    .addColumn('error', 'text')
    // Bumped by every change that alters the pixels (the fit); renditions carry the version they were made from.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('photos_post_idx').on('photos').columns(['post_id', 'position']).execute();
  await db.schema.createIndex('photos_unit_idx').on('photos').column('unit_id').execute();

  await db.schema
    .createTable('photo_renditions')
    .addColumn('photo_id', 'uuid', (c) => c.notNull().references('photos.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('photo_version', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('photo_renditions_pk', ['photo_id', 'name'])
    .execute();
  await db.schema.createIndex('photo_renditions_key_idx').on('photo_renditions').column('key').execute();

  await db.schema
    .createTable('unit_watermarks')
    .addColumn('unit_id', 'uuid', (c) => c.primaryKey().references('units.id'))
    .addColumn('logo_key', 'text', (c) => c.notNull())
    .addColumn('corner', 'text', (c) =>
      c.notNull().check(sql`corner in ('top-left', 'top-right', 'bottom-left', 'bottom-right')`),
    )
    .addColumn('opacity', 'double precision', (c) => c.notNull().check(sql`opacity > 0 and opacity <= 1`))
    .addColumn('scale', 'double precision', (c) => c.notNull().check(sql`scale > 0 and scale <= 0.5`))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_by', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('unit_watermarks').execute();
  await db.schema.dropTable('photo_renditions').execute();
  await db.schema.dropTable('photos').execute();
}
