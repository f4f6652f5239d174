// What the platforms say of what went out, for the monthly report: each published post's views, reactions,
// comments and shares on its platform, and each channel's followers. Run by the engagement job on a schedule.
// A post is read each run while it is young (most of its audience comes in its first two days), then once a day,
// for 30 days; a post the platform no longer has is marked and left. One channel's failure (a dead token, a
// throttle) is recorded for that channel in the platform's words and never stops the others.
import { sql } from 'kysely';
import type { ChannelKind } from '../../shared/post';
import { type Engagement, type EngagementReader, type PlatformAdapter, PlatformError, type PublishContext } from '../publishing/platform';
import { type PublishDeps, channelHandleFor, contextWithoutSteps } from '../publishing/publish-target';

export type EngagementDeps = Pick<PublishDeps, 'db' | 'adapters' | 'box' | 'log' | 'now'> & {
  /** How often the job runs: a young post is read again once its figures are older than most of this. */
  everyMs: number;
};

export interface EngagementRun {
  /** Posts whose figures were stored (or marked gone). */
  posts: number;
  /** Channels whose followers were stored. */
  audiences: number;
  /** Channels whose reading failed this run (the reason is kept on the channel). */
  failedChannels: number;
}

const DAY_MS = 86_400_000;
/** Posts older than this are no longer read: their figures have settled. */
const READ_FOR_MS = 30 * DAY_MS;
/** Posts younger than this are read every run. */
const YOUNG_MS = 2 * DAY_MS;
/** Posts one channel reads per run, so that one busy channel cannot hold the job for long. */
const POSTS_PER_CHANNEL = 300;

/** One pass over every channel whose platform reports figures. */
export async function collectEngagement(deps: EngagementDeps): Promise<EngagementRun> {
  const run: EngagementRun = { posts: 0, audiences: 0, failedChannels: 0 };
  const now = deps.now();
  for (const kind of Object.keys(deps.adapters) as ChannelKind[]) {
    const adapter = deps.adapters[kind] as PlatformAdapter;
    const reader = adapter.engagement;
    if (!reader) continue;
    const channels = await deps.db
      .selectFrom('channels')
      .leftJoin('channel_audience as a', 'a.channel_id', 'channels.id')
      .select(['channels.id as channel_id', 'channels.kind', 'channels.name as channel_name', 'channels.settings', 'channels.secret_ciphertext', 'channels.credentials_version', 'a.collected_at as audience_at', 'a.last_error'])
      .where('channels.kind', '=', kind)
      .where('channels.enabled', '=', true)
      // A channel waiting to be connected again would only fail; its admin already has that to do.
      .where('channels.health', '!=', 'needs_reconnect')
      // One the platform is holding back (a rate limit) keeps its allowance for publishing.
      .where((eb) => eb.or([eb('channels.limited_until', 'is', null), eb('channels.limited_until', '<=', now)]))
      .execute();
    for (const channel of channels) {
      const handle = channelHandleFor(deps, channel, adapter);
      if (!handle) {
        run.failedChannels++;
        await noteFailure(deps, channel.channel_id, 'the channel\'s credentials could not be opened (the secret key changed?); connect the channel again', now);
        continue;
      }
      const ctx = contextWithoutSteps(deps, adapter, handle, { job: 'engagement' });
      try {
        if (reader.posts) run.posts += await readPosts(deps, reader, ctx, channel.channel_id, now);
        // Followers change slowly: read once a day.
        if (reader.audience && (!channel.audience_at || now.getTime() - channel.audience_at.getTime() >= DAY_MS - deps.everyMs / 2)) {
          const followers = await reader.audience(ctx);
          await deps.db
            .insertInto('channel_audience')
            .values({ channel_id: channel.channel_id, followers, collected_at: now, last_error: null, last_error_at: null })
            .onConflict((oc) => oc.column('channel_id').doUpdateSet({ followers, collected_at: now, last_error: null, last_error_at: null }))
            .execute();
          run.audiences++;
        } else if (channel.last_error !== null) {
          // Read well this time: the last failure no longer says anything about the channel.
          await deps.db.updateTable('channel_audience').set({ last_error: null, last_error_at: null }).where('channel_id', '=', channel.channel_id).execute();
        }
      } catch (err) {
        run.failedChannels++;
        const words = err instanceof Error ? err.message : String(err);
        deps.log.warn({ channelId: channel.channel_id, kind, err: words }, 'could not read engagement');
        await noteFailure(deps, channel.channel_id, words, now);
        // A limit on the app (Meta's app-wide throttle, X's window) holds for its other accounts too: the platform
        // is left alone until the next run, and its allowance goes to publishing.
        if (err instanceof PlatformError && err.kind === 'rate-limited') break;
      }
    }
  }
  return run;
}

