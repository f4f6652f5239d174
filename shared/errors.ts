// Errors carry a kind; the kind alone decides the HTTP status or the retry policy.
export type ErrorKind =
  | 'validation'
  /** The request or the file is over a size limit (413). */
  | 'too-large'
  | 'unsupported-media-type'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'auth-expired'
  | 'rejected'
  | 'transient'
  | 'unknown-outcome'
  | 'unavailable'
  | 'internal';

export interface LocalizedText {
  id: string;
  en: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine-readable code, e.g. `post.not_found`. */
    readonly code: string,
    readonly text: LocalizedText,
    readonly details?: unknown,
  ) {
    super(text.en);
    this.name = 'AppError';
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
