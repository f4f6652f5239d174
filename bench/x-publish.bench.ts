// What Siaran adds to publishing one X post with two photos: the whole publish use case (load, channel
// gate and pacing, reading the renditions, the claim, checkpoints, the outcome with its events) beside
// calling twitter-api-v2 directly with the same bytes, both against the same local fake of X's API,
// rounds alternated. On embedded PGlite and on PostgreSQL.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { dropSchema } from './support';
import sharp from 'sharp';
import { TwitterApi } from 'twitter-api-v2';
import { decodeKey, loadEnv } from '../config/env';
import { type ChannelDeps, addXChannelWithTokens } from '../services/channels/manage-channels';
import { secretBox } from '../services/channels/secret-box';
import { createLocalMediaStore } from '../services/media/local-media-store';
import { mediaSigningKey } from '../services/media/media-store';
import { RECONCILER_QUEUES } from '../services/posts/deps';
import { approvePost, submitPost } from '../services/posts/review-post';
import { createPost } from '../services/posts/write-post';
import { platformAdapters, platformConfig } from '../services/publishing/platforms/registry';
import { type PublishDeps, publishTarget } from '../services/publishing/publish-target';
import { type Database, migrateToLatest, openDatabase } from '../services/storage/database';
import { addUnit } from '../services/units/unit.repository';
import { addUser } from '../services/users/user.repository';
import { type FakeX, startFakeX } from '../test/support/fakes/fake-x';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 40);
const WARMUP = 5;
/** The distance to X in the last row, per call (`--latency-ms=`). */
const LATENCY_MS = Number(process.argv.find((a) => a.startsWith('--latency-ms='))?.slice(13) ?? 40);

function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, mean: s.reduce((a, b) => a + b, 0) / s.length, p90: s[Math.floor(s.length * 0.9)]! };
}

/** The same two photos X receives from Siaran, as JPEG bytes. */
async function photos(): Promise<Buffer[]> {
  return Promise.all([
    sharp({ create: { width: 1600, height: 1066, channels: 3, background: '#2f6db5' } }).jpeg({ quality: 82 }).toBuffer(),
    sharp({ create: { width: 1200, height: 1600, channels: 3, background: '#b5452f' } }).jpeg({ quality: 82 }).toBuffer(),
  ]);
}

async function siaranSetup(x: FakeX, databaseUrl: string | undefined, images: Buffer[]) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-xbench-'));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const key = randomBytes(32).toString('hex');
  const env = loadEnv({
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
    SECRETS_KEY: key,
    X_API_URL: x.url,
    X_CONSUMER_KEY: x.app.consumerKey,
    X_CONSUMER_SECRET: x.app.consumerSecret,
    SCHEDULE_MIN_LEAD_SECONDS: '1',
  });
  const database: Database = await openDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: databaseUrl ? dataDir : 'memory://' });
  await migrateToLatest(database, env.DATABASE_SCHEMA);
  const db = database.db;
  const log = pino({ level: 'silent' });
  const box = secretBox(decodeKey(key)!);
  const store = createLocalMediaStore({ root: path.join(dataDir, 'media'), baseUrl: 'http://localhost:3000', signingKey: mediaSigningKey(decodeKey(key)!) });
  const platforms = platformConfig(env, db);
  const adapters = platformAdapters(platforms);
  const noQueue = RECONCILER_QUEUES;
  const channels: ChannelDeps = { db, box, adapters, x: platforms.x, telegram: platforms.telegram, facebook: platforms.facebook,
    instagram: platforms.instagram,
    photosUnreachable: undefined, scheduler: noQueue, baseUrl: () => 'http://localhost:3000', now: () => new Date(), log };
  const unit = await addUnit(db, { slug: 'polres-bench', name: 'Polres Bench', timeZone: 'Asia/Jakarta' });
  const op = await addUser(db, { email: 'op@bench.siaran', name: 'op', unitSlug: unit.slug, role: 'operator' });
  const sup = await addUser(db, { email: 'sup@bench.siaran', name: 'sup', unitSlug: unit.slug, role: 'supervisor' });
  const channel = await addXChannelWithTokens(channels, { unitId: unit.id, accessToken: x.oauth1.accessToken, accessSecret: x.oauth1.accessSecret });
  // The two renditions are stored once; each post's photos point at them, as re-used renditions do.
  const renditions: Array<{ key: string; bytes: number; width: number; height: number; hash: string }> = [];
  for (const data of images) {
    const hash = createHash('sha256').update(data).digest('hex').slice(0, 32);
    const k = `renditions/${hash}.jpg`;
    await store.put(k, data, 'image/jpeg');
    const meta = await sharp(data).metadata();
    renditions.push({ key: k, bytes: data.length, width: meta.width, height: meta.height, hash });
  }
  const posts = { db, scheduler: noQueue, log, now: () => new Date(), minLeadSeconds: 1 };
  const deps: PublishDeps = {
    db,
    adapters,
    box,
    log,
    now: () => new Date(),
    maxAttempts: 5,
    publicBaseUrl: () => 'http://localhost:3000',
    photos: { store, signedUrlSeconds: 3600 },
    jobLockMs: 30_000,
    lateWindowMs: 6 * 3_600_000,
    webhookWaitMs: 0,
  };

  /** An approved post with two photos whose time has come; returns its publish slot. */
  const due = async (i: number) => {
    const post = await createPost(posts, { id: op.id, role: 'operator', unitId: unit.id }, { title: `Bench ${i}`, body: `Siaran bench post ${i} ${randomUUID()}`, channelIds: [channel.id], variants: {}, channelOptions: {}, scheduledAt: new Date(Date.now() + 60_000).toISOString() });
    for (const [position, r] of renditions.entries()) {
      const id = randomUUID();
      await db.insertInto('photos').values({ id, unit_id: unit.id, post_id: post.id, uploaded_by: op.id, position, alt_text: `Foto ${position + 1} kegiatan`, fit: 'crop', original_key: `originals/${unit.id}/${id}`, mime: 'image/jpeg', width: r.width, height: r.height, bytes: r.bytes, sha256: r.hash, status: 'ready', version: 1, created_at: new Date(), updated_at: new Date() }).execute();
      await db.insertInto('photo_renditions').values({ photo_id: id, name: 'x', profile: 'x', photo_version: 1, key: r.key, mime: 'image/jpeg', width: r.width, height: r.height, bytes: r.bytes, content_hash: r.hash }).execute();
    }
    const submitted = await submitPost(posts, { id: op.id, role: 'operator', unitId: unit.id }, post.id);
    await approvePost(posts, { id: sup.id, role: 'supervisor', unitId: unit.id }, post.id, { expectedVersion: submitted.version });
    await db.updateTable('posts').set({ scheduled_at: new Date() }).where('id', '=', post.id).execute();
    const t = await db.selectFrom('post_targets').select(['id', 'generation']).where('post_id', '=', post.id).executeTakeFirstOrThrow();
    return { targetId: t.id, generation: t.generation };
  };
  return {
    due,
    publish: async (slot: { targetId: string; generation: number }) => {
      const outcome = await publishTarget(deps, slot);
      if (outcome.kind !== 'published') throw new Error(`not published: ${JSON.stringify(outcome)}`);
    },
    async close() {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (databaseUrl) await dropSchema(databaseUrl, schema);
    },
  };
}

