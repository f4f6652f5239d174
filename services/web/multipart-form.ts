// The one importer of busboy: a form with a file (multipart/form-data) read into the request, its fields as
// `req.body` (where the CSRF check finds its token) and its file as text, under a byte limit. Mounted after the
// session is known (sessionRequired): nobody unsigned streams a file into memory.
import type { NextFunction, Request, Response } from 'express';
import busboy from 'busboy';
import { AppError } from '../../shared/errors';

const files = new WeakMap<Request, { name: string; text: string }>();

/** The text of the file the form carried, if any. */
export function uploadedText(req: Request): { name: string; text: string } | undefined {
  return files.get(req);
}

const unreadable = () => new AppError('validation', 'request.bad_form', { id: 'Unggahan terputus atau tidak terbaca. Coba lagi.', en: 'The upload was cut short or could not be read. Try again.' });

export function multipartForm(opts: { maxFileBytes: number; tooLarge: AppError }) {
  // Room for the form's few fields and the parts' headers beside the file.
  const maxBody = opts.maxFileBytes + 64 * 1024;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('multipart/form-data')) return next();
    const declared = Number(req.headers['content-length']);
    const refuse = (err: AppError) => {
      // What is left of the body is not read: the answer goes out and the connection is closed.
      res.set('Connection', 'close');
      next(err);
      req.unpipe();
      req.resume();
    };
    if (Number.isFinite(declared) && declared > maxBody) return refuse(opts.tooLarge);
    let parser: busboy.Busboy;
    try {
      // File names as browsers send them, in UTF-8 ("Rencana – Januari.csv"), not read as Latin-1.
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 10, fieldSize: 4096, fileSize: opts.maxFileBytes, parts: 12 } });
    } catch {
      return refuse(unreadable());
    }
    const fields: Record<string, string> = {};
    let settled = false;
    const finish = (err?: AppError) => {
      if (settled) return;
      settled = true;
      if (err) {
        req.unpipe(parser);
        parser.destroy();
        refuse(err);
        return;
      }
      req.body = fields;
      next();
    };
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // A body without Content-Length (chunked) is held to the same bound.
      if (received > maxBody) finish(opts.tooLarge);
    });
    req.on('close', () => {
      if (!req.complete) finish(unreadable());
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => finish(opts.tooLarge));
      // A part cut short (no closing boundary) errors here: never unhandled.
      stream.on('error', () => finish(unreadable()));
      stream.on('end', () => {
        if (!settled) files.set(req, { name: info.filename ?? '', text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    parser.on('error', () => finish(unreadable()));
    parser.on('close', () => finish());
    req.pipe(parser);
  };
}
