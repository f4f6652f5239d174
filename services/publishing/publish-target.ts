// Publishing one target: wait for the channel if it is held, claim the target in the database before any
// outside call, give the platform adapter what it needs, record exactly what happened. A target found
// claimed with no recorded outcome is never retried blindly: the platform is asked first, where it can be.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { HoldReason } from '../../shared/channels/channel-words';
import type { ChannelKind } from '../../shared/post';
import { PUBLISHABLE } from '../../shared/status-machine';
import type { ChannelCredentials } from '../../shared/channels/channel-schemas';
import { parseCredentials, parseSettings } from '../channels/channel.repository';
import type { SecretBox } from '../channels/secret-box';
import type { MediaStore } from '../media/media-store';
import { photosForChannel } from '../media/read-photos';
import type { PublishSlot } from '../posts/deps';
import type { DB } from '../storage/schema';
import { credentialsHandle } from './credentials';
import { type PlatformAdapter, PlatformError, type PlatformPhoto, type PublishContext, type PublishInput, type PublishResult } from './platform';
import type { AdapterRegistry } from './platforms/registry';
import {
  type LoadedTarget,
  type TakeOptions,
  type TakenTarget,
  attemptsSince,
  claim,
  flagNeedsReconnect,
  giveBack,
  holdTarget,
  limitChannel,
  takeTarget,
  noteChannelError,
  recordFailure,
  recordPublished,
  saveCheckpoint,
} from './publish.repository';
import type { PublishMetrics } from '../operations/metrics';

export interface PublishDeps {
  db: Kysely<DB>;
  adapters: AdapterRegistry;
  box: SecretBox;
  log: Logger;
  now: () => Date;
  maxAttempts: number;
  publicBaseUrl: () => string;
  /** Where the photos' renditions are; without it posts go out as text only. */
  photos?: { store: MediaStore; signedUrlSeconds: number };
  /** JOB_LOCK_MS: with an adapter's call timeout, how long a live worker can stay silent on a claim. */
  jobLockMs: number;
  /** PUBLISH_LATE_WINDOW_SECONDS: a target that could not go out this long after its time waits for a supervisor instead. */
  lateWindowMs: number;
  /** WEBHOOK_WAIT_FOR_PLATFORMS_SECONDS: how long a webhook waits for the post's platforms, to carry their links. */
  webhookWaitMs: number;
  /** Counts each job's result and a publication's lateness for /metrics. */
  metrics?: PublishMetrics | undefined;
}

export type PublishOutcome =
  | { kind: 'stale' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'not-yet'; until: Date }
  /** Waiting on its channel: until a time (rate limit), or until an admin acts (no time). */
  | { kind: 'held'; until: Date | undefined; reason: string }
  /** `retract`: the post was taken back while this went out, so it is to be taken back now. */
  | { kind: 'published'; retract?: true }
  | { kind: 'retry'; delayMs?: number | undefined; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'unconfirmed'; reason: string };

/** How long a paused unit's due posts wait before looking again. */
const PAUSE_RECHECK_MS = 60_000;
/** How long a post whose photos are still being rendered waits before looking again. */
const PHOTOS_RECHECK_MS = 3_000;
/** How often a webhook waiting for the post's platforms looks again. */
const SIBLINGS_RECHECK_MS = 1_000;
/** A rate limit the platform gave no end for is looked at again after this long. */
const DEFAULT_LIMIT_MS = 60_000;

export function postPageUrl(base: string, unitSlug: string, postId: string): string {
  return `${base}/u/${encodeURIComponent(unitSlug)}/p/${postId}`;
}

