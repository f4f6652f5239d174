// One guard for every text a request brings: its path, its query, its parsed body (JSON or form fields).
// Text PostgreSQL cannot store (shared/storable-text.ts) is refused here with words naming the field, instead
// of failing the statement later as a 500.
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../shared/errors';
import { type Unstorable, findUnstorable } from '../../shared/storable-text';

const WHAT: Record<Unstorable, { id: string; en: string }> = {
  nul: { id: 'karakter NUL (\\u0000)', en: 'a NUL character (\\u0000)' },
  'lone-surrogate': { id: 'separuh karakter UTF-16 tanpa pasangannya (mis. \\ud800)', en: 'half of a UTF-16 character without its other half (e.g. \\ud800)' },
};

export function unstorableText(where: 'path' | 'query' | 'body', field: string, what: Unstorable): AppError {
  const named = field === '' ? { id: `Isi permintaan (${where})`, en: `The request's ${where}` } : { id: `Kolom "${field}"`, en: `The field "${field}"` };
  return new AppError(
    'validation',
    'request.unstorable_text',
    {
      id: `${named.id} berisi ${WHAT[what].id}, yang tidak dapat disimpan. Hapus karakter itu lalu kirim lagi.`,
      en: `${named.en} contains ${WHAT[what].en}, which cannot be stored. Remove that character and send it again.`,
    },
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
