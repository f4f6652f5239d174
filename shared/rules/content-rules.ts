// What a post must satisfy before it may go to a supervisor; the browser and the server run this same code.
import { CHANNEL_RULES } from '../channels/channel-rules';
import { countFor, splitThread } from '../channels/channel-text';
import type { ChannelKind, ChannelOptions } from '../post';
import type { Finding } from './finding';
import { type ProtectedDataScan, findProtectedData } from './protected-data';
import { formatInZone, type TimeZone } from '../time';

export interface PostDraft {
  title: string;
  body: string;
  channelIds: readonly string[];
  variants: Readonly<Record<string, string>>;
  channelOptions?: Readonly<Record<string, ChannelOptions>>;
  /** The post's photos in order; only what the rules read. */
  photos?: ReadonlyArray<{ altText: string }>;
  /** Undefined when the typed time could not be read. */
  scheduledAt: Date | undefined;
}

export interface UnitChannel {
  kind: ChannelKind;
  name: string;
}

export interface ContentContext {
  now: Date;
  minLeadSeconds: number;
  zone: TimeZone;
  /** Channels owned by the post's own unit and enabled, by id. */
  unitChannels: ReadonlyMap<string, UnitChannel>;
  /**
   * Why platforms that download photos themselves (Instagram) cannot reach our photo links, in words for
   * the admin who can fix it; undefined when they can.
   */
  photosUnreachable?: { id: string; en: string } | undefined;
  /** How texts are scanned for protected data; a shared `scanEachTextOnce` when the caller masks the same texts. */
  scan?: ProtectedDataScan;
}

export function checkContent(post: PostDraft, ctx: ContentContext): Finding[] {
  const findings: Finding[] = [];
  if (post.title.trim() === '') {
    findings.push({
      code: 'title.required',
      severity: 'block',
      field: 'title',
      message: { id: 'Judul wajib diisi.', en: 'A title is required.' },
    });
  }
  if (post.body.trim() === '') {
    findings.push({
      code: 'body.required',
      severity: 'block',
      field: 'body',
      message: { id: 'Isi berita wajib diisi.', en: 'The text is required.' },
    });
  }
  if (post.channelIds.length === 0) {
    findings.push({
      code: 'channels.required',
      severity: 'block',
      field: 'channelIds',
      message: { id: 'Pilih minimal satu kanal.', en: 'Pick at least one channel.' },
    });
  }
  if (new Set(post.channelIds).size !== post.channelIds.length) {
    findings.push({
      code: 'channels.duplicate',
      severity: 'block',
      field: 'channelIds',
      message: { id: 'Kanal yang sama dipilih dua kali.', en: 'The same channel is picked twice.' },
    });
  }
  for (const id of post.channelIds) {
    if (!ctx.unitChannels.has(id)) {
      findings.push({
        code: 'channels.foreign',
        severity: 'block',
        field: 'channelIds',
        message: {
          id: 'Salah satu kanal yang dipilih bukan milik satuan ini atau sudah dinonaktifkan admin. Hapus centangnya.',
          en: 'One of the picked channels does not belong to this unit or was disabled by an admin. Untick it.',
        },
      });
    }
  }
  for (const id of Object.keys(post.variants)) {
    if (!post.channelIds.includes(id)) {
      findings.push({
        code: 'variants.unknown_channel',
        severity: 'block',
        field: `variants.${id}`,
        message: {
          id: 'Ada teks khusus untuk kanal yang tidak dipilih.',
          en: 'There is a channel-specific text for a channel that is not picked.',
        },
      });
    }
  }
  findings.push(...checkChannelLimits(post, ctx));
  findings.push(...checkSchedule(post.scheduledAt, ctx));
  const scan = ctx.scan ?? findProtectedData;
  findings.push(...scan('title', post.title), ...scan('body', post.body));
  for (const [id, text] of Object.entries(post.variants)) findings.push(...scan(`variants.${id}`, text));
  // Alt text goes out with the photo on every platform that takes it, and in the news page's HTML.
  (post.photos ?? []).forEach((photo, i) => findings.push(...scan(`photos.${i}.altText`, photo.altText)));
  return findings;
}

