// A local Telegram Bot API on 127.0.0.1 for the calls Siaran makes: /bot<token>/<method> with JSON, form
// or multipart bodies (attach:// files), {ok, result} answers and the documented error bodies
// ({ok:false, error_code, description, parameters:{retry_after}}); channel admins, HTML entity parsing,
// caption and text limits, photo dimension rules, a per-channel message rate, and a channel's subscriber count.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { FakeAnswer, FakeRequest, FakeServer, Handler } from './fake-http';
import { startFakeServer, text } from './fake-http';

export interface FakeMessage {
  chatId: number;
  messageId: number;
  text?: string;
  caption?: string;
  photo?: { width: number; height: number; bytes: number };
  mediaGroupId?: string;
  botToken: string;
  date: number;
}

export interface FakeChannel {
  id: number;
  username: string | undefined;
  title: string;
  /** Bot ids that are admins allowed to post. */
  admins: Set<number>;
  nextMessageId: number;
  recent: number[];
  /** What getChatMemberCount answers. */
  subscribers: number;
}

export interface FakeTelegram extends FakeServer {
  bot: { id: number; username: string; token: string };
  channel: FakeChannel;
  messages: FakeMessage[];
  /** Messages the bot deleted. */
  deleted: FakeMessage[];
  addChannel(opts: { username?: string; title: string; botIsAdmin?: boolean }): FakeChannel;
  /** Revokes the bot's token, as /revoke in @BotFather does; returns the new one. */
  revokeToken(): string;
  /** Messages a channel takes per minute before 429. */
  perMinute: number;
}

