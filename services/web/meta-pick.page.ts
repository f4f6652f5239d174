// After "Connect with Facebook": the Pages the admin manages, each to be given to one of their units (or
// left out), with the Instagram account linked to it. Readable on a phone: each Page is a card there.
import type { MetaPage } from '../channels/meta-connect';
import { type TimeZone, formatInZone } from '../../shared/time';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';

export interface MetaPickView {
  pickId: string;
  pages: MetaPage[];
  /** Pages Meta listed on which the admin may not create content: named, not offered. */
  skipped: string[];
  expiresAt: Date;
  zone: TimeZone;
  units: Array<{ id: string; name: string }>;
  /** The unit each Page is connected to already (picking it again renews its token). */
  connectedTo: Map<string, string>;
  /** `unitId:igUserId` of the Instagram accounts connected already. */
  instagramIn: Set<string>;
  /** Why Instagram cannot be connected on this server, when it cannot. */
  instagramBlocked: { id: string; en: string } | undefined;
  /** What the admin chose before a refusal, shown again. */
  chosen?: Map<string, { unitId: string; instagram: boolean }> | undefined;
  flash?: { text: string; error?: boolean } | undefined;
}

export function metaPickPage(lang: Lang, csrf: string, v: MetaPickView): Html {
  const unitName = (id: string | undefined) => v.units.find((u) => u.id === id)?.name;
  return html`<h1>${t(lang, 'metaPickTitle')}</h1>
${v.flash ? html`<div class="flash${v.flash.error ? ' err' : ''}" role="status">${v.flash.text}</div>` : ''}
<p class="muted">${t(lang, 'metaPickHelp')} <strong>${t(lang, 'metaPickBefore')} ${formatInZone(v.expiresAt, v.zone, lang)}.</strong></p>
${v.instagramBlocked ? html`<p class="flash err" data-instagram-blocked>${t(lang, 'instagramBlocked')} ${pick(lang, v.instagramBlocked)}</p>` : ''}
<form method="post" action="/admin/oauth/meta/pick" class="card">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="pick" value="${v.pickId}">
<table class="pick-table"><thead><tr><th>${t(lang, 'metaPage')}</th><th>${t(lang, 'unit')}</th><th>Instagram</th></tr></thead><tbody>
${v.pages.map((p) => {
  const current = v.connectedTo.get(p.id);
  const chosen = v.chosen?.get(p.id);
  const unit = chosen ? chosen.unitId : current;
  // Ticked for a new Page; for one connected already, as its unit has it (leaving it out stays left out).
  const igTicked = chosen ? chosen.instagram : p.instagram !== null && (current === undefined || v.instagramIn.has(`${current}:${p.instagram.id}`));
  return html`<tr data-page="${p.id}"><td><strong>${p.name}</strong>${current ? html`<div class="muted" data-connected-to>${t(lang, 'metaConnectedTo')} ${unitName(current) ?? ''}</div>` : ''}</td>
<td><select name="unit:${p.id}" aria-label="${t(lang, 'unit')} — ${p.name}"><option value="">${t(lang, 'metaNotThisOne')}</option>${v.units.map(
    (u) => html`<option value="${u.id}"${u.id === unit ? html` selected` : ''}>${u.name}</option>`,
  )}</select></td>
<td>${p.instagram
    ? html`<label class="check"><input type="checkbox" name="ig:${p.id}" value="yes"${v.instagramBlocked ? html` disabled` : igTicked ? html` checked` : ''}> @${p.instagram.username}</label>`
    : html`<span class="muted">${t(lang, 'metaNoInstagram')}</span>`}</td></tr>`;
})}
</tbody></table>
${v.skipped.length > 0 ? html`<p class="muted" data-skipped>${t(lang, 'metaSkipped')} ${v.skipped.join(', ')}.</p>` : ''}
<p class="muted">${t(lang, 'metaMissing')}</p>
<p class="actions"><button data-action="connect-pages">${t(lang, 'metaConnectPicked')}</button> <a href="/admin">${t(lang, 'back')}</a></p></form>`;
}
