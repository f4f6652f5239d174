// Any list of posts as a CSV file for a spreadsheet: what the monthly report is made from.
import { stringify } from 'csv-stringify/sync';
import type { PostView } from './post-view';
import { CHANNEL_KIND_LABELS } from '../../shared/words';

type Lang = 'id' | 'en';

const HEADER: Record<Lang, string[]> = {
  id: ['id', 'satuan', 'judul', 'status', 'waktu', 'zona', 'penulis', 'kanal', 'tautan'],
  en: ['id', 'unit', 'title', 'status', 'time', 'zone', 'author', 'channels', 'links'],
};

/**
 * The posts as CSV, one row each, in the reader's language, every cell quoted (a spreadsheet set to Indonesian
 * splits unquoted cells at ";"). A cell a spreadsheet would run as a formula (one starting, after any spaces, with
 * =, +, -, @, a tab or a carriage return, or their full-width forms) is written with a leading apostrophe, so that
 * a post's text can never become a formula in the office's computer.
 */
export function postsCsv(posts: readonly PostView[], lang: Lang): string {
  const rows = posts.map((p) => [
    p.id,
    p.unit.name,
    p.title,
    p.statusLabel[lang],
    p.scheduledLocal,
    p.unit.zone,
    p.author.name,
    p.targets.map((t) => `${CHANNEL_KIND_LABELS[t.channelKind][lang]}: ${t.statusLabel[lang]}`).join('; '),
    p.targets.map((t) => t.externalUrl ?? '').filter(Boolean).join(' '),
  ]);
  return stringify([HEADER[lang], ...rows].map((r) => r.map(inert)), { bom: true, quoted: true });
}

function inert(cell: string): string {
  return /^[\s\u3000]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell) ? `'${cell}` : cell;
}
