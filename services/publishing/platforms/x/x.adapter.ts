// Publishing to an X account: photos (with alt text) uploaded first, then the post, or a thread of
// replies. Every step is recorded before it is taken, so an interrupted thread resumes where it stopped.
import type { ChannelCredentials } from '../../../../shared/channels/channel-schemas';
import { splitThread } from '../../../../shared/channels/channel-text';
import { type ConnectionReport, type Engagement, type PlatformAdapter, PlatformError, idsToRetract, type PublishContext, type PublishInput, type PublishResult, type Verification } from '../../platform';
import { type XAppConfig, XCallError, type XClient, type XFailure, type XUserAuth, xClient, xOAuth2 } from './x.client';

type XCredentials = ChannelCredentials<'x'>;

interface XCheckpoint {
  /** Photos uploaded so far, in the post's order: X keeps uploaded media for 24 hours. */
  media: Array<{ photoId: string; mediaId: string }>;
  /** Ids of the thread's parts that went out, in order. */
  parts: string[];
  /** The part whose request is under way: whether it arrived is unknown until X is asked. */
  sending?: number | undefined;
}

/** X allows 100 posts per 15 minutes per user. */
const PACING = { posts: 100, windowMs: 15 * 60_000 };
/** An access token this close to its end is renewed before use. */
const RENEW_MARGIN_MS = 2 * 60_000;