/** What each picked platform accepts: text length as that platform counts it, photos, alt text. */
export function checkChannelLimits(post: PostDraft, ctx: Pick<ContentContext, 'unitChannels' | 'photosUnreachable'>): Finding[] {
  const findings: Finding[] = [];
  const photos = post.photos ?? [];
  for (const id of new Set(post.channelIds)) {
    const channel = ctx.unitChannels.get(id);
    if (!channel) continue;
    const rules = CHANNEL_RULES[channel.kind];
    const variant = post.variants[id];
    const text = variant ?? post.body;
    const field = variant !== undefined ? `variants.${id}` : 'body';
    const count = countFor(channel.kind, text);
    if (count.over && count.limit !== undefined) {
      if (rules.threads && post.channelOptions?.[id]?.thread === true) {
        const parts = splitThread(channel.kind, text).length;
        if (parts > rules.threadPartsMax) {
          findings.push({
            code: 'channel.thread_too_long',
            severity: 'block',
            field,
            message: {
              id: `Utas untuk ${channel.name} menjadi ${parts} bagian; paling banyak ${rules.threadPartsMax}.`,
              en: `The thread for ${channel.name} would have ${parts} parts; at most ${rules.threadPartsMax}.`,
            },
          });
        }
      } else {
        findings.push({
          code: 'channel.text_too_long',
          severity: 'block',
          field,
          message: {
            id: `Teks untuk ${channel.name} sepanjang ${count.used} karakter; batasnya ${count.limit}.${rules.threads ? ' Persingkat, atau pilih "kirim sebagai utas".' : ' Persingkat, atau tulis teks khusus untuk kanal ini.'}`,
            en: `The text for ${channel.name} is ${count.used} characters; the limit is ${count.limit}.${rules.threads ? ' Shorten it, or choose "send as a thread".' : ' Shorten it, or write a text for this channel only.'}`,
          },
        });
      }
    }
    if (rules.photosMax !== undefined && photos.length > rules.photosMax) {
      findings.push({
        code: 'channel.too_many_photos',
        severity: 'block',
        field: 'photos',
        message: {
          id: `${channel.name} menerima paling banyak ${rules.photosMax} foto; pos ini punya ${photos.length}.`,
          en: `${channel.name} takes at most ${rules.photosMax} photos; this post has ${photos.length}.`,
        },
      });
    }
    if (photos.length < rules.photosMin) {
      findings.push({
        code: 'channel.photo_required',
        severity: 'block',
        field: 'photos',
        message: {
          id: `${channel.name} hanya menerbitkan pos berfoto: tambahkan minimal ${rules.photosMin} foto, atau hapus centang kanal ini.`,
          en: `${channel.name} publishes only posts with a photo: add at least ${rules.photosMin}, or untick this channel.`,
        },
      });
    }
    if (rules.fetchesPhotos && photos.length > 0 && ctx.photosUnreachable) {
      findings.push({
        code: 'channel.photos_not_public',
        severity: 'block',
        field: 'channelIds',
        // Said to the author, who can only untick the channel; the fix is the server operator's.
        message: {
          id: `${channel.name} belum bisa menerima pos: Instagram mengambil foto sendiri dari server Siaran, dan alamat server ini tidak dapat dijangkau dari internet. Hapus centang kanal ini dan beri tahu admin. (Untuk pengelola server: ${ctx.photosUnreachable.id})`,
          en: `${channel.name} cannot take posts yet: Instagram downloads the photos itself from Siaran's server, and this server's address cannot be reached from the internet. Untick this channel and tell an admin. (For the server operator: ${ctx.photosUnreachable.en})`,
        },
      });
    }
    const altMax = rules.altTextMax;
    if (altMax !== undefined) {
      photos.forEach((photo, i) => {
        if (photo.altText.length > altMax) {
          findings.push({
            code: 'photo.alt_too_long',
            severity: 'block',
            field: `photos.${i}.altText`,
            message: {
              id: `Teks alternatif foto ${i + 1} ${photo.altText.length} karakter; ${channel.name} menerima paling banyak ${altMax}.`,
              en: `The alt text of photo ${i + 1} is ${photo.altText.length} characters; ${channel.name} takes at most ${altMax}.`,
            },
          });
        }
      });
    }
  }
  return findings;
}

/**
 * How far ahead a post may be timed: a year and a day, so that next year's date of a yearly occasion (Hari
 * Bhayangkara on 1 July, a unit's anniversary) can be set today. A time further off is almost always a slip in
 * the year (2062 for 2026), and a post kept waiting for years would go out long after its words were true.
 */
export const LATEST_SCHEDULE_DAYS = 366;

/** The latest publish time allowed at `now`. */
export function latestScheduleTime(now: Date): Date {
  return new Date(now.getTime() + LATEST_SCHEDULE_DAYS * 86_400_000);
}

/** The finding for a publish time beyond the latest allowed, in words that say why. */
export function tooFarFinding(latest: Date, zone: TimeZone): Finding {
  return {
    code: 'schedule.too_far',
    severity: 'block',
    field: 'scheduledAt',
    message: {
      id: `Waktu terbit paling lambat ${formatInZone(latest, zone, 'id')}, setahun dan sehari dari sekarang: waktu yang lebih jauh hampir selalu salah ketik tahun, dan berita yang menunggu bertahun-tahun tidak lagi tepat saat terbit.`,
      en: `The latest publish time is ${formatInZone(latest, zone, 'en')}, a year and a day from now: a later time is almost always a mistyped year, and news that waits for years is no longer right when it goes out.`,
    },
  };
}

export function checkSchedule(
  scheduledAt: Date | undefined,
  ctx: Pick<ContentContext, 'now' | 'minLeadSeconds' | 'zone'>,
): Finding[] {
  if (scheduledAt === undefined) {
    return [
      {
        code: 'schedule.invalid',
        severity: 'block',
        field: 'scheduledAt',
        message: {
          id: 'Waktu terbit tidak terbaca. Gunakan format 2026-11-24T09:00.',
          en: 'The publish time cannot be read. Use the form 2026-11-24T09:00.',
        },
      },
    ];
  }
  const latest = latestScheduleTime(ctx.now);
  if (scheduledAt.getTime() > latest.getTime()) return [tooFarFinding(latest, ctx.zone)];
  const earliest = new Date(ctx.now.getTime() + ctx.minLeadSeconds * 1000);
  if (scheduledAt.getTime() < earliest.getTime()) {
    return [
      {
        code: 'schedule.too_soon',
        severity: 'block',
        field: 'scheduledAt',
        message: {
          id: `Waktu terbit paling cepat ${formatInZone(earliest, ctx.zone, 'id')}.`,
          en: `The earliest publish time is ${formatInZone(earliest, ctx.zone, 'en')}.`,
        },
      },
    ];
  }
  return [];
}
