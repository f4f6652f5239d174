// One table of what each platform accepts, read alike by the web preview and the media worker.
import type { PlatformKind } from '../post';

export type ProfileName = 'x' | 'instagram' | 'facebook' | 'telegram' | 'news_page';

/** `jpeg-or-png` keeps transparency as PNG when the photo has it and the PNG fits; otherwise JPEG. */
export type RenditionFormat = 'jpeg' | 'webp' | 'jpeg-or-png';

export type Fit = 'crop' | 'pad';

export type RenditionSize =
  /**
   * Scaled down (never up) until the longer side is at most `max`; with `maxAspect`, a photo more
   * elongated than that (long ÷ short side) is cropped or padded by its fit to exactly that aspect.
   */
  | { kind: 'long-side'; max: number; maxAspect?: number }
  /** Exactly `width` wide; the aspect (width ÷ height) is kept inside [minAspect, maxAspect] by the photo's fit. */
  | { kind: 'fixed-width'; width: number; minAspect: number; maxAspect: number }
  /** Scaled down (never up) to at most `width` wide. */
  | { kind: 'max-width'; width: number };

export interface RenditionSpec {
  /** Stable name of the rendition, stored with it: `x`, `instagram`, `news-960-webp`. */
  name: string;
  profile: ProfileName;
  format: RenditionFormat;
  maxBytes: number;
  size: RenditionSize;
}

const MB = 1024 * 1024;

/** Widths the news page offers to browsers (srcset), each in WebP and in JPEG for old browsers. */
export const NEWS_WIDTHS = [480, 960, 1600] as const;

export const INSTAGRAM_WIDTH = 1080;
/** Instagram's feed accepts 4:5 (portrait) to 1.91:1 (landscape). */
export const INSTAGRAM_MIN_ASPECT = 4 / 5;
export const INSTAGRAM_MAX_ASPECT = 1.91;

/** Telegram's sendPhoto takes a ratio of the sides up to 20. */
export const TELEGRAM_MAX_ASPECT = 20;

export const RENDITIONS: readonly RenditionSpec[] = [
  { name: 'x', profile: 'x', format: 'jpeg-or-png', maxBytes: 5 * MB, size: { kind: 'long-side', max: 4096 } },
  {
    name: 'instagram',
    profile: 'instagram',
    format: 'jpeg',
    maxBytes: 8 * MB,
    size: { kind: 'fixed-width', width: INSTAGRAM_WIDTH, minAspect: INSTAGRAM_MIN_ASPECT, maxAspect: INSTAGRAM_MAX_ASPECT },
  },
  { name: 'facebook', profile: 'facebook', format: 'jpeg', maxBytes: 10 * MB, size: { kind: 'long-side', max: 2048 } },
  // Telegram recompresses anything beyond 2560 px for photos, so larger gains nothing but bytes; it refuses
  // photos more elongated than 20:1 (and width + height over 10,000, which 2560 px keeps clear of).
  { name: 'telegram', profile: 'telegram', format: 'jpeg', maxBytes: 10 * MB, size: { kind: 'long-side', max: 2560, maxAspect: TELEGRAM_MAX_ASPECT } },
  ...NEWS_WIDTHS.flatMap((width): RenditionSpec[] => [
    { name: `news-${width}-webp`, profile: 'news_page', format: 'webp', maxBytes: 2 * MB, size: { kind: 'max-width', width } },
    { name: `news-${width}-jpeg`, profile: 'news_page', format: 'jpeg', maxBytes: 2 * MB, size: { kind: 'max-width', width } },
  ]),
];

/** Which profiles a channel of that kind publishes; a webhook receives the news page's renditions. */
export const PROFILES_BY_CHANNEL: Record<PlatformKind, readonly ProfileName[]> = {
  news_page: ['news_page'],
  webhook: ['news_page'],
  x: ['x'],
  facebook: ['facebook'],
  instagram: ['instagram'],
  telegram: ['telegram'],
};

export const ALL_PROFILES: readonly ProfileName[] = ['x', 'instagram', 'facebook', 'telegram', 'news_page'];

export function profilesFor(kinds: Iterable<PlatformKind>): ProfileName[] {
  const wanted = new Set<ProfileName>();
  for (const kind of kinds) for (const p of PROFILES_BY_CHANNEL[kind]) wanted.add(p);
  return ALL_PROFILES.filter((p) => wanted.has(p));
}

export function renditionsFor(profiles: Iterable<ProfileName>): RenditionSpec[] {
  const wanted = new Set(profiles);
  return RENDITIONS.filter((r) => wanted.has(r.profile));
}

export function renditionSpec(name: string): RenditionSpec | undefined {
  return RENDITIONS.find((r) => r.name === name);
}

/** The rendition a channel of that kind sends: the first of its profile (for the news page, the largest JPEG lives in srcset). */
export function primaryRenditionName(kind: PlatformKind): string {
  switch (kind) {
    case 'x':
    case 'instagram':
    case 'facebook':
    case 'telegram':
      return kind;
    case 'news_page':
    case 'webhook':
      return `news-${NEWS_WIDTHS[NEWS_WIDTHS.length - 1]}-jpeg`;
  }
}