export function xAdapter(app: XAppConfig): PlatformAdapter<'x'> {
  const authOf = (c: XCredentials): XUserAuth => (c.type === 'oauth1' ? c : { type: 'oauth2', accessToken: c.accessToken });

  /** Fresh credentials: an OAuth 2 token near its end is renewed once, across all workers. */
  const fresh = (ctx: PublishContext<'x'>, failedToken?: string) =>
    ctx.channel.credentials.renew(
      (c) => c.type === 'oauth2' && (failedToken !== undefined ? c.accessToken === failedToken : Date.parse(c.expiresAt) - Date.now() < RENEW_MARGIN_MS),
      async (c) => {
        if (c.type !== 'oauth2') throw new PlatformError('auth-expired', 'OAuth 1.0a tokens cannot be renewed');
        try {
          const t = await xOAuth2(app).refresh(c.refreshToken);
          return {
            credentials: { type: 'oauth2', accessToken: t.accessToken, refreshToken: t.refreshToken ?? c.refreshToken, expiresAt: t.expiresAt.toISOString(), scope: t.scope },
            expiresAt: t.expiresAt,
          };
        } catch (err) {
          throw classify(err, 'renew');
        }
      },
    );

  /** One client per set of credentials and publish: its connection is kept for the publish's calls. */
  const clients = new WeakMap<PublishContext<'x'>, { token: string; client: XClient }>();
  const clientFor = (ctx: PublishContext<'x'>, creds: XCredentials): XClient => {
    const known = clients.get(ctx);
    if (known?.token === creds.accessToken) return known.client;
    const client = xClient(app, authOf(creds));
    clients.set(ctx, { token: creds.accessToken, client });
    return client;
  };

  /** Runs one call; an OAuth 2 token refused once is renewed and the call tried again. */
  async function withClient<T>(ctx: PublishContext<'x'>, step: Step, call: (client: XClient) => Promise<T>): Promise<T> {
    let creds = await freshOrThrow(ctx);
    for (let round = 0; ; round++) {
      try {
        return await call(clientFor(ctx, creds));
      } catch (err) {
        const refused = err instanceof XCallError && err.failure.kind === 'response' && err.failure.status === 401;
        if (refused && creds.type === 'oauth2' && round === 0) {
          creds = await freshOrThrow(ctx, creds.accessToken);
          continue;
        }
        throw classify(err, step);
      }
    }
  }
  async function freshOrThrow(ctx: PublishContext<'x'>, failedToken?: string): Promise<XCredentials> {
    try {
      return await fresh(ctx, failedToken);
    } catch (err) {
      if (err instanceof PlatformError) throw err;
      throw new PlatformError('transient', `the X token could not be renewed now: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const result = (ctx: PublishContext<'x'>, parts: string[]): PublishResult => ({
    externalId: parts[0]!,
    url: `https://x.com/${ctx.channel.settings.username}/status/${parts[0]!}`,
    ids: parts,
  });

  return {
    kind: 'x',
    timeoutMs: app.timeoutMs,
    photoInput: 'bytes',
    pacing: PACING,
    async publish(input, ctx) {
      const texts = partsOf(input);
      const cp: XCheckpoint = { media: [], parts: [], ...(ctx.checkpoint as XCheckpoint | undefined) };
      if (cp.sending !== undefined) throw new PlatformError('unknown-outcome', 'an earlier request for this post ended without an answer');

      // Photos first: an upload publishes nothing, so a failure here is safe to retry.
      if (cp.parts.length === 0) {
        for (const photo of input.photos) {
          if (cp.media.some((m) => m.photoId === photo.photoId)) continue;
          const mediaId = await withClient(ctx, 'upload', async (x) => {
            const id = await x.uploadPhoto(photo.data!, photo.mime);
            if (photo.altText.trim() !== '') await x.setAltText(id, photo.altText.trim());
            return id;
          });
          cp.media.push({ photoId: photo.photoId, mediaId });
        }
        // The uploaded ids are saved with the first part's "sending" mark below: an upload repeated after a
        // crash costs nothing but time, a post repeated would be a duplicate.
      }

      for (let k = cp.parts.length; k < texts.length; k++) {
        cp.sending = k;
        await ctx.saveCheckpoint(cp);
        let id: string;
        try {
          id = (
            await withClient(ctx, 'post', (x) =>
              x.post({ text: texts[k]!, mediaIds: k === 0 ? cp.media.map((m) => m.mediaId) : undefined, replyTo: k > 0 ? cp.parts[k - 1] : undefined }),
            )
          ).id;
        } catch (err) {
          // X said no, or was never reached: this part did not go out.
          if (err instanceof PlatformError && err.kind !== 'unknown-outcome') {
            cp.sending = undefined;
            await ctx.saveCheckpoint(cp);
          }
          throw err;
        }
        cp.parts.push(id);
        cp.sending = undefined;
        await ctx.saveCheckpoint(cp);
      }
      return result(ctx, cp.parts);
    },

    async verify(input, ctx): Promise<Verification> {
      const texts = partsOf(input);
      const cp: XCheckpoint | undefined = ctx.checkpoint as XCheckpoint | undefined;
      // No checkpoint: the attempt ended before its first step, so nothing was sent.
      if (!cp) return { status: 'not-published', checkpoint: undefined };
      if (cp.sending === undefined) {
        return cp.parts.length === texts.length ? { status: 'published', result: result(ctx, cp.parts) } : { status: 'not-published', checkpoint: cp };
      }
      const k = cp.sending;
      const since = new Date(ctx.claimedAt.getTime() - 60_000);
      const found = await withClient(ctx, 'read', (x) => x.postsSince(ctx.channel.settings.userId, since));
      const want = normalise(texts[k]!);
      const match = found.find((p) => normalise(p.text) === want && (k === 0 || p.inReplyTo === cp.parts[k - 1]));
      if (!match) return { status: 'unknown', reason: 'X does not show the post among the account’s recent posts' };
      const parts = [...cp.parts, match.id];
      if (parts.length === texts.length) return { status: 'published', result: result(ctx, parts) };
      return { status: 'not-published', checkpoint: { media: cp.media, parts } satisfies XCheckpoint };
    },

    async retract(input, ctx) {
      // A thread goes last part first, so that no part is left answering a deleted one.
      for (const id of [...idsToRetract(input)].reverse()) {
        try {
          await withClient(ctx, 'read', (x) => x.deletePost(id));
        } catch (err) {
          // Already gone is what was asked for.
          if (err instanceof PlatformError && /HTTP 404|Not Found|Could not find/i.test(err.message)) continue;
          throw err;
        }
      }
    },

    // Reads are billed on X's pay-per-use plan: only when the settings say the plan pays for them.
    engagement: app.readMetrics
      ? {
          perCall: 100,
          async posts(targets, ctx) {
            const { found, gone } = await withClient(ctx, 'read', (c) => c.metrics(targets.map((t) => t.externalId)));
            const out = new Map<string, Engagement | 'gone'>();
            for (const t of targets) {
              const m = found.get(t.externalId);
              if (m) {
                const reposts = m.reposts === undefined && m.quotes === undefined ? null : (m.reposts ?? 0) + (m.quotes ?? 0);
                out.set(t.targetId, { views: m.impressions ?? null, reactions: m.likes ?? null, comments: m.replies ?? null, reposts });
              } else if (gone.includes(t.externalId)) out.set(t.targetId, 'gone');
            }
            return out;
          },
          audience: async (ctx) => (await withClient(ctx, 'read', (c) => c.followers())) ?? null,
        }
      : undefined,
    async test(channel, timeoutMs): Promise<ConnectionReport> {
      const creds = channel.credentials.current();
      try {
        const me = await xClient({ ...app, timeoutMs }, authOf(creds)).me();
        return { ok: true, accountName: `@${me.username}`, detail: { id: `Tersambung sebagai @${me.username}.`, en: `Connected as @${me.username}.` } };
      } catch (err) {
        const e = classify(err, 'read');
        return { ok: false, detail: { id: `X menolak: ${e.message}`, en: `X refused: ${e.message}` } };
      }
    },
  };
}

function partsOf(input: PublishInput): string[] {
  return input.post.thread ? splitThread('x', input.post.text) : [input.post.text];
}

/** X shortens links and escapes &, < and > in what it returns; compare texts without them. */
function normalise(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/https?:\/\/\S+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

type Step = 'upload' | 'post' | 'read' | 'renew';

/** X's answer, as one of the error kinds; only a post request that may have arrived can be an unknown outcome. */
export function classify(err: unknown, step: Step): PlatformError {
  if (err instanceof PlatformError) return err;
  if (!(err instanceof XCallError)) return new PlatformError(step === 'post' ? 'unknown-outcome' : 'transient', err instanceof Error ? err.message : String(err));
  const f: XFailure = err.failure;
  if (f.kind === 'network') {
    if (step === 'post' && f.connected) return new PlatformError('unknown-outcome', 'X did not answer; the post may have gone out');
    return new PlatformError('transient', 'X could not be reached');
  }
  const words = [f.title, f.detail].filter((s) => s !== '').join(': ') || `HTTP ${f.status}`;
  const resetAt = (seconds: number | undefined) => (seconds && Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined);
  const usageCapped = /usage-capped|UsageCapExceeded/i.test(`${f.type} ${f.title}`);
  if (f.status === 402 || usageCapped) {
    // A monthly cap or exhausted credits: the daily window's reset is the best end X gives.
    const until = resetAt(f.rateLimit?.day?.reset) ?? resetAt(f.rateLimit?.reset) ?? new Date(Date.now() + 3_600_000);
    return PlatformError.rateLimited(`X: ${words}`, until, 'channel.usage_cap');
  }
  if (f.status === 429) return PlatformError.rateLimited(`X: ${words}`, resetAt(f.rateLimit?.reset) ?? new Date(Date.now() + 15 * 60_000));
  if (f.status === 401) return new PlatformError('auth-expired', `X refused the account's token: ${words}`);
  if (step === 'renew' && (f.status === 400 || f.status === 403)) return new PlatformError('auth-expired', `X refused to renew the token: ${words}`);
  if (f.status === 403 && /duplicate/i.test(words)) {
    // X has no idempotency key: a duplicate may be this very post from an earlier attempt, or an older one.
    return new PlatformError('unknown-outcome', `X: ${words}`);
  }
  if (f.status >= 500) return new PlatformError('transient', `X: ${words}`);
  return new PlatformError('rejected', `X: ${words}`);
}