export async function publishTarget(deps: PublishDeps, slot: PublishSlot): Promise<PublishOutcome> {
  let now = deps.now();
  let token = randomUUID();
  let row = await takeTarget(deps.db, slot, token, now, takeOptions(deps));
  if (!row || row.generation !== slot.generation) return { kind: 'stale' };
  // A job that will hold its photos' bytes takes one of a few slots first: at PUBLISH_CONCURRENCY jobs at once, a
  // process would otherwise hold every job's photos in memory together.
  let release: (() => void) | undefined;
  if (deps.photos && row.has_photos && deps.adapters[row.kind].photoInput === 'bytes') {
    release = photoBytesSlots.tryAcquire();
    if (!release) {
      release = await photoBytesSlots.acquire();
      try {
        // Whatever was read before the wait may have changed since (a pause, a hold, another worker's claim, the
        // time itself): it is read again, at a new time, before anything is decided on it.
        now = deps.now();
        token = randomUUID();
        row = await takeTarget(deps.db, slot, token, now, takeOptions(deps));
      } catch (err) {
        release();
        throw err;
      }
      if (!row || row.generation !== slot.generation) {
        release();
        return { kind: 'stale' };
      }
    }
  }
  try {
    const outcome = await publishLoaded(deps, row, token, now);
    const lateness = outcome.kind === 'published' ? (deps.now().getTime() - row.scheduled_at.getTime()) / 1000 : undefined;
    deps.metrics?.outcome(row.kind, outcome.kind, lateness);
    return outcome;
  } finally {
    release?.();
  }
}

/** Jobs of a process holding their photos' bytes at once. */
const PHOTO_BYTES_JOBS = 8;
const photoBytesSlots = slots(PHOTO_BYTES_JOBS);

function slots(n: number): { tryAcquire(): (() => void) | undefined; acquire(): Promise<() => void> } {
  let free = n;
  const waiting: Array<() => void> = [];
  // Each holder's release frees its slot once: a second call would free a slot someone else holds.
  const holder = () => {
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = waiting.shift();
      if (next) next();
      else free++;
    };
  };
  return {
    tryAcquire() {
      if (free === 0) return undefined;
      free--;
      return holder();
    },
    acquire() {
      const now = this.tryAcquire();
      if (now) return Promise.resolve(now);
      return new Promise((resolve) => waiting.push(() => resolve(holder())));
    },
  };
}

/** What the database may claim with the load: channel kinds without pacing, and each kind's first checkpoint. */
export function takeOptions(deps: Pick<PublishDeps, 'adapters' | 'lateWindowMs' | 'webhookWaitMs'>): TakeOptions {
  return { ...claimableKinds(deps.adapters), lateWindowMs: deps.lateWindowMs, webhookWaitMs: deps.webhookWaitMs };
}

/** Read from the adapters once per registry, not on every job: a registry never changes. */
const claimable = new WeakMap<AdapterRegistry, Pick<TakeOptions, 'kinds' | 'checkpoints'>>();

function claimableKinds(registry: AdapterRegistry): Pick<TakeOptions, 'kinds' | 'checkpoints'> {
  const known = claimable.get(registry);
  if (known) return known;
  const adapters = Object.values(registry) as PlatformAdapter[];
  const kinds = {
    kinds: adapters.filter((a) => a.pacing === undefined).map((a) => a.kind),
    checkpoints: Object.fromEntries(adapters.flatMap((a) => (a.claimCheckpoint === undefined ? [] : [[a.kind, a.claimCheckpoint]]))),
  };
  claimable.set(registry, kinds);
  return kinds;
}

export type Readiness =
  | { kind: 'ready'; links: PublishInput['links'] }
  | { kind: 'skip'; reason: string }
  | { kind: 'not-yet'; until: Date }
  | { kind: 'hold'; reason: HoldReason; until?: Date };

/**
 * Whether a loaded target can go now, from what the load read alone (photos, pacing and credentials come after).
 * siaran_ready_to_claim (migrations/0006) decides the same for the database's claim; a test holds them alike.
 */
