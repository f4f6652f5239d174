// Publishing to a Telegram channel: text, one photo with its caption, or an album of 2–10; a text longer
// than a caption may be goes as its own message after the photos. Each message is recorded before it is sent.
import { CHANNEL_RULES } from '../../../../shared/channels/channel-rules';
import type { ChannelSettings } from '../../../../shared/channels/channel-schemas';
import { type ChannelHandle, type ConnectionReport, type PlatformAdapter, PlatformError, idsToRetract, type PublishResult, type Verification } from '../../platform';
import { type TelegramConfig, TelegramCallError, type TelegramClient, telegramClient } from './telegram.client';

type StepKind = 'text' | 'photo' | 'album';

interface TelegramCheckpoint {
  /** Messages sent so far, per step, in order. */
  done: Array<{ step: StepKind; ids: number[] }>;
  /** The step whose request is under way: whether it arrived cannot be asked of the Bot API. */
  sending?: StepKind | undefined;
}

/** Telegram's HTML parse mode needs only these three escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** About 20 messages a minute per channel. */
const PACING = { posts: 20, windowMs: 60_000 };

/** The messages a post becomes, in order. */
export function telegramSteps(photos: number, textLength: number): StepKind[] {
  const captionFits = textLength <= (CHANNEL_RULES.telegram.captionLimit ?? Infinity);
  if (photos === 0) return ['text'];
  const media: StepKind = photos === 1 ? 'photo' : 'album';
  return captionFits ? [media] : [media, 'text'];
}

export function telegramLink(settings: ChannelSettings<'telegram'>, messageId: number): string {
  // A public channel's posts have public links; a private one's open for its members only.
  return settings.chatUsername ? `https://t.me/${settings.chatUsername}/${messageId}` : `https://t.me/c/${settings.chatId.replace(/^-100/, '')}/${messageId}`;
}

export function telegramAdapter(cfg: TelegramConfig): PlatformAdapter<'telegram'> {
  const result = (settings: ChannelSettings<'telegram'>, done: TelegramCheckpoint['done']): PublishResult => {
    const ids = done.flatMap((d) => d.ids).map(String);
    return { externalId: ids[0]!, url: telegramLink(settings, Number(ids[0])), ids };
  };
  return {
    kind: 'telegram',
    timeoutMs: cfg.timeoutMs,
    photoInput: 'bytes',
    pacing: PACING,
    async publish(input, ctx) {
      const { settings } = ctx.channel;
      const client = telegramClient({ ...cfg, timeoutMs: ctx.timeoutMs }, ctx.channel.credentials.current().botToken);
      const text = input.post.text.trim();
      const steps = telegramSteps(input.photos.length, text.length);
      const cp: TelegramCheckpoint = { done: [], ...(ctx.checkpoint as TelegramCheckpoint | undefined) };
      if (cp.sending !== undefined) throw new PlatformError('unknown-outcome', 'an earlier request for this post ended without an answer');
      const photos = input.photos.map((p, i) => ({ data: p.data!, filename: `foto-${i + 1}.jpg` }));
      const caption = steps.length === 1 && text !== '' ? escapeHtml(text) : undefined;
      for (const step of steps.slice(cp.done.length)) {
        cp.sending = step;
        await ctx.saveCheckpoint(cp);
        let ids: number[];
        try {
          ids = await send(client, settings.chatId, step, photos, step === 'text' ? escapeHtml(text) : caption);
        } catch (err) {
          const e = classify(err, 'send');
          if (e.kind !== 'unknown-outcome') {
            cp.sending = undefined;
            await ctx.saveCheckpoint(cp);
          }
          throw e;
        }
        cp.done.push({ step, ids });
        cp.sending = undefined;
        await ctx.saveCheckpoint(cp);
      }
      return result(settings, cp.done);
    },
    verify(input, ctx): Promise<Verification> {
      const cp = ctx.checkpoint as TelegramCheckpoint | undefined;
      if (!cp) return Promise.resolve({ status: 'not-published', checkpoint: undefined });
      if (cp.sending !== undefined) {
        return Promise.resolve({ status: 'unknown', reason: "Telegram's Bot API cannot tell whether a message reached the channel" });
      }
      const steps = telegramSteps(input.photos.length, input.post.text.trim().length);
      return Promise.resolve(cp.done.length >= steps.length ? { status: 'published', result: result(ctx.channel.settings, cp.done) } : { status: 'not-published', checkpoint: cp });
    },
    async retract(input, ctx) {
      const client = telegramClient({ ...cfg, timeoutMs: ctx.timeoutMs }, ctx.channel.credentials.current().botToken);
      for (const id of idsToRetract(input)) {
        try {
          await client.deleteMessage(ctx.channel.settings.chatId, Number(id));
        } catch (err) {
          // Already gone is what was asked for.
          if (err instanceof TelegramCallError && err.failure.kind === 'response' && /message to delete not found/i.test(err.failure.description)) continue;
          throw classify(err, 'read');
        }
      }
    },
    // The Bot API gives bots no view counts of channel posts (only a user client can read them): what it gives is
    // the channel's subscribers.
    engagement: {
      perCall: 0,
      async audience(ctx) {
        try {
          return await telegramClient({ ...cfg, timeoutMs: ctx.timeoutMs }, ctx.channel.credentials.current().botToken).memberCount(ctx.channel.settings.chatId);
        } catch (err) {
          throw classify(err, 'read');
        }
      },
    },
    async test(channel: ChannelHandle<'telegram'>, timeoutMs): Promise<ConnectionReport> {
      try {
        const found = await inspectChannel({ ...cfg, timeoutMs }, channel.credentials.current().botToken, channel.settings.chatId);
        return { ok: true, accountName: found.title, detail: { id: `Bot @${found.botUsername} adalah admin ${found.title}.`, en: `Bot @${found.botUsername} is an admin of ${found.title}.` } };
      } catch (err) {
        const e = classify(err, 'read');
        return { ok: false, detail: { id: e.message, en: e.message } };
      }
    },
  };
}

