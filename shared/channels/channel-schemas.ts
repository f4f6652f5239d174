// Each kind of channel: what an admin types to add it, what we keep in its settings (shown) and in its
// sealed credentials (never shown). One zod schema gives each type.
import { z } from 'zod';
import type { ChannelKind } from '../post';

/** What the API, the admin page and the CLI show of a channel's health. */
export const ChannelState = z.enum(['connected', 'needs_reconnect', 'rate_limited', 'disabled']);
export type ChannelState = z.infer<typeof ChannelState>;

// —— News page: lives in our own database, nothing to connect.
export const NewsPageSettings = z.strictObject({});
export const NewsPageCredentials = z.null();

// —— Webhook
export const WebhookSettings = z.strictObject({ url: z.url() });
export const WebhookCredentials = z.strictObject({ secret: z.string().min(16) });

// —— X: the account's id and handle come from the platform when it is connected.
export const XSettings = z.strictObject({
  userId: z.string().regex(/^\d{1,25}$/),
  username: z.string().min(1).max(50),
  auth: z.enum(['oauth1', 'oauth2']),
});
export const XCredentials = z.discriminatedUnion('type', [
  /** OAuth 1.0a user tokens: they work until revoked. */
  z.strictObject({ type: z.literal('oauth1'), accessToken: z.string().min(1), accessSecret: z.string().min(1) }),
  /** OAuth 2.0 with PKCE: a two-hour access token and a refresh token that works once. */
  z.strictObject({
    type: z.literal('oauth2'),
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1),
    /** ISO instant the access token stops working. */
    expiresAt: z.string(),
    scope: z.array(z.string()).default([]),
  }),
]);
export const XOAuth1Input = z.strictObject({
  accessToken: z.string().trim().regex(/^\d+-[A-Za-z0-9]+$/, 'an X access token looks like 12345-AbCd…'),
  accessSecret: z.string().trim().min(20).max(100),
});

// —— Telegram channel: the bot posts; the chat id is resolved from `@name` when connected.
export const TelegramSettings = z.strictObject({
  chatId: z.string().regex(/^-?\d{1,20}$/),
  /** Public channels have a name; their posts get public t.me links. */
  chatUsername: z.string().nullable(),
  title: z.string(),
  botUsername: z.string(),
});
export const TelegramCredentials = z.strictObject({ botToken: z.string() });
export const TelegramInput = z.strictObject({
  botToken: z.string().trim().regex(/^\d{3,15}:[A-Za-z0-9_-]{30,64}$/, 'a bot token looks like 123456:ABC-DEF… (from @BotFather)'),
  chat: z
    .string()
    .trim()
    .regex(/^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,15})$/, 'the channel is @name or its -100… id'),
});

// —— Facebook Page: posts as the Page with its Page token (which lasts until revoked).
export const FacebookSettings = z.strictObject({
  pageId: z.string().regex(/^\d{5,25}$/),
  pageName: z.string().min(1).max(200),
});
export const FacebookCredentials = z.strictObject({ pageToken: z.string().min(20) });
export const FacebookInput = z.strictObject({
  pageId: z.string().trim().regex(/^\d{5,25}$/, "a Page id is a number, e.g. 104857392847561 (the Page's About section, or /me/accounts)"),
  pageToken: z.string().trim().min(20, 'a Page access token is long (EAAG…)').max(1000),
});

// —— Instagram professional account: through its linked Facebook Page (Facebook Login; the Page token, which
// lasts until revoked, on graph.facebook.com) or on its own (Instagram Login; a 60-day token on
// graph.instagram.com, refreshed as it ages).
export const InstagramSettings = z.strictObject({
  igUserId: z.string().regex(/^\d{5,25}$/),
  username: z.string().min(1).max(100),
  login: z.enum(['facebook', 'instagram']),
  /** The Page the account is linked to (Facebook Login). */
  pageId: z.string().nullable(),
});
export const InstagramCredentials = z.discriminatedUnion('login', [
  z.strictObject({ login: z.literal('facebook'), token: z.string().min(20) }),
  z.strictObject({
    login: z.literal('instagram'),
    token: z.string().min(20),
    /** ISO instants: when the token stops working, and when it was issued or last refreshed. */
    expiresAt: z.string(),
    refreshedAt: z.string(),
  }),
]);
export const InstagramInput = z.strictObject({
  igUserId: z.string().trim().regex(/^\d{5,25}$/, 'an Instagram account id is a number, e.g. 17841400000000000 (from /me/accounts or the Instagram app settings)'),
  token: z.string().trim().min(20, 'an access token is long (EAAG… for a Page, IGAA… for Instagram Login)').max(1000),
});

export const CHANNEL_SCHEMAS = {
  news_page: { settings: NewsPageSettings, credentials: NewsPageCredentials },
  webhook: { settings: WebhookSettings, credentials: WebhookCredentials },
  x: { settings: XSettings, credentials: XCredentials },
  telegram: { settings: TelegramSettings, credentials: TelegramCredentials },
  facebook: { settings: FacebookSettings, credentials: FacebookCredentials },
  instagram: { settings: InstagramSettings, credentials: InstagramCredentials },
} as const satisfies Record<ChannelKind, { settings: z.ZodType; credentials: z.ZodType }>;

export type ChannelSettings<K extends ChannelKind> = z.infer<(typeof CHANNEL_SCHEMAS)[K]['settings']>;
export type ChannelCredentials<K extends ChannelKind> = z.infer<(typeof CHANNEL_SCHEMAS)[K]['credentials']>;