export function publishReadiness(row: ReadinessFacts, now: Date, opts: { lateWindowMs: number; webhookWaitMs: number }): Readiness {
  if (row.status !== 'scheduled' && row.status !== 'held') return { kind: 'skip', reason: `target is ${row.status}` };
  if (!PUBLISHABLE.includes(row.post_status)) return { kind: 'skip', reason: `post is ${row.post_status}` };
  if (row.scheduled_at.getTime() > now.getTime() + 1000) return { kind: 'not-yet', until: row.scheduled_at };
  if (row.paused) return { kind: 'not-yet', until: new Date(now.getTime() + PAUSE_RECHECK_MS) };
  // Late is never silent: a post that could not go out near its time (a paused unit, an outage, a held
  // channel) waits for a supervisor to let it go, or for a new approval.
  if (!row.late_released && now.getTime() - row.scheduled_at.getTime() > opts.lateWindowMs) return { kind: 'hold', reason: 'post.late' };
  if (!row.enabled) return { kind: 'hold', reason: 'channel.disabled' };
  if (row.health === 'needs_reconnect') return { kind: 'hold', reason: 'channel.needs_reconnect' };
  if (row.limited_until && row.limited_until.getTime() > now.getTime()) {
    return { kind: 'hold', reason: (row.limit_reason as HoldReason | null) ?? 'channel.rate_limited', until: row.limited_until };
  }
  if (row.kind !== 'webhook') return { kind: 'ready', links: [] };
  // Receivers collect the platforms' links, so the webhook goes once the others have spoken (or waited long enough).
  const siblings = row.siblings;
  if (siblings.some((s) => s.status === 'scheduled' || s.status === 'publishing') && now.getTime() < row.scheduled_at.getTime() + opts.webhookWaitMs) {
    return { kind: 'not-yet', until: new Date(now.getTime() + SIBLINGS_RECHECK_MS) };
  }
  return { kind: 'ready', links: siblings.flatMap((s) => (s.status === 'published' && s.external_url ? [{ kind: s.kind, url: s.external_url }] : [])) };
}

export type ReadinessFacts = Pick<
  LoadedTarget,
  'status' | 'post_status' | 'scheduled_at' | 'paused' | 'late_released' | 'enabled' | 'health' | 'limited_until' | 'limit_reason' | 'kind' | 'siblings'
>;

async function publishLoaded(deps: PublishDeps, row: TakenTarget, token: string, now: Date): Promise<PublishOutcome> {
  const adapter = deps.adapters[row.kind] as PlatformAdapter;
  if (row.status === 'publishing') return resolveAbandonedClaim(deps, row, adapter);
  // The token, when the load claimed the target with it; given back if nothing is to be sent after all.
  const claimed = row.claimed_attempt === null ? undefined : token;

  const readiness = publishReadiness(row, now, deps);
  if (readiness.kind !== 'ready') {
    // The database claimed what the worker finds not ready: the two readings of siaran_ready_to_claim disagree,
    // which a test forbids. Nothing was sent; the worker's reading stands and the claim is given back.
    if (claimed) deps.log.error({ targetId: row.id, postId: row.post_id, channel: row.kind, readiness: readiness.kind }, 'the database claimed a target the worker finds not ready; the claim is given back');
    switch (readiness.kind) {
      case 'skip':
        if (claimed) await giveBack(deps.db, row, claimed, now);
        return { kind: 'skipped', reason: readiness.reason };
      case 'not-yet':
        if (claimed) await giveBack(deps.db, row, claimed, now);
        return { kind: 'not-yet', until: readiness.until };
      case 'hold':
        await holdTarget(deps.db, row, { reason: readiness.reason, until: readiness.until ?? null }, now, claimed);
        return { kind: 'held', until: readiness.until, reason: readiness.reason };
    }
  }
  if (adapter.pacing && row.claimed_attempt === null) {
    const pacing = await pacingGate(deps, row, adapter.pacing, now);
    if (pacing) {
      await holdTarget(deps.db, row, { reason: pacing.reason, until: pacing.until }, now);
      return { kind: 'held', until: pacing.until, reason: pacing.reason };
    }
  }

  // Everything that can fail before the platform is reached fails here, before the claim: nothing was sent.
  // (A target the load claimed has no photos to read.)
  const photos = await photosOf(deps, row, adapter);
  if (photos.kind === 'wait') return { kind: 'not-yet', until: new Date(now.getTime() + PHOTOS_RECHECK_MS) };
  if (photos.kind === 'broken') return failUnclaimed(deps, row, photos.reason, now);
  const handle = channelHandle(deps, row, adapter);
  if (!handle) {
    const reason = 'the channel credentials cannot be read; reconnect the channel';
    if (!(await flagNeedsReconnect(deps.db, row.channel_id, row.credentials_version, reason, now))) {
      // The credentials were replaced since the load: the new ones are tried, nothing waits for a reconnection.
      if (claimed) await giveBack(deps.db, row, claimed, now);
      return { kind: 'retry', delayMs: 0, reason: 'the channel credentials changed while this was loaded' };
    }
    // A claim the load took is given back with its attempt: nothing was sent.
    await holdTarget(deps.db, row, { reason: 'channel.needs_reconnect', until: null, error: reason }, now, claimed);
    return { kind: 'held', until: undefined, reason };
  }

  const start = adapter.claimCheckpoint === undefined ? undefined : { data: adapter.claimCheckpoint };
  const attempt = row.claimed_attempt ?? (await claim(deps.db, row, token, now, 'ready', start));
  if (attempt === undefined) return { kind: 'skipped', reason: 'claimed elsewhere' };
  const input = inputFor(deps, row, attempt, photos.photos, readiness.links);
  return runPublish(deps, row, adapter, input, contextFor(deps, row, adapter, handle, token, now, start ? start.data : (row.checkpoint ?? undefined)), token);
}