async function send(client: TelegramClient, chat: string, step: StepKind, photos: Array<{ data: Buffer; filename: string }>, text: string | undefined): Promise<number[]> {
  switch (step) {
    case 'text':
      return [await client.sendMessage(chat, text ?? '')];
    case 'photo':
      return [await client.sendPhoto(chat, photos[0]!, text)];
    case 'album':
      return client.sendAlbum(chat, photos, text);
  }
}

/**
 * Resolves the channel the admin named and checks the bot may post there: the settings a channel keeps.
 * Throws a PlatformError with a reason a person can act on.
 */
export async function inspectChannel(cfg: TelegramConfig, botToken: string, chat: string): Promise<ChannelSettings<'telegram'>> {
  const client = telegramClient(cfg, botToken);
  const me = await client.getMe();
  const found = await client.getChat(chat);
  if (found.type !== 'channel') throw new PlatformError('rejected', `${chat} is not a Telegram channel (it is a ${found.type})`);
  const member = await client.memberStatus(String(found.id), me.id);
  if (!member.canPost) {
    throw new PlatformError('auth-expired', `the bot @${me.username} is not an administrator allowed to post in ${found.title}; add it as an admin of the channel`);
  }
  return { chatId: String(found.id), chatUsername: found.username ?? null, title: found.title, botUsername: me.username };
}

type Step = 'send' | 'read';

/** Telegram's answer as one of the error kinds; only a send that may have arrived is an unknown outcome. */
export function classify(err: unknown, step: Step): PlatformError {
  if (err instanceof PlatformError) return err;
  if (!(err instanceof TelegramCallError)) return new PlatformError(step === 'send' ? 'unknown-outcome' : 'transient', err instanceof Error ? err.message : String(err));
  const f = err.failure;
  if (f.kind === 'network') {
    return f.connected && step === 'send'
      ? new PlatformError('unknown-outcome', 'Telegram did not answer; the message may have gone out')
      : new PlatformError('transient', 'Telegram could not be reached');
  }
  const words = `Telegram: ${f.description}`;
  if (f.status === 429) return PlatformError.rateLimited(words, new Date(Date.now() + (f.retryAfter ?? 30) * 1000));
  // The token was revoked, or the bot lost its place in the channel: the channel needs an admin.
  if (f.status === 401 || f.status === 403) return new PlatformError('auth-expired', words);
  if (f.status === 400 && /chat not found|not enough rights|administrator|CHAT_ADMIN_REQUIRED|CHAT_WRITE_FORBIDDEN|upgraded to a supergroup/i.test(f.description)) {
    return new PlatformError('auth-expired', words);
  }
  if (f.status >= 500) return new PlatformError('transient', words);
  return new PlatformError('rejected', words);
}
