// The one module that talks to Telegram's Bot API, through grammY (its multipart uploads of albums and its
// typed errors). The API root is a setting (TELEGRAM_API_URL). Each call gets its own connection, so that a
// failure tells whether the call ever reached Telegram.
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import { neverSent, trackedAgent } from '../../outbound';

type GrammySignal = NonNullable<Parameters<Api['getMe']>[0]>;

export const TELEGRAM_DEFAULT_API_URL = 'https://api.telegram.org';

export interface TelegramConfig {
  /** TELEGRAM_API_URL */
  apiUrl: string;
  timeoutMs: number;
}

/** A failed call, as plain data: never the request URL, which carries the bot token. */
export type TelegramFailure =
  | { kind: 'response'; status: number; description: string; retryAfter: number | undefined; migrateTo: number | undefined }
  | { kind: 'network'; connected: boolean };

export class TelegramCallError extends Error {
  constructor(readonly failure: TelegramFailure) {
    super(failure.kind === 'response' ? `Telegram: ${failure.description}` : 'Telegram could not be reached');
    this.name = 'TelegramCallError';
  }
}

export interface TelegramPhoto {
  data: Buffer;
  filename: string;
}

export interface TelegramChat {
  id: number;
  type: string;
  title: string;
  username: string | undefined;
}

export interface TelegramClient {
  getMe(): Promise<{ id: number; username: string }>;
  getChat(chat: string): Promise<TelegramChat>;
  /** The bot's standing in the chat: `administrator` with the right to post is what a channel needs. */
  memberStatus(chat: string, userId: number): Promise<{ status: string; canPost: boolean }>;
  sendMessage(chat: string, html: string): Promise<number>;
  deleteMessage(chat: string, messageId: number): Promise<void>;
  sendPhoto(chat: string, photo: TelegramPhoto, captionHtml: string | undefined): Promise<number>;
  sendAlbum(chat: string, photos: TelegramPhoto[], captionHtml: string | undefined): Promise<number[]>;
  /** The channel's subscribers (getChatMemberCount). */
  memberCount(chat: string): Promise<number>;
}

export function telegramClient(cfg: TelegramConfig, botToken: string): TelegramClient {
  async function call<T>(fn: (api: Api, signal: GrammySignal) => Promise<T>): Promise<T> {
    const tracked = trackedAgent(cfg.apiUrl);
    // grammY's own timer is set beyond ours, so that our signal decides and our error says what happened.
    const api = new Api(botToken, { apiRoot: cfg.apiUrl.replace(/\/+$/, ''), timeoutSeconds: Math.ceil(cfg.timeoutMs / 1000) + 60, baseFetchConfig: { agent: tracked.agent } });
    try {
      // grammY types its signal after the abort-controller shim; it links any standard signal to its own.
      return await fn(api, AbortSignal.timeout(cfg.timeoutMs) as unknown as GrammySignal);
    } catch (err) {
      if (err instanceof GrammyError) {
        throw new TelegramCallError({
          kind: 'response',
          status: err.error_code,
          description: err.description,
          retryAfter: err.parameters.retry_after,
          migrateTo: err.parameters.migrate_to_chat_id,
        });
      }
      const cause = err instanceof HttpError ? err.error : err;
      throw new TelegramCallError({ kind: 'network', connected: tracked.connected() && !neverSent(cause) });
    } finally {
      tracked.agent.destroy();
    }
  }
  const html = { parse_mode: 'HTML' as const };
  return {
    getMe: () => call(async (api, signal) => {
      const me = await api.getMe(signal);
      return { id: me.id, username: me.username };
    }),
    getChat: (chat) => call(async (api, signal) => {
      const c = await api.getChat(chat, signal);
      return { id: c.id, type: c.type, title: 'title' in c && typeof c.title === 'string' ? c.title : String(c.id), username: 'username' in c && typeof c.username === 'string' ? c.username : undefined };
    }),
    memberStatus: (chat, userId) => call(async (api, signal) => {
      const m = await api.getChatMember(chat, userId, signal);
      return { status: m.status, canPost: m.status === 'creator' || (m.status === 'administrator' && m.can_post_messages !== false) };
    }),
    memberCount: (chat) => call((api, signal) => api.getChatMemberCount(chat, signal)),
    sendMessage: (chat, text) => call(async (api, signal) => (await api.sendMessage(chat, text, { ...html, link_preview_options: { is_disabled: false } }, signal)).message_id),
    deleteMessage: (chat, messageId) => call(async (api, signal) => {
      await api.deleteMessage(chat, messageId, signal);
    }),
    sendPhoto: (chat, photo, caption) =>
      call(async (api, signal) => (await api.sendPhoto(chat, new InputFile(photo.data, photo.filename), caption !== undefined ? { caption, ...html } : {}, signal)).message_id),
    sendAlbum: (chat, photos, caption) =>
      call(async (api, signal) => {
        const media = photos.map((p, i) => ({
          type: 'photo' as const,
          media: new InputFile(p.data, p.filename),
          ...(i === 0 && caption !== undefined ? { caption, ...html } : {}),
        }));
        return (await api.sendMediaGroup(chat, media, {}, signal)).map((m) => m.message_id);
      }),
  };
}