async function runPublish(
  deps: PublishDeps,
  row: LoadedTarget,
  adapter: PlatformAdapter,
  input: PublishInput,
  ctx: PublishContext<ChannelKind>,
  token: string,
): Promise<PublishOutcome> {
  let result: PublishResult;
  try {
    result = await adapter.publish(input, ctx);
  } catch (err) {
    if (err instanceof ClaimLost) return { kind: 'skipped', reason: 'claim lost while publishing' };
    return recordError(deps, row, adapter, input, ctx, token, err);
  }
  const recorded = await recordPublished(deps.db, row, token, result, deps.now());
  deps.log.info({ targetId: row.id, postId: row.post_id, channel: row.kind }, 'published');
  return published(recorded);
}

function published(recorded: 'recorded' | 'lost' | 'retract'): PublishOutcome {
  return recorded === 'retract' ? { kind: 'published', retract: true } : { kind: 'published' };
}

/** A channel whose pacing window is full holds its targets until the window frees; undefined when it can post. */
async function pacingGate(deps: PublishDeps, row: LoadedTarget, pacing: { posts: number; windowMs: number }, now: Date): Promise<{ reason: HoldReason; until: Date } | undefined> {
  const recent = await attemptsSince(deps.db, row.channel_id, new Date(now.getTime() - pacing.windowMs));
  if (recent.length < pacing.posts) return undefined;
  // The window frees when its oldest attempt leaves it.
  return { reason: 'channel.pacing', until: new Date(recent[recent.length - pacing.posts]!.getTime() + pacing.windowMs + 1) };
}

/** A failure found before any claim: nothing went out, and no attempt is spent on it. */
async function failUnclaimed(deps: PublishDeps, row: LoadedTarget, reason: string, now: Date): Promise<PublishOutcome> {
  const token = randomUUID();
  if ((await claim(deps.db, row, token, now, 'ready')) === undefined) return { kind: 'skipped', reason: 'claimed elsewhere' };
  await recordFailure(deps.db, row, token, 'failed', 'photo', reason, deps.now());
  return { kind: 'failed', reason };
}

type PhotosFor = { kind: 'ready'; photos: PlatformPhoto[] } | { kind: 'wait' } | { kind: 'broken'; reason: string };

