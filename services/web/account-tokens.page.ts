// The account page's list of the holder's own API tokens, each with its revoke button. The secret is never
// shown again (only its hash is kept); the label, dates and last use tell the holder which one is which.
import type { TimeZone } from '../../shared/time';
import { formatInZone } from '../../shared/time';
import type { TokenView } from '../users/token.repository';
import { type Html, confirmStep, html } from './html';
import { type Lang, t } from './i18n';

export function accountTokensCard(lang: Lang, csrf: string, zone: TimeZone, tokens: TokenView[], flash?: string): Html {
  const when = (d: Date) => formatInZone(d, zone, lang);
  const rows = tokens.map(
    (tk) => html`<tr data-token="${tk.id}"><td>${tk.label}</td><td data-label="${t(lang, 'tokenCreated')}">${when(tk.createdAt)}</td><td data-label="${t(lang, 'tokenLastUsed')}">${tk.lastUsedAt ? when(tk.lastUsedAt) : t(lang, 'tokenNeverUsed')}</td><td data-label="${t(lang, 'tokenValidUntil')}">${when(tk.expiresAt)}</td>
<td>${confirmStep({ label: t(lang, 'revoke'), warning: t(lang, 'revokeTokenWarning'), action: `/account/tokens/${tk.id}/revoke`, confirm: t(lang, 'revokeTokenConfirm'), cancel: t(lang, 'cancel'), id: `revoke-token-${tk.id}`, fields: html`<input type="hidden" name="_csrf" value="${csrf}">` })}</td></tr>`,
  );
  return html`<section class="card" data-api-tokens><h2>${t(lang, 'apiTokens')}</h2>
${flash ? html`<p class="flash" role="status">${flash}</p>` : ''}
<p class="muted" data-tokens-whence>${t(lang, 'apiTokensWhence')}</p>
${tokens.length === 0
    ? html`<p class="muted">${t(lang, 'apiTokensNone')}</p>`
    : html`<table class="tokens-table"><thead><tr><th>${t(lang, 'tokenLabel')}</th><th>${t(lang, 'tokenCreated')}</th><th>${t(lang, 'tokenLastUsed')}</th><th>${t(lang, 'tokenValidUntil')}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}
</section>`;
}
