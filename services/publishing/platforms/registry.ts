// One table of platform adapters, one per channel kind. Start-up refuses to run when a kind has none,
// and a channel of a kind without an adapter cannot be created.
import type { Kysely } from 'kysely';
import type { Env } from '../../../config/env';
import { ChannelKind } from '../../../shared/post';
import type { DB } from '../../storage/schema';
import type { PlatformAdapter } from '../platform';
import { type FacebookConfig, facebookAdapter } from './facebook/facebook.adapter';
import { type InstagramConfig, instagramAdapter } from './instagram/instagram.adapter';
import { newsPageAdapter } from './news-page/news-page.adapter';
import { telegramAdapter } from './telegram/telegram.adapter';
import type { TelegramConfig } from './telegram/telegram.client';
import { webhookAdapter } from './webhook/webhook.adapter';
import { xAdapter } from './x/x.adapter';
import type { XAppConfig } from './x/x.client';

export type AdapterRegistry = { [K in ChannelKind]: PlatformAdapter<K> };

export interface PlatformConfig {
  db: Kysely<DB>;
  x: XAppConfig;
  telegram: TelegramConfig;
  facebook: FacebookConfig;
  instagram: InstagramConfig;
  webhook: { allowPrivateNetworks: boolean; timeoutMs: number };
}

/** The platforms' settings, from the validated environment. */
export function platformConfig(env: Env, db: Kysely<DB>): PlatformConfig {
  return {
    db,
    x: {
      apiUrl: env.X_API_URL,
      authorizeUrl: env.X_AUTHORIZE_URL,
      consumerKey: env.X_CONSUMER_KEY,
      consumerSecret: env.X_CONSUMER_SECRET,
      clientId: env.X_CLIENT_ID,
      clientSecret: env.X_CLIENT_SECRET,
      timeoutMs: env.PLATFORM_TIMEOUT_MS,
      readMetrics: env.X_READ_METRICS,
    },
    telegram: { apiUrl: env.TELEGRAM_API_URL, timeoutMs: env.PLATFORM_TIMEOUT_MS },
    facebook: {
      graphUrl: env.META_GRAPH_URL,
      version: env.META_GRAPH_VERSION,
      timeoutMs: env.PLATFORM_TIMEOUT_MS,
      dialogUrl: env.META_DIALOG_URL,
      app: env.META_APP_ID && env.META_APP_SECRET ? { id: env.META_APP_ID, secret: env.META_APP_SECRET } : undefined,
    },
    instagram: {
      facebookGraphUrl: env.META_GRAPH_URL,
      instagramGraphUrl: env.INSTAGRAM_GRAPH_URL,
      version: env.META_GRAPH_VERSION,
      timeoutMs: env.PLATFORM_TIMEOUT_MS,
      loginUrl: env.INSTAGRAM_LOGIN_URL,
      apiUrl: env.INSTAGRAM_API_URL,
      app: env.INSTAGRAM_APP_ID && env.INSTAGRAM_APP_SECRET ? { id: env.INSTAGRAM_APP_ID, secret: env.INSTAGRAM_APP_SECRET } : undefined,
    },
    webhook: { allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS, timeoutMs: env.WEBHOOK_TIMEOUT_MS },
  };
}

export function platformAdapters(cfg: PlatformConfig): AdapterRegistry {
  return assertEveryKindHasAdapter({
    news_page: newsPageAdapter(cfg.db),
    webhook: webhookAdapter(cfg.webhook),
    x: xAdapter(cfg.x),
    telegram: telegramAdapter(cfg.telegram),
    facebook: facebookAdapter(cfg.facebook),
    instagram: instagramAdapter(cfg.instagram),
  });
}

/** Throws, naming each kind of the enum that has no adapter or an adapter of another kind. */
export function assertEveryKindHasAdapter(registry: Partial<Record<string, PlatformAdapter>>): AdapterRegistry {
  const missing = ChannelKind.options.filter((kind) => registry[kind]?.kind !== kind);
  if (missing.length > 0) throw new Error(`no platform adapter registered for channel kind(s): ${missing.join(', ')}`);
  return registry as AdapterRegistry;
}