/** The post's photos as rendered for this channel; a post never goes out without the photos it was approved with. */
async function photosOf(deps: PublishDeps, row: LoadedTarget, adapter: PlatformAdapter): Promise<PhotosFor> {
  if (!deps.photos || !row.has_photos) return { kind: 'ready', photos: [] };
  const { store, signedUrlSeconds } = deps.photos;
  const found = await photosForChannel(deps.db, store, row.post_id, row.kind, signedUrlSeconds, deps.now());
  if (!found.ready) {
    const failed = await deps.db.selectFrom('photos').select('id').where('id', 'in', found.missing).where('status', '=', 'failed').execute();
    return failed.length > 0 ? { kind: 'broken', reason: `photo ${failed[0]!.id} could not be rendered for ${row.kind}; replace it and retry` } : { kind: 'wait' };
  }
  const photos: PlatformPhoto[] = [];
  for (const p of found.photos) {
    photos.push({
      photoId: p.photoId,
      altText: p.altText,
      mime: p.mime,
      width: p.width,
      height: p.height,
      bytes: p.bytes,
      url: p.url,
      publicUrl: p.publicUrl,
      ...(adapter.photoInput === 'bytes' ? { data: await store.get(p.key) } : {}),
    });
  }
  return { kind: 'ready', photos };
}

type ChannelFields = Pick<LoadedTarget, 'channel_id' | 'kind' | 'channel_name' | 'settings' | 'secret_ciphertext' | 'credentials_version'>;

/** The channel of a target as its adapter sees it; undefined when its credentials cannot be read. */
export function channelHandleFor(deps: Pick<PublishDeps, 'db' | 'box' | 'now'>, row: ChannelFields, adapter: PlatformAdapter): PublishContext<ChannelKind>['channel'] | undefined {
  return channelHandle(deps, row, adapter);
}

/** A context for work with no steps to checkpoint (taking a post back, reading its figures). */
export function contextWithoutSteps(deps: Pick<PublishDeps, 'log' | 'now'>, adapter: PlatformAdapter, channel: PublishContext<ChannelKind>['channel'], logFields: Record<string, string>): PublishContext<ChannelKind> {
  return {
    channel,
    claimedAt: deps.now(),
    checkpoint: undefined,
    saveCheckpoint: () => Promise.resolve(),
    timeoutMs: adapter.timeoutMs,
    log: deps.log.child({ ...logFields, channel: channel.kind }),
  };
}

/**
 * Credentials opened and checked, per box and channel, with the sealed text they came from: opening them cost
 * every job more than its claim. Each seal has a fresh nonce, so new credentials never match the old text; only a
 * channel's latest are kept, so replaced ones leave memory at the channel's next publish. Frozen: every job of the
 * channel shares them.
 */
const openedCredentials = new WeakMap<SecretBox, Map<string, { sealed: string; credentials: unknown }>>();
const OPENED_CREDENTIALS_MAX = 1000;

