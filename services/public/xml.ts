// Escaping for the Atom feed; the pages use the typed HTML template of web/.
import { escapeHtml } from '../web/html';

/** XML 1.0 forbids most control characters even when escaped; a feed reader rejects the whole feed over one. */
export function escapeXml(text: string): string {
  return escapeHtml(text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ''));
}
