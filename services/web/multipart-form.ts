// The one importer of busboy: a form with a file (multipart/form-data) read into the request, its fields as
// `req.body` (where the CSRF check finds its token) and its file as text, under a byte limit.
import type { NextFunction, Request, Response } from 'express';
import busboy from 'busboy';
import { AppError } from '../../shared/errors';

const files = new WeakMap<Request, { name: string; text: string }>();

/** The text of the file the form carried, if any. */
export function uploadedText(req: Request): { name: string; text: string } | undefined {
  return files.get(req);
}

export function multipartForm(opts: { maxFileBytes: number; tooLarge: AppError }) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.is('multipart/form-data')) return next();
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 4096, fileSize: opts.maxFileBytes } });
    } catch {
      next(new AppError('validation', 'request.bad_form', { id: 'Formulir tidak terbaca. Muat ulang halaman, lalu coba lagi.', en: 'The form could not be read. Reload the page and try again.' }));
      return;
    }
    const fields: Record<string, string> = {};
    let failed: AppError | undefined;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failed = opts.tooLarge;
      });
      stream.on('end', () => {
        if (!failed) files.set(req, { name: info.filename ?? '', text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    parser.on('error', () => {
      failed ??= new AppError('validation', 'request.bad_form', { id: 'Unggahan terputus. Coba lagi.', en: 'The upload was cut short. Try again.' });
    });
    parser.on('close', () => {
      req.body = fields;
      next(failed);
    });
    req.pipe(parser);
  };
}
