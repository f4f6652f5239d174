// The security headers of everything a citizen opens: the pages carry no script, no inline style and no
// form, so the policy allows only our stylesheet, our icon and manifest, and the photos.
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export function publicHeaders(baseUrl: () => string): RequestHandler {
  // Photo links are built on the public base URL, which may name this server otherwise than the address typed.
  const photos = () => new URL(baseUrl()).origin;
  // Served over HTTPS when the public address says so (a proxy in front ends TLS); never on a test's plain HTTP.
  const https = baseUrl().startsWith('https:');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", photos],
        'manifest-src': ["'self'"],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    // Shares are opened from other sites (WhatsApp, Facebook, X): they may link here, and their previews
    // fetch the photos, not these pages' resources.
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: https,
  });
}

/** The share page's policy: the others', plus our own script and its count sent back to this server. */
export function SHARE_PAGE_POLICY(baseUrl: () => string): string {
  const photos = new URL(baseUrl()).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "connect-src 'self'",
    "style-src 'self'",
    `img-src 'self' ${photos}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    ...(baseUrl().startsWith('https:') ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}
