// One guard for every text a request brings: its path, its query, its parsed body (JSON or form fields).
// Text PostgreSQL cannot store (shared/storable-text.ts) is refused here with words naming the field, instead
// of failing the statement later as a 500.
import type { NextFunction, Request, Response } from 'express';
import { AppError, type LocalizedText } from '../../shared/errors';
import { FIELD_LABELS } from '../../shared/words';
import { type Unstorable, findUnstorable } from '../../shared/storable-text';

const WHAT: Record<Unstorable, { id: string; en: string }> = {
  nul: { id: 'karakter tersembunyi yang rusak (NUL)', en: 'a hidden, broken character (NUL)' },
  'lone-surrogate': { id: 'karakter yang terpotong separuh (mis. emoji yang rusak)', en: 'a character cut in half (e.g. a broken emoji)' },
};

/** Words for where the text was: the field as people know it (FIELD_LABELS), never its internal name or path. */
function placeOf(where: 'path' | 'query' | 'body', field: string): LocalizedText {
  if (where === 'path') return { id: 'Alamat yang diminta', en: 'The requested address' };
  const head = field.split('.')[0] ?? '';
  const label = FIELD_LABELS[head] ?? FIELD_LABELS[`photo.${head}`] ?? EXTRA_LABELS[head];
  if (label) return { id: `Kolom "${label.id}"`, en: `The field "${label.en}"` };
  return where === 'query' ? { id: 'Alamat yang diminta', en: 'The requested address' } : { id: 'Salah satu kolom', en: 'One of the fields' };
}

/** Fields of forms and queries beyond a post's own (FIELD_LABELS): notes, reasons, names. */
const EXTRA_LABELS: Record<string, LocalizedText> = {
  note: { id: 'Catatan', en: 'Note' },
  reason: { id: 'Alasan', en: 'Reason' },
  alt: { id: 'Teks alternatif foto', en: 'Photo alt text' },
  filename: { id: 'Nama berkas', en: 'File name' },
  name: { id: 'Nama', en: 'Name' },
  email: { id: 'E-mail', en: 'E-mail' },
  password: { id: 'Kata sandi', en: 'Password' },
  q: { id: 'Pencarian', en: 'Search' },
};

export function unstorableText(where: 'path' | 'query' | 'body', field: string, what: Unstorable): AppError {
  const place = placeOf(where, field);
  return new AppError(
    'validation',
    'request.unstorable_text',
    {
      id: `${place.id} berisi ${WHAT[what].id}, yang tidak dapat disimpan; biasanya terbawa saat menyalin dari PDF atau aplikasi lain. Ketik ulang bagian itu lalu kirim lagi.`,
      en: `${place.en} contains ${WHAT[what].en}, which cannot be stored; it usually comes with text copied from a PDF or another app. Retype that part and send it again.`,
    },
    // For scripts and the compose page: where exactly (the field's path), and what.
    { where, field, problem: what },
  );
}

/** The first unstorable text of the request, as an error to answer with; undefined when all is well. */
export function unstorableInRequest(req: Request): AppError | undefined {
  // The path as decoded for the routes' parameters: `%00` would reach a lookup by slug or id.
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    path = req.path;
  }
  const inPath = findUnstorable(path);
  if (inPath) return unstorableText('path', '', inPath.what);
  const inQuery = findUnstorable(req.query);
  if (inQuery) return unstorableText('query', inQuery.path, inQuery.what);
  const inBody = findUnstorable(req.body);
  if (inBody) return unstorableText('body', inBody.path, inBody.what);
  return undefined;
}

/** Middleware after the body parsers: refuses a request carrying text that cannot be stored. */
export function storableInput() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(unstorableInRequest(req));
  };
}
