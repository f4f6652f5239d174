// What a post must satisfy before it may go to a supervisor; the browser and the server run this same code.
import type { Finding } from './finding';
import { findPersonalData } from './personal-data';
import { formatInZone, type TimeZone } from '../time';

export interface PostDraft {
  title: string;
  body: string;
  channelIds: readonly string[];
  variants: Readonly<Record<string, string>>;
  /** Undefined when the typed time could not be read. */
  scheduledAt: Date | undefined;
}

export interface ContentContext {
  now: Date;
  minLeadSeconds: number;
  zone: TimeZone;
  /** Channels owned by the post's own unit and enabled. */
  unitChannelIds: ReadonlySet<string>;
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
    if (!ctx.unitChannelIds.has(id)) {
      findings.push({
        code: 'channels.foreign',
        severity: 'block',
        field: 'channelIds',
        message: {
          id: `Kanal ${id} bukan milik satuan ini atau tidak aktif.`,
          en: `Channel ${id} does not belong to this unit or is disabled.`,
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
  findings.push(...checkSchedule(post.scheduledAt, ctx));
  findings.push(...findPersonalData('title', post.title), ...findPersonalData('body', post.body));
  for (const [id, text] of Object.entries(post.variants)) findings.push(...findPersonalData(`variants.${id}`, text));
  return findings;
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