const TAGS = /<\/?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|tg-spoiler|span|blockquote)(\s[^>]*)?>/g;
const ENTITIES = /&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/g;

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const botId = 7_000_000_000 + Math.floor(Math.random() * 1e8);
  const bot = { id: botId, username: 'siaran_humas_bot', token: `${botId}:${randomBytes(26).toString('base64url').replace(/[-_]/g, 'x').slice(0, 35)}` };
  const channels = new Map<number, FakeChannel>();
  const messages: FakeMessage[] = [];
  const deleted: FakeMessage[] = [];
  const fake = {} as FakeTelegram;
  const err = (code: number, description: string, parameters?: Record<string, unknown>): FakeAnswer => ({ status: code, body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) } });
  const ok = (result: unknown): FakeAnswer => ({ status: 200, body: { ok: true, result } });

  const addChannel = (o: { username?: string; title: string; botIsAdmin?: boolean }): FakeChannel => {
    const c: FakeChannel = { id: -1_000_000_000_000 - Math.floor(Math.random() * 1e9), username: o.username, title: o.title, admins: new Set(o.botIsAdmin === false ? [] : [bot.id]), nextMessageId: 1, recent: [], subscribers: 0 };
    channels.set(c.id, c);
    return c;
  };
  const findChat = (ref: unknown): FakeChannel | undefined => {
    const s = text(ref);
    if (s.startsWith('@')) return [...channels.values()].find((c) => c.username?.toLowerCase() === s.slice(1).toLowerCase());
    return channels.get(Number(s));
  };
  const param = (req: FakeRequest, name: string): unknown => req.body[name] ?? req.query.get(name) ?? undefined;

  /** Text as Telegram counts it: after HTML entity parsing. Undefined when the HTML cannot be parsed. */
  const parsed = (text: string, mode: unknown): string | undefined => {
    if (mode !== 'HTML') return text;
    const rest = text.replace(TAGS, '').replace(ENTITIES, '');
    if (/[<&]/.test(rest)) return undefined;
    const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };
    return text
      .replace(TAGS, '')
      .replace(ENTITIES, (e) => named[e] ?? String.fromCodePoint(e.startsWith('&#x') ? parseInt(e.slice(3, -1), 16) : Number(e.slice(2, -1))));
  };

  /** The channel may take `n` more messages now, or the 429 to answer. */
  const admit = (c: FakeChannel, n: number): FakeAnswer | undefined => {
    const now = Date.now();
    c.recent = c.recent.filter((t) => now - t < 60_000);
    if (c.recent.length + n > fake.perMinute) return err(429, `Too Many Requests: retry after ${Math.ceil((c.recent[0]! + 60_000 - now) / 1000)}`, { retry_after: Math.ceil((c.recent[0]! + 60_000 - now) / 1000) });
    for (let i = 0; i < n; i++) c.recent.push(now);
    return undefined;
  };

  const photoOf = async (req: FakeRequest, ref: unknown): Promise<{ width: number; height: number; bytes: number } | FakeAnswer> => {
    const s = text(ref);
    const file = s.startsWith('attach://') ? req.files[s.slice('attach://'.length)] : undefined;
    if (!file) return err(400, 'Bad Request: there is no photo in the request');
    const meta = await sharp(file.data).metadata().catch(() => undefined);
    if (!meta?.width || !meta.height) return err(400, 'Bad Request: IMAGE_PROCESS_FAILED');
    const ratio = Math.max(meta.width, meta.height) / Math.min(meta.width, meta.height);
    if (ratio > 20 || meta.width + meta.height > 10_000) return err(400, 'Bad Request: PHOTO_INVALID_DIMENSIONS');
    if (file.data.length > 10 * 1024 * 1024) return err(400, 'Bad Request: file is too big');
    return { width: meta.width, height: meta.height, bytes: file.data.length };
  };

  const methods: Record<string, (req: FakeRequest, token: string) => FakeAnswer | Promise<FakeAnswer>> = {
    getMe: () => ok({ id: bot.id, is_bot: true, first_name: 'Siaran Humas', username: bot.username, can_join_groups: false }),
    getChat: (req) => {
      const c = findChat(param(req, 'chat_id'));
      return c ? ok({ id: c.id, type: 'channel', title: c.title, ...(c.username ? { username: c.username } : {}) }) : err(400, 'Bad Request: chat not found');
    },
    getChatMemberCount: (req) => {
      const c = findChat(param(req, 'chat_id'));
      if (!c) return err(400, 'Bad Request: chat not found');
      return ok(c.subscribers);
    },
    getChatMember: (req) => {
      const c = findChat(param(req, 'chat_id'));
      if (!c) return err(400, 'Bad Request: chat not found');
      const userId = Number(param(req, 'user_id'));
      const u = { id: userId, is_bot: userId === bot.id, first_name: 'Siaran Humas', username: bot.username };
      return c.admins.has(userId)
        ? ok({ status: 'administrator', user: u, can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true, can_manage_video_chats: false, can_restrict_members: false, can_promote_members: false, can_change_info: false, can_invite_users: true, can_post_messages: true, can_edit_messages: true, can_post_stories: false, can_edit_stories: false, can_delete_stories: false })
        : ok({ status: 'left', user: u });
    },
    sendMessage: (req, token) => {
      const c = findChat(param(req, 'chat_id'));
      if (!c) return err(400, 'Bad Request: chat not found');
      if (!c.admins.has(bot.id)) return err(403, 'Forbidden: bot is not a member of the channel chat');
      const body = parsed(text(param(req, 'text')), param(req, 'parse_mode'));
      if (body === undefined) return err(400, "Bad Request: can't parse entities: Unsupported start tag at byte offset 0");
      if (body.trim() === '') return err(400, 'Bad Request: message text is empty');
      if (body.length > 4096) return err(400, 'Bad Request: message is too long');
      const limited = admit(c, 1);
      if (limited) return limited;
      const m: FakeMessage = { chatId: c.id, messageId: c.nextMessageId++, text: body, botToken: token, date: Math.floor(Date.now() / 1000) };
      messages.push(m);
      return ok({ message_id: m.messageId, sender_chat: { id: c.id, type: 'channel', title: c.title }, chat: { id: c.id, type: 'channel', title: c.title }, date: m.date, text: body });
    },
    deleteMessage: (req) => {
      const c = findChat(param(req, 'chat_id'));
      if (!c) return err(400, 'Bad Request: chat not found');
      if (!c.admins.has(bot.id)) return err(403, 'Forbidden: bot is not a member of the channel chat');
      const id = Number(text(param(req, 'message_id')));
      const at = messages.findIndex((m) => m.chatId === c.id && m.messageId === id);
      if (at < 0) return err(400, 'Bad Request: message to delete not found');
      deleted.push(messages[at]!);
      messages.splice(at, 1);
      return ok(true);
    },
    sendPhoto: async (req, token) => {
      const c = findChat(param(req, 'chat_id'));
      if (!c) return err(400, 'Bad Request: chat not found');
      if (!c.admins.has(bot.id)) return err(403, 'Forbidden: bot is not a member of the channel chat');
      const caption = param(req, 'caption') === undefined ? undefined : parsed(text(param(req, 'caption')), param(req, 'parse_mode'));
      if (caption === undefined && param(req, 'caption') !== undefined) return err(400, "Bad Request: can't parse entities: Unsupported start tag at byte offset 0");
      if (caption !== undefined && caption.length > 1024) return err(400, 'Bad Request: message caption is too long');
      const photo = await photoOf(req, param(req, 'photo'));
      if ('status' in photo) return photo;
      const limited = admit(c, 1);
      if (limited) return limited;
      const m: FakeMessage = { chatId: c.id, messageId: c.nextMessageId++, ...(caption !== undefined ? { caption } : {}), photo, botToken: token, date: Math.floor(Date.now() / 1000) };
      messages.push(m);
      return ok({ message_id: m.messageId, chat: { id: c.id, type: 'channel', title: c.title }, date: m.date, photo: [{ file_id: randomBytes(8).toString('hex'), width: photo.width, height: photo.height }], ...(caption ? { caption } : {}) });
    },
    sendMediaGroup: async (req, token) => {
      const c = findChat(param(req, 'chat_id'));
      if (!c) return err(400, 'Bad Request: chat not found');
      if (!c.admins.has(bot.id)) return err(403, 'Forbidden: bot is not a member of the channel chat');
      let media: Array<{ type: string; media: string; caption?: string; parse_mode?: string }>;
      try {
        media = JSON.parse(text(param(req, 'media')) || '[]') as typeof media;
      } catch {
        return err(400, "Bad Request: can't parse media JSON object");
      }
      if (media.length < 2 || media.length > 10) return err(400, 'Bad Request: wrong number of media in the group');
      const photos = [];
      for (const item of media) {
        if (item.type !== 'photo') return err(400, 'Bad Request: unsupported media type');
        if (item.caption !== undefined) {
          const cap = parsed(item.caption, item.parse_mode);
          if (cap === undefined) return err(400, "Bad Request: can't parse entities: Unsupported start tag at byte offset 0");
          if (cap.length > 1024) return err(400, 'Bad Request: message caption is too long');
        }
        const photo = await photoOf(req, item.media);
        if ('status' in photo) return photo;
        photos.push({ photo, caption: item.caption === undefined ? undefined : parsed(item.caption, item.parse_mode) });
      }
      const limited = admit(c, photos.length);
      if (limited) return limited;
      const group = randomBytes(8).toString('hex');
      const date = Math.floor(Date.now() / 1000);
      const sent = photos.map((p) => {
        const m: FakeMessage = { chatId: c.id, messageId: c.nextMessageId++, photo: p.photo, ...(p.caption !== undefined ? { caption: p.caption } : {}), mediaGroupId: group, botToken: token, date };
        messages.push(m);
        return m;
      });
      return ok(sent.map((m) => ({ message_id: m.messageId, chat: { id: c.id, type: 'channel', title: c.title }, date, media_group_id: group, photo: [{ width: m.photo!.width, height: m.photo!.height }], ...(m.caption ? { caption: m.caption } : {}) })));
    },
  };

  const routes = (req: FakeRequest): Handler | undefined => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    if (!m) return undefined;
    const [, token, method] = m;
    return (r) => {
      if (token !== bot.token) return err(401, 'Unauthorized');
      const fn = methods[method!];
      return fn ? fn(r, token) : err(404, 'Not Found');
    };
  };

  const server = await startFakeServer(routes);
  const channel = addChannel({ username: 'humaspolrestubaba', title: 'Humas Polres Tulangbawang Barat' });
  Object.assign(fake, server, {
    bot,
    channel,
    messages,
    deleted,
    perMinute: 20,
    addChannel,
    revokeToken: () => {
      bot.token = `${bot.id}:${randomBytes(26).toString('base64url').replace(/[-_]/g, 'y').slice(0, 35)}`;
      return bot.token;
    },
  });
  // The latency lives on the server, which reads it per request.
  Object.defineProperty(fake, 'latencyMs', { get: () => server.latencyMs, set: (v: number) => (server.latencyMs = v) });
  return fake;
}

/** Telegram's 429 with its retry_after. */
export function telegramRateLimited(retryAfter: number): FakeAnswer {
  return { status: 429, body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } } };
}
