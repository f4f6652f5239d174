import type { ChannelRow, UnitRow, UserRow } from '../storage/schema';
import { TIME_ZONES } from '../../shared/time';
import { type Html, html } from './html';
import { type Lang, t } from './i18n';

export interface AdminView {
  units: UnitRow[];
  users: UserRow[];
  channels: ChannelRow[];
  requireTotp: boolean;
  flash?: { text: string; secret?: string; error?: boolean } | undefined;
}

const ROLES = ['operator', 'supervisor', 'admin'] as const;

export function adminPage(lang: Lang, csrf: string, v: AdminView): Html {
  const c = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  const unitOptions = (selected?: string) => v.units.map((u) => html`<option value="${u.id}"${u.id === selected ? html` selected` : ''}>${u.name}</option>`);
  const roleOptions = (selected?: string) => ROLES.map((r) => html`<option value="${r}"${r === selected ? html` selected` : ''}>${r}</option>`);
  const children = (parent: string | null): Html[] =>
    v.units
      .filter((u) => u.parent_id === parent || (parent === null && !v.units.some((p) => p.id === u.parent_id)))
      .map(
        (u) => html`<li data-unit="${u.slug}"><strong>${u.name}</strong> ${u.publishing_paused ? html`<span class="badge failed">${t(lang, 'paused')}</span>` : ''}
<form method="post" action="/admin/units/${u.id}" class="inline">${c}<select name="timeZone" aria-label="${t(lang, 'zone')}">${Object.entries(TIME_ZONES).map(
          ([zone, label]) => html`<option value="${zone}"${zone === u.time_zone ? html` selected` : ''}>${label}</option>`,
        )}</select><button class="secondary">${t(lang, 'save')}</button></form>
<form method="post" action="/admin/units/${u.id}/pause" class="inline">${c}<input type="hidden" name="paused" value="${u.publishing_paused ? 'false' : 'true'}"><button class="${u.publishing_paused ? 'secondary' : 'danger'}">${t(lang, u.publishing_paused ? 'resumePublishing' : 'pausePublishing')}</button></form>
<ul class="muted">${v.channels.filter((ch) => ch.unit_id === u.id).map(
          (ch) => html`<li>${ch.kind} · ${ch.name} <form method="post" action="/admin/channels/${ch.id}/test" class="inline">${c}<button class="link">${t(lang, 'testConnection')}</button></form></li>`,
        )}</ul>
<details><summary>${t(lang, 'addWebhook')}</summary><form method="post" action="/admin/units/${u.id}/webhook">${c}
<label>URL<input type="url" name="url" required></label><label>${t(lang, 'name')}<input type="text" name="name"></label>
<label>${t(lang, 'secret')}<input type="password" name="secret" minlength="16" required autocomplete="off"></label><button>${t(lang, 'save')}</button></form></details>
<ul class="tree">${children(u.id)}</ul></li>`,
      );
  return html`<h1>${t(lang, 'admin')}</h1>
${v.flash ? html`<div class="flash${v.flash.error ? ' err' : ''}" role="status">${v.flash.text}${v.flash.secret ? html`<pre class="secret" id="one-time">${v.flash.secret}</pre>` : ''}</div>` : ''}
<form method="post" action="/admin/settings/totp" class="card">${c}<input type="hidden" name="on" value="${v.requireTotp ? 'false' : 'true'}">
<label><input type="checkbox" disabled${v.requireTotp ? html` checked` : ''}> ${t(lang, 'requireTotp')}</label><button class="secondary">${v.requireTotp ? t(lang, 'disable') : t(lang, 'enable')}</button></form>
<h2>${t(lang, 'users')}</h2>
<table><thead><tr><th>${t(lang, 'name')}</th><th>${t(lang, 'role')} / ${t(lang, 'unit')}</th><th></th></tr></thead><tbody>
${v.users.map(
  (u) => html`<tr data-user="${u.email}"><td>${u.name}<div class="muted">${u.email}${u.disabled ? html` · ${t(lang, 'disabled')}` : ''}</div></td>
<td><form method="post" action="/admin/users/${u.id}" class="row">${c}<select name="role">${roleOptions(u.role)}</select><select name="unitId">${unitOptions(u.unit_id)}</select><button class="secondary">${t(lang, 'save')}</button></form></td>
<td><form method="post" action="/admin/users/${u.id}/reset" class="inline">${c}<button class="secondary">${t(lang, 'resetPassword')}</button></form>
<form method="post" action="/admin/users/${u.id}/disable" class="inline">${c}<input type="hidden" name="disabled" value="${u.disabled ? 'false' : 'true'}"><button class="${u.disabled ? 'secondary' : 'danger'}">${t(lang, u.disabled ? 'enable' : 'disable')}</button></form></td></tr>`,
)}</tbody></table>
<form method="post" action="/admin/users" class="card"><h2>${t(lang, 'invite')}</h2>${c}
<label>${t(lang, 'email')}<input type="email" name="email" required></label><label>${t(lang, 'name')}<input type="text" name="name" required></label>
<label>${t(lang, 'role')}<select name="role">${roleOptions('operator')}</select></label><label>${t(lang, 'unit')}<select name="unitId">${unitOptions()}</select></label>
<p><button>${t(lang, 'invite')}</button></p></form>
<h2>${t(lang, 'units')}</h2><ul class="tree">${children(null)}</ul>`;
}
