// After "Connect with Facebook": the Pages the admin manages, each to be given to one of their units (or
// left out), with the Instagram account linked to it.
import type { MetaPage } from '../channels/meta-connect';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';

export interface MetaPickView {
  pickId: string;
  pages: MetaPage[];
  units: Array<{ id: string; name: string }>;
  /** The unit each Page is connected to already (a reconnect when picked for it again). */
  connectedTo: Map<string, string>;
  /** Why Instagram cannot be connected on this server, when it cannot. */
  instagramBlocked: { id: string; en: string } | undefined;
  flash?: { text: string; error?: boolean } | undefined;
}

export function metaPickPage(lang: Lang, csrf: string, v: MetaPickView): Html {
  return html`<h1>${t(lang, 'metaPickTitle')}</h1>
${v.flash ? html`<div class="flash${v.flash.error ? ' err' : ''}" role="status">${v.flash.text}</div>` : ''}
<p class="muted">${t(lang, 'metaPickHelp')}</p>
${v.instagramBlocked ? html`<p class="flash err" data-instagram-blocked>${pick(lang, v.instagramBlocked)}</p>` : ''}
<form method="post" action="/admin/oauth/meta/pick" class="card">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="pick" value="${v.pickId}">
<table><thead><tr><th>${t(lang, 'metaPage')}</th><th>${t(lang, 'unit')}</th><th>Instagram</th></tr></thead><tbody>
${v.pages.map((p) => {
  const current = v.connectedTo.get(p.id);
  return html`<tr data-page="${p.id}"><td><strong>${p.name}</strong><div class="muted">${p.id}</div></td>
<td><select name="unit:${p.id}" aria-label="${t(lang, 'unit')} — ${p.name}"><option value="">${t(lang, 'metaNotThisOne')}</option>${v.units.map(
    (u) => html`<option value="${u.id}"${u.id === current ? html` selected` : ''}>${u.name}</option>`,
  )}</select></td>
<td>${p.instagram
    ? html`<label><input type="checkbox" name="ig:${p.id}" value="yes"${v.instagramBlocked ? html` disabled` : html` checked`}> @${p.instagram.username}</label>`
    : html`<span class="muted">${t(lang, 'metaNoInstagram')}</span>`}</td></tr>`;
})}
</tbody></table>
<p><button data-action="connect-pages">${t(lang, 'metaConnectPicked')}</button> <a href="/admin">${t(lang, 'back')}</a></p></form>`;
}