/** Why the channel's last reading failed, in the platform's words (never a token: the clients keep none in them). */
async function noteFailure(deps: EngagementDeps, channelId: string, words: string, now: Date): Promise<void> {
  const lastError = words.length > 500 ? `${words.slice(0, 499)}…` : words;
  try {
    await deps.db
      .insertInto('channel_audience')
      .values({ channel_id: channelId, followers: null, collected_at: null, last_error: lastError, last_error_at: now })
      .onConflict((oc) => oc.column('channel_id').doUpdateSet({ last_error: lastError, last_error_at: now }))
      .execute();
  } catch (err) {
    // Noting it is a courtesy: the other channels are read all the same.
    deps.log.warn({ err, channelId }, 'could not note an engagement failure');
  }
}

/** The channel's posts due for reading, in calls of the platform's size; returns how many were stored. */
async function readPosts(deps: EngagementDeps, reader: EngagementReader<ChannelKind>, ctx: PublishContext<ChannelKind>, channelId: string, now: Date): Promise<number> {
  const due = await deps.db
    .selectFrom('post_targets as t')
    .leftJoin('target_engagement as e', 'e.target_id', 't.id')
    .select(['t.id as targetId', 't.external_id as externalId'])
    .where('t.channel_id', '=', channelId)
    .where('t.status', '=', 'published')
    .where('t.external_id', 'is not', null)
    .where('t.published_at', '>=', new Date(now.getTime() - READ_FOR_MS))
    .where((eb) =>
      eb.or([
        eb('e.target_id', 'is', null),
        eb.and([
          eb('e.gone', '=', false),
          eb.or([
            // Half a run of slack, so that a run a little early still reads what the last one read.
            eb.and([eb('t.published_at', '>=', new Date(now.getTime() - YOUNG_MS)), eb('e.collected_at', '<=', new Date(now.getTime() - deps.everyMs / 2))]),
            eb('e.collected_at', '<=', new Date(now.getTime() - DAY_MS + deps.everyMs / 2)),
          ]),
        ]),
      ]),
    )
    .orderBy(sql`e.collected_at nulls first`)
    .orderBy('t.published_at', 'desc')
    .limit(POSTS_PER_CHANNEL)
    .execute();
  let stored = 0;
  const size = Math.max(1, reader.perCall);
  for (let i = 0; i < due.length; i += size) {
    const batch = due.slice(i, i + size).map((t) => ({ targetId: t.targetId, externalId: t.externalId! }));
    const figures = await reader.posts!(batch, ctx);
    for (const [targetId, f] of figures) {
      await storeFigures(deps, targetId, f, now);
      stored++;
    }
  }
  return stored;
}

async function storeFigures(deps: EngagementDeps, targetId: string, f: Engagement | 'gone', at: Date): Promise<void> {
  if (f === 'gone') {
    // The last figures read stay: they are what the post reached while it was up.
    await deps.db
      .insertInto('target_engagement')
      .values({ target_id: targetId, views: null, reactions: null, comments: null, reposts: null, gone: true, collected_at: at })
      .onConflict((oc) => oc.column('target_id').doUpdateSet({ gone: true, collected_at: at }))
      .execute();
    return;
  }
  const row = { views: f.views, reactions: f.reactions, comments: f.comments, reposts: f.reposts, gone: false, collected_at: at };
  await deps.db
    .insertInto('target_engagement')
    .values({ target_id: targetId, ...row })
    .onConflict((oc) => oc.column('target_id').doUpdateSet(row))
    .execute();
}

export interface TargetFigures {
  views: number | null;
  reactions: number | null;
  comments: number | null;
  reposts: number | null;
  gone: boolean;
  collectedAt: Date;
}

/** The latest reading of each of these targets, for the post's page. */
export async function figuresOfTargets(db: EngagementDeps['db'], targetIds: readonly string[]): Promise<Map<string, TargetFigures>> {
  if (targetIds.length === 0) return new Map();
  const rows = await db.selectFrom('target_engagement').selectAll().where('target_id', 'in', targetIds).execute();
  return new Map(rows.map((r) => [r.target_id, { views: r.views, reactions: r.reactions, comments: r.comments, reposts: r.reposts, gone: r.gone, collectedAt: r.collected_at }]));
}
