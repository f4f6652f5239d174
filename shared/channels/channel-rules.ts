// What each kind of channel accepts, in one table read alike by the compose page, the API and the publishers.
// No zod here: the compose page's script imports this module.
import type { ChannelKind } from '../post';

export type TextCounting =
  /** X's weighted length: URLs count 23, CJK and emoji 2 (twitter-text). */
  | 'x-weighted'
  /** UTF-16 code units, as Telegram counts its limits after entity parsing. */
  | 'utf16';

export interface ChannelRules {
  /** Longest text of one post; undefined takes any length. */
  textLimit: number | undefined;
  counting: TextCounting;
  /**
   * Longest caption under photos; a longer text goes as its own message after the photos (Telegram).
   * Undefined: the text always goes with the photos.
   */
  captionLimit: number | undefined;
  /** Most photos one post carries; undefined takes any number. */
  photosMax: number | undefined;
  /** Fewest photos: Instagram publishes nothing without one. */
  photosMin: number;
  /** The platform downloads each photo itself from our link, so the link must be reachable from the internet. */
  fetchesPhotos: boolean;
  /** Longest alt text of a photo; undefined where the platform takes none or any length. */
  altTextMax: number | undefined;
  /** Whether an over-long text may go out as a thread of replies, when the author asks for it. */
  threads: boolean;
  /** Most parts a thread may have. */
  threadPartsMax: number;
}

export const CHANNEL_RULES: Record<ChannelKind, ChannelRules> = {
  // https://docs.x.com: 280 weighted characters, 4 photos, alt text up to 1,000 characters.
  x: { textLimit: 280, counting: 'x-weighted', captionLimit: undefined, photosMax: 4, photosMin: 0, fetchesPhotos: false, altTextMax: 1000, threads: true, threadPartsMax: 25 },
  // Bot API: 4,096 characters of text, 1,024 of caption, albums of 2–10.
  telegram: { textLimit: 4096, counting: 'utf16', captionLimit: 1024, photosMax: 10, photosMin: 0, fetchesPhotos: false, altTextMax: undefined, threads: false, threadPartsMax: 1 },
  // Graph API Pages: 63,206 characters of message; several photos are attached to one feed post (we send
  // at most 10, as the compose page and the other platforms do).
  facebook: { textLimit: 63_206, counting: 'utf16', captionLimit: undefined, photosMax: 10, photosMin: 0, fetchesPhotos: false, altTextMax: 1000, threads: false, threadPartsMax: 1 },
  // Instagram content publishing: a caption of 2,200 characters under one photo or a carousel of 2–10, each
  // photo fetched by Meta from its image_url.
  instagram: { textLimit: 2200, counting: 'utf16', captionLimit: undefined, photosMax: 10, photosMin: 1, fetchesPhotos: true, altTextMax: undefined, threads: false, threadPartsMax: 1 },
  news_page: { textLimit: undefined, counting: 'utf16', captionLimit: undefined, photosMax: undefined, photosMin: 0, fetchesPhotos: false, altTextMax: undefined, threads: false, threadPartsMax: 1 },
  webhook: { textLimit: undefined, counting: 'utf16', captionLimit: undefined, photosMax: undefined, photosMin: 0, fetchesPhotos: false, altTextMax: undefined, threads: false, threadPartsMax: 1 },
};