function openCredentials<K extends ChannelKind>(box: SecretBox, channelId: string, kind: K, sealed: string | null): ChannelCredentials<K> {
  if (!sealed) return parseCredentials(kind, null);
  let opened = openedCredentials.get(box);
  if (!opened) openedCredentials.set(box, (opened = new Map<string, { sealed: string; credentials: unknown }>()));
  const known = opened.get(channelId);
  if (known?.sealed === sealed) return known.credentials as ChannelCredentials<K>;
  const credentials = deepFreeze(parseCredentials(kind, box.open(sealed)));
  if (!known && opened.size >= OPENED_CREDENTIALS_MAX) opened.clear();
  opened.set(channelId, { sealed, credentials });
  return credentials;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function channelHandle(deps: Pick<PublishDeps, 'db' | 'box' | 'now'>, row: ChannelFields, adapter: PlatformAdapter): PublishContext<ChannelKind>['channel'] | undefined {
  const kind = row.kind;
  try {
    const parse = (plain: string) => parseCredentials(kind, plain);
    const credentials = openCredentials(deps.box, row.channel_id, kind, row.secret_ciphertext);
    return {
      id: row.channel_id,
      kind,
      name: row.channel_name,
      settings: parseSettings(kind, row.settings),
      credentials: credentialsHandle(
        { db: deps.db, box: deps.box, channelId: row.channel_id, parse, leaseMs: adapter.timeoutMs + 10_000, now: deps.now },
        { credentials, version: row.credentials_version },
      ),
    };
  } catch {
    return undefined;
  }
}

class ClaimLost extends Error {}

function contextFor(
  deps: PublishDeps,
  row: LoadedTarget,
  adapter: PlatformAdapter,
  channel: PublishContext<ChannelKind>['channel'],
  token: string,
  claimedAt: Date,
  checkpoint: unknown,
): PublishContext<ChannelKind> {
  const ctx: PublishContext<ChannelKind> = {
    channel,
    claimedAt,
    checkpoint,
    timeoutMs: adapter.timeoutMs,
    log: deps.log.child({ targetId: row.id, channel: row.kind }),
    async saveCheckpoint(data) {
      if (!(await saveCheckpoint(deps.db, row.id, token, data, deps.now()))) throw new ClaimLost('claim lost');
      ctx.checkpoint = data;
    },
  };
  return ctx;
}

function inputFor(deps: PublishDeps, row: LoadedTarget, attempt: number, photos: PlatformPhoto[], links: PublishInput['links']): PublishInput {
  return {
    targetId: row.id,
    attempt,
    photos,
    links,
    post: {
      id: row.post_id,
      title: row.title,
      text: row.variants[row.channel_id] ?? row.body,
      thread: row.channel_options[row.channel_id]?.thread === true,
      scheduledAt: row.scheduled_at,
      unit: { id: row.unit_id, slug: row.unit_slug, name: row.unit_name, timeZone: row.time_zone },
      pageUrl: postPageUrl(deps.publicBaseUrl(), row.unit_slug, row.post_id),
    },
  };
}

async function recordError(
  deps: PublishDeps,
  row: LoadedTarget,
  adapter: PlatformAdapter,
  input: PublishInput,
  ctx: PublishContext<ChannelKind>,
  token: string,
  err: unknown,
): Promise<PublishOutcome> {
  const attempt = input.attempt;
  const now = deps.now();
  // An adapter that threw something unclassified may have sent the post already.
  const e = err instanceof PlatformError ? err : new PlatformError('unknown-outcome', `unexpected error: ${err instanceof Error ? err.message : String(err)}`);
  const log = { targetId: row.id, postId: row.post_id, channel: row.kind, errorKind: e.kind, reason: e.message };
  switch (e.kind) {
    case 'transient':
      await noteChannelError(deps.db, row.channel_id, e.message, now);
      if (attempt >= deps.maxAttempts) {
        const reason = `gave up after ${attempt} attempts: ${e.message}`;
        await recordFailure(deps.db, row, token, 'failed', e.kind, reason, now);
        deps.log.warn(log, 'publish failed');
        return { kind: 'failed', reason };
      }
      await recordFailure(deps.db, row, token, 'scheduled', e.kind, e.message, now);
      deps.log.info(log, 'publish will retry');
      return { kind: 'retry', reason: e.message };
    case 'rate-limited': {
      const until = e.hold?.until ?? new Date(now.getTime() + DEFAULT_LIMIT_MS);
      const reason = e.hold?.reason ?? 'channel.rate_limited';
      await limitChannel(deps.db, row.channel_id, until, reason, e.message, now);
      await holdTarget(deps.db, row, { reason, until, error: e.message }, now, token);
      deps.log.info({ ...log, until }, 'channel rate-limited; target held');
      return { kind: 'held', until, reason: e.message };
    }
    case 'auth-expired':
      if (!(await flagNeedsReconnect(deps.db, row.channel_id, row.credentials_version, e.message, now))) {
        // The credentials were replaced while this attempt ran (a refresh elsewhere, a reconnect): holding the
        // post for a reconnection nobody is asked for would strand it; it is tried again with the new ones.
        return recordError(deps, row, adapter, input, ctx, token, new PlatformError('transient', `${e.message} — the channel's credentials changed meanwhile; trying again with the new ones`));
      }
      await holdTarget(deps.db, row, { reason: 'channel.needs_reconnect', until: null, error: e.message }, now, token);
      deps.log.warn(log, 'channel needs re-connection; target held');
      return { kind: 'held', until: undefined, reason: e.message };
    case 'rejected':
      await noteChannelError(deps.db, row.channel_id, e.message, now);
      await recordFailure(deps.db, row, token, 'failed', e.kind, e.message, now);
      deps.log.warn(log, 'publish failed');
      return { kind: 'failed', reason: e.message };
    case 'unknown-outcome': {
      // Ask the platform before a human is asked.
      const verdict = await adapter.verify(input, ctx).catch((v: unknown) => ({ status: 'unknown' as const, reason: v instanceof Error ? v.message : 'verify failed' }));
      if (verdict.status === 'published') {
        const recorded = await recordPublished(deps.db, row, token, verdict.result, deps.now());
        deps.log.info({ ...log }, 'published (confirmed by the platform after an unclear answer)');
        return published(recorded);
      }
      const reason = verdict.status === 'unknown' ? `${e.message} — ${verdict.reason}` : `${e.message} — the platform shows no such post yet`;
      await recordFailure(deps.db, row, token, 'unconfirmed', e.kind, reason, now);
      deps.log.warn({ ...log, reason }, 'publish unconfirmed');
      return { kind: 'unconfirmed', reason };
    }
  }
}

/** A target claimed by a worker that never recorded an outcome: ask the platform, then resume, record, or ask a human. */
async function resolveAbandonedClaim(deps: PublishDeps, row: LoadedTarget, adapter: PlatformAdapter): Promise<PublishOutcome> {
  const staleToken = row.claim_token;
  if (!staleToken) return { kind: 'skipped', reason: 'target is publishing without a claim' };
  const now = deps.now();
  // A worker that lost its job lock may still be at work: its claim is abandoned only after a silence longer
  // than a lock and one outside call, and is taken over only if it stayed silent until then.
  const lastSign = row.progress_at ?? row.claimed_at ?? now;
  const quietUntil = lastSign.getTime() + deps.jobLockMs + adapter.timeoutMs + 1000;
  if (now.getTime() < quietUntil) return { kind: 'not-yet', until: new Date(quietUntil) };
  const handle = channelHandle(deps, row, adapter);
  const photos = await photosOf(deps, row, adapter);
  const input = inputFor(deps, row, row.attempts, photos.kind === 'ready' ? photos.photos : [], []);
  if (!handle || photos.kind !== 'ready') {
    const reason = 'a publish was interrupted and cannot be checked with the platform';
    await recordFailure(deps.db, row, staleToken, 'unconfirmed', 'unknown-outcome', reason, now);
    return { kind: 'unconfirmed', reason };
  }
  const ctx = contextFor(deps, row, adapter, handle, staleToken, row.claimed_at ?? now, row.checkpoint ?? undefined);
  let verdict;
  try {
    verdict = await adapter.verify(input, ctx);
  } catch (err) {
    // The platform could not be asked now; the claim stays, and the job (or the reconciler) asks again later.
    return { kind: 'retry', reason: `could not check an interrupted publish: ${err instanceof Error ? err.message : String(err)}` };
  }
  switch (verdict.status) {
    case 'published':
      const recorded = await recordPublished(deps.db, row, staleToken, verdict.result, deps.now());
      deps.log.info({ targetId: row.id, postId: row.post_id, channel: row.kind }, 'interrupted publish found published');
      return published(recorded);
    case 'unknown': {
      const reason = `the worker stopped while publishing: ${verdict.reason}`;
      await recordFailure(deps.db, row, staleToken, 'unconfirmed', 'unknown-outcome', reason, now);
      deps.log.warn({ targetId: row.id, postId: row.post_id, channel: row.kind, reason }, 'publish unconfirmed');
      return { kind: 'unconfirmed', reason };
    }
    case 'not-published': {
      // Nothing went out beyond the checkpoint: take the target over and carry on from there.
      const token = randomUUID();
      const attempt = await claim(deps.db, row, token, now, { abandoned: staleToken, progressAt: row.progress_at }, { data: verdict.checkpoint ?? null });
      if (attempt === undefined) return { kind: 'skipped', reason: 'claimed elsewhere' };
      deps.log.info({ targetId: row.id, postId: row.post_id, channel: row.kind }, 'resuming an interrupted publish');
      return runPublish(deps, row, adapter, { ...input, attempt }, contextFor(deps, row, adapter, handle, token, now, verdict.checkpoint), token);
    }
  }
}

