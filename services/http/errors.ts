// Maps an error's kind to an HTTP answer: {error: {code, message, details}}, never a 500 for a user's mistake.
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { AppError, type ErrorKind, type LocalizedText } from '../../shared/errors';

/** The one mapping of an error's kind to an HTTP status, for the API and the pages alike. */
export const STATUS: Record<ErrorKind, number> = {
  validation: 422,
  'too-large': 413,
  'unsupported-media-type': 415,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
  'auth-expired': 401,
  rejected: 422,
  transient: 503,
  'unknown-outcome': 502,
  unavailable: 503,
  internal: 500,
};

export function language(req: Request): 'id' | 'en' {
  const q = req.query.lang;
  if (q === 'en' || q === 'id') return q;
  const header = req.headers['accept-language'] ?? '';
  const first = header.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'id';
}

export function zodToAppError(err: ZodError, where: 'body' | 'query' | 'params'): AppError {
  return new AppError(
    'validation',
    'request.invalid',
    {
      id: `Permintaan tidak valid (${where}): ${err.issues.map((i) => `${i.path.join('.') || '(root)'} — ${i.message}`).join('; ')}`,
      en: `Invalid request (${where}): ${err.issues.map((i) => `${i.path.join('.') || '(root)'} — ${i.message}`).join('; ')}`,
    },
    err.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message })),
  );
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

const BODY_ERRORS: Record<string, { status: number; code: string; text: LocalizedText }> = {
  'entity.parse.failed': {
    status: 400,
    code: 'request.malformed_json',
    text: { id: 'Isi permintaan bukan JSON yang valid.', en: 'The request body is not valid JSON.' },
  },
  'entity.too.large': {
    status: 413,
    code: 'request.too_large',
    text: { id: 'Isi permintaan terlalu besar.', en: 'The request body is too large.' },
  },
  'encoding.unsupported': {
    status: 415,
    code: 'request.unsupported_encoding',
    text: { id: 'Encoding isi permintaan tidak didukung.', en: 'The request body encoding is not supported.' },
  },
  'charset.unsupported': {
    status: 415,
    code: 'request.unsupported_charset',
    text: { id: 'Charset isi permintaan tidak didukung.', en: 'The request body charset is not supported.' },
  },
  'request.aborted': {
    status: 400,
    code: 'request.aborted',
    text: { id: 'Permintaan terputus.', en: 'The request was aborted.' },
  },
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const lang = language(req);
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    // An error is about this request only: never kept by a cache (the media files' own answers are not errors).
    res.setHeader('Cache-Control', 'no-store');
    if (err instanceof AppError) {
      const status = STATUS[err.kind];
      if (status >= 500) log.error({ err, path: req.path }, 'request failed');
      if (err.kind === 'unauthenticated' || err.kind === 'auth-expired') res.setHeader('WWW-Authenticate', 'Bearer realm="siaran"');
      res.status(status).json({ error: { code: err.code, message: err.text[lang], details: err.details ?? null } });
      return;
    }
    if (err instanceof ZodError) {
      const app = zodToAppError(err, 'body');
      res.status(422).json({ error: { code: app.code, message: app.text[lang], details: app.details } });
      return;
    }
    const bp = err as BodyParserError;
    const known = bp.type ? BODY_ERRORS[bp.type] : undefined;
    if (known) {
      res.status(known.status).json({ error: { code: known.code, message: known.text[lang], details: null } });
      return;
    }
    if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
      res.status(bp.status).json({ error: { code: 'request.bad', message: lang === 'en' ? 'Bad request.' : 'Permintaan tidak valid.', details: null } });
      return;
    }
    log.error({ err, path: req.path, method: req.method }, 'unexpected error');
    res.status(500).json({
      error: {
        code: 'internal',
        message: lang === 'en' ? 'Something went wrong on our side. Nothing was changed.' : 'Terjadi kesalahan di sisi kami. Tidak ada yang diubah.',
        details: null,
      },
    });
  };
}