/** The baseline: twitter-api-v2 alone, the same calls (two chunked uploads, two alt texts, the post). */
function direct(x: FakeX, images: Buffer[]) {
  const api = new TwitterApi(
    { appKey: x.app.consumerKey, appSecret: x.app.consumerSecret, accessToken: x.oauth1.accessToken, accessSecret: x.oauth1.accessSecret },
    {
      httpAgent: new http.Agent({ keepAlive: true }),
      plugins: [{ onBeforeRequestConfig: (args) => void (args.params.url = args.params.url.replace(/^https:\/\/(api|upload)\.x\.com/, x.url)) }],
    },
  );
  return async (i: number) => {
    const ids: string[] = [];
    for (const [n, data] of images.entries()) {
      const id = await api.v2.uploadMedia(data, { media_type: 'image/jpeg', media_category: 'tweet_image' });
      await api.v2.createMediaMetadata(id, { alt_text: { text: `Foto ${n + 1} kegiatan` } });
      ids.push(id);
    }
    await api.v2.tweet({ text: `Direct bench post ${i} ${randomUUID()}`, media: { media_ids: ids as [string, string] } });
  };
}

export async function run(): Promise<void> {
  const pgUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const images = await photos();
  console.log(`one X post with 2 photos (${images.map((b) => `${Math.round(b.length / 1024)} kB`).join(' + ')}), ${ROUNDS} rounds alternated after ${WARMUP} warm-up, against the local fake of X's API`);
  console.log(`  ${'where'.padEnd(30)} ${'twitter-api-v2 alone'.padStart(22)} ${'Siaran publish'.padStart(16)} ${'ratio'.padStart(7)}  goal`);
  const cases = [
    ['embedded PGlite', undefined, 0],
    ['PostgreSQL', pgUrl, 0],
    // X is an ocean away from a Polres: each call takes tens of milliseconds before the fake even answers.
    [`PostgreSQL, X ${LATENCY_MS} ms away`, pgUrl, LATENCY_MS],
  ] as const;
  for (const [label, url, latency] of cases) {
    const x = await startFakeX();
    x.postLimit = 1_000_000;
    x.latencyMs = latency;
    let siaran;
    try {
      siaran = await siaranSetup(x, url, images);
    } catch (err) {
      console.log(`  ${label}: skipped (${err instanceof Error ? err.message : String(err)})`);
      await x.close();
      continue;
    }
    const baseline = direct(x, images);
    const base: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < ROUNDS + WARMUP; i++) {
      const slot = await siaran.due(i);
      const timeOne = async (fn: () => Promise<void>) => {
        const t = process.hrtime.bigint();
        await fn();
        return Number(process.hrtime.bigint() - t) / 1e6;
      };
      // Alternate which goes first, so that neither always meets a warmer cache.
      const pair = i % 2 === 0 ? [await timeOne(() => baseline(i)), await timeOne(() => siaran.publish(slot))] : [0, 0];
      if (i % 2 === 1) {
        pair[1] = await timeOne(() => siaran.publish(slot));
        pair[0] = await timeOne(() => baseline(i));
      }
      if (i >= WARMUP) {
        base.push(pair[0]!);
        ours.push(pair[1]!);
      }
    }
    const b = summary(base);
    const s = summary(ours);
    console.log(`  ${label.padEnd(30)} ${`${b.median.toFixed(1)} ms`.padStart(22)} ${`${s.median.toFixed(1)} ms`.padStart(16)} ${`${(s.median / b.median).toFixed(2)}×`.padStart(7)}  ≤ 1.3×   (median; mean ${b.mean.toFixed(1)} vs ${s.mean.toFixed(1)} ms, p90 ${b.p90.toFixed(1)} vs ${s.p90.toFixed(1)} ms)`);
    await siaran.close();
    await x.close();
  }
}
