import type { ChannelView } from '../channels/manage-channels';
import type { UnitRow, UserRow } from '../storage/schema';
import { remedy } from '../../shared/channels/channel-words';
import { CHANNEL_KIND_LABELS, CHANNEL_STATE_LABELS, ROLE_LABELS, numberIn } from '../../shared/words';
import { TIME_ZONES, formatInZone } from '../../shared/time';
import { type Html, confirmStep, html } from './html';
import { type Lang, pick, t } from './i18n';

export interface AdminView {
  units: UnitRow[];
  users: UserRow[];
  channels: ChannelView[];
  requireTotp: boolean;
  /** Which ways of connecting X this server offers. */
  x: { oauth2: boolean; tokens: boolean };
  /** Whether "Connect with Facebook" is offered (a Meta app is configured). */
  meta: boolean;
  /** Whether "Connect with Instagram" (Instagram Login) is offered. */
  instagramLogin: boolean;
  /** Why no Instagram account can be connected on this server (Meta cannot fetch its photos), when so. */
  instagramBlocked: { id: string; en: string } | undefined;
  flash?: { text: string; secret?: string; error?: boolean } | undefined;
  /** A refused form, shown again as it was typed. */
  typed?: TypedForm | undefined;
  /**
   * Where the flash is told: the action of the form that was answered, or `channel:<id>` for a channel's row (the
   * page opens scrolled there). At the top when absent, or when no such place is on the page.
   */
  at?: string | undefined;
}

/** A form the server refused: where it was sent and what was in it. Fields that hold secrets are never filled back. */
export interface TypedForm {
  action: string;
  fields: Record<string, string | undefined>;
}

const ROLES = ['operator', 'supervisor', 'admin'] as const;

export function adminPage(lang: Lang, csrf: string, v: AdminView): Html {
  const c = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  /** What the admin typed in a field of the refused form at `action`, or '' (a capped length: this is for a person to read again). */
  const typed = (action: string, field: string): string => (v.typed?.action === action ? (v.typed.fields[field] ?? '').slice(0, 2000) : '');
  /** A folded form is shown open when it was the one answered: what the answer says is inside it. */
  const reopened = (action: string) => (v.typed?.action === action || (v.flash && v.at === action) ? html` open` : '');
  // An object, not a boolean variable: it is set inside the closures below, after TypeScript has narrowed it.
  const told = { inPlace: false };
  /** The flash, when it belongs at `place`: a refusal names its subject; secrets typed again are said to be. */
  const flashAt = (place: string, subject?: string, hadSecrets = false): Html | '' => {
    if (!v.flash || v.at !== place) return '';
    told.inPlace = true;
    return v.flash.error
      ? html`<div class="flash err" role="alert" data-refused>${subject ? html`<strong>${subject}</strong> — ` : ''}${v.flash.text}${
          // Secrets are never filled back: say so, or the admin wonders where theirs went.
          hadSecrets ? html` ${t(lang, 'secretsNotKept')}` : ''
        }</div>`
      : flashBox(v.flash);
  };
  /**
   * A form of this page. Its action carries the form's id as a fragment, so its answer opens scrolled to it; what
   * the answer says (a refusal, a one-time password) is shown inside it, not at the top of a long page.
   */
  const form = (action: string, attrs: Html | '', body: Html, subject?: string): Html => {
    const id = formId(action);
    return html`<form method="post" action="${action}#${id}" id="${id}"${attrs}>${flashAt(action, subject, body.value.includes('type="password"'))}${c}${body}</form>`;
  };
  const unitOptions = (selected?: string) => v.units.map((u) => html`<option value="${u.id}"${u.id === selected ? html` selected` : ''}>${u.name}</option>`);
  const roleOptions = (selected?: string) => ROLES.map((r) => html`<option value="${r}"${r === selected ? html` selected` : ''}>${pick(lang, ROLE_LABELS[r])}</option>`);
  const children = (parent: string | null): Html[] =>
    v.units
      .filter((u) => u.parent_id === parent || (parent === null && !v.units.some((p) => p.id === u.parent_id)))
      .map(
        (u) => html`<li data-unit="${u.slug}"><strong>${u.name}</strong> ${u.publishing_paused ? html`<span class="badge failed">${t(lang, 'paused')}</span>` : ''}
${form(`/admin/units/${u.id}`, html` class="inline"`, html`<select name="timeZone" aria-label="${t(lang, 'zone')}">${Object.entries(TIME_ZONES).map(
          ([zone, label]) => html`<option value="${zone}"${zone === u.time_zone ? html` selected` : ''}>${label}</option>`,
        )}</select><button class="secondary">${t(lang, 'save')}</button>`, u.name)}
<form method="post" action="/admin/units/${u.id}/pause" class="inline">${c}<input type="hidden" name="paused" value="${u.publishing_paused ? 'false' : 'true'}"><button class="${u.publishing_paused ? 'secondary' : 'danger'}">${t(lang, u.publishing_paused ? 'resumePublishing' : 'pausePublishing')}</button></form>
<form method="post" action="/admin/units/${u.id}/two-approvals" class="inline" data-two-approvals="${u.two_approvals_for_sensitive ? 'on' : 'off'}">${c}<input type="hidden" name="on" value="${u.two_approvals_for_sensitive ? 'false' : 'true'}"><button class="secondary">${t(lang, u.two_approvals_for_sensitive ? 'twoApprovalsOff' : 'twoApprovalsOn')}</button></form>
${u.two_approvals_for_sensitive ? html`<span class="badge unconfirmed">${t(lang, 'twoApprovalsBadge')}</span>` : ''}
${channelTable(lang, c, u, v.channels.filter((ch) => ch.unitId === u.id), v.x, v.instagramLogin, { form, reopened, flashAt })}
${addForms(lang, c, u, v, { form, typed, reopened, flashAt })}
<ul class="tree">${children(u.id)}</ul></li>`,
      );
  const body = html`<form method="post" action="/admin/settings/totp" class="card">${c}<input type="hidden" name="on" value="${v.requireTotp ? 'false' : 'true'}">
<label><input type="checkbox" disabled${v.requireTotp ? html` checked` : ''}> ${t(lang, 'requireTotp')}</label><button class="secondary">${v.requireTotp ? t(lang, 'disable') : t(lang, 'enable')}</button></form>
<h2>${t(lang, 'users')}</h2>
<table class="users-table"><thead><tr><th>${t(lang, 'name')}</th><th>${t(lang, 'role')} / ${t(lang, 'unit')}</th><th></th></tr></thead><tbody>
${v.users.map(
  (u) => html`<tr data-user="${u.email}"><td>${u.name}<div class="muted">${u.email}${u.disabled ? html` · ${t(lang, 'disabled')}` : ''}</div></td>
<td>${form(`/admin/users/${u.id}`, html` class="row"`, html`<select name="role" aria-label="${t(lang, 'role')}">${roleOptions(u.role)}</select><select name="unitId" aria-label="${t(lang, 'unit')}">${unitOptions(u.unit_id)}</select><button class="secondary">${t(lang, 'save')}</button>`, u.name)}</td>
<td><form method="post" action="/admin/users/${u.id}/reset" class="inline">${c}<button class="secondary">${t(lang, 'resetPassword')}</button></form>
${confirmStep({ label: t(lang, 'revokeTokens'), warning: t(lang, 'revokeTokensWarning'), action: `/admin/users/${u.id}/tokens/revoke`, confirm: t(lang, 'revokeTokensConfirm'), cancel: t(lang, 'cancel'), id: `revoke-tokens-${u.id}`, fields: c })}
<form method="post" action="/admin/users/${u.id}/disable" class="inline">${c}<input type="hidden" name="disabled" value="${u.disabled ? 'false' : 'true'}"><button class="${u.disabled ? 'secondary' : 'danger'}">${t(lang, u.disabled ? 'enable' : 'disable')}</button></form></td></tr>`,
)}</tbody></table>
<h2>${t(lang, 'invite')}</h2>${form('/admin/users', html` class="card"`, html`<p class="muted" data-transfer-help>${t(lang, 'inviteTransferHelp')}</p>
<label>${t(lang, 'email')}<input type="email" name="email" value="${typed('/admin/users', 'email')}" required></label><label>${t(lang, 'name')}<input type="text" name="name" value="${typed('/admin/users', 'name')}" required></label>
<label>${t(lang, 'role')}<select name="role" required><option value="">${t(lang, 'chooseRole')}</option>${roleOptions(typed('/admin/users', 'role'))}</select></label><label>${t(lang, 'unit')}<select name="unitId">${unitOptions(typed('/admin/users', 'unitId') || undefined)}</select></label>
<p><button>${t(lang, 'invite')}</button></p>`, t(lang, 'invite'))}
<h2>${t(lang, 'units')}</h2>
${v.meta ? html`<form method="post" action="/admin/oauth/meta/connect" class="card" data-connect-facebook>${c}<p class="muted">${t(lang, 'connectFacebookHelp')}</p><button data-action="connect-facebook">${t(lang, 'connectFacebook')}</button></form>` : ''}
<ul class="tree">${children(null)}</ul>
<h2>${t(lang, 'addUnit')}</h2>${form('/admin/units', html` class="card" data-add-unit`, html`
<label>${t(lang, 'setupUnitName')}<input type="text" name="name" value="${typed('/admin/units', 'name')}" required minlength="3" maxlength="120" placeholder="Polres Tulangbawang Barat"></label>
<label>${t(lang, 'parentUnit')}<select name="parentId">${unitOptions(typed('/admin/units', 'parentId') || undefined)}</select></label>
<label>${t(lang, 'zone')}<select name="timeZone">${Object.entries(TIME_ZONES).map(([zone, label]) => html`<option value="${zone}"${zone === typed('/admin/units', 'timeZone') ? html` selected` : ''}>${label}</option>`)}</select></label>
<p><button>${t(lang, 'addUnit')}</button></p>`, t(lang, 'addUnit'))}`;
  // Told where it belongs, it is not repeated here.
  return html`<h1>${t(lang, 'admin')}</h1>
${v.flash && !told.inPlace ? flashBox(v.flash) : ''}
${body}`;
}

function flashBox(flash: NonNullable<AdminView['flash']>): Html {
  return html`<div class="flash${flash.error ? ' err' : ''}" role="status">${flash.text}${flash.secret ? html`<pre class="secret" id="one-time">${flash.secret}</pre>` : ''}</div>`;
}

/** A typed address filled back without any user name and password in it (one reason it may have been refused). */
function withoutUserInfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}

/** The id of the form posting to `action`: its path made a name (`admin-units-<id>-webhook`). */
function formId(action: string): string {
  return action.replace(/^\/+/, '').replace(/[^A-Za-z0-9-]+/g, '-');
}

interface FormKit {
  form: (action: string, attrs: Html | '', body: Html, subject?: string) => Html;
  flashAt: (place: string, subject?: string) => Html | '';
  typed?: (action: string, field: string) => string;
  reopened: (action: string) => Html | '';
}

export function stateBadge(lang: Lang, state: ChannelView['state']): Html {
  const tone = state === 'connected' ? 'published' : state === 'rate_limited' ? 'unconfirmed' : 'failed';
  return html`<span class="badge ${tone}" data-channel-state="${state}">${pick(lang, CHANNEL_STATE_LABELS[state])}</span>`;
}

function channelTable(lang: Lang, c: Html, unit: UnitRow, channels: ChannelView[], x: AdminView['x'], instagramLogin: boolean, kit: FormKit): Html {
  const when = (iso: string | null) => (iso ? formatInZone(new Date(iso), unit.time_zone, lang) : '');
  return html`<table class="channels-table"><caption class="muted">${t(lang, 'channelsOfUnit')}</caption><tbody>${channels.map(
    (ch) => html`<tr data-channel="${ch.id}" data-kind="${ch.kind}" id="channel-${ch.id}"><td>${kit.flashAt(`channel:${ch.id}`)}<strong>${pick(lang, CHANNEL_KIND_LABELS[ch.kind])}</strong> · ${ch.name}
<div class="muted">${ch.kind === 'webhook' && typeof ch.settings.url === 'string' ? html`<span class="address" data-webhook-url>${ch.settings.url}</span>` : (ch.accountName ?? '')}${ch.tokenExpiresAt && ch.state !== 'needs_reconnect' ? html` · ${t(lang, 'tokenExpires')} ${when(ch.tokenExpiresAt)} (${t(lang, 'renewedAutomatically')})` : ''}</div></td>
<td>${stateBadge(lang, ch.state)}${ch.until ? html` <span class="muted">${t(lang, 'until')} ${when(ch.until)}</span>` : ''}${ch.heldPosts > 0 ? html`<div class="muted" data-held="${ch.heldPosts}">${ch.heldPosts} ${t(lang, 'heldPosts')}</div>` : ''}
${remedy(ch.kind, ch.state) ? html`<div data-remedy>${pick(lang, remedy(ch.kind, ch.state)!)}</div>` : ''}
${ch.lastError ? html`<div class="${ch.state === 'connected' ? 'muted' : 'error'}" data-last-error>${t(lang, 'lastError')} (${when(ch.lastErrorAt)}): ${ch.lastError}</div>` : ''}${
  ch.audience?.followers != null ? html`<div class="muted" data-followers>${t(lang, 'channelFollowers')}: ${numberIn(lang, ch.audience.followers)} (${t(lang, 'figuresReadAt')} ${when(ch.audience.readAt)})</div>` : ''
}${ch.audience?.lastError ? html`<div class="muted" data-engagement-error>${t(lang, 'engagementError')} (${when(ch.audience.lastErrorAt)}): ${ch.audience.lastError}</div>` : ''}</td>
<td class="row"><form method="post" action="/admin/channels/${ch.id}/test" class="inline">${c}<button class="secondary" data-action="test">${t(lang, 'testConnection')}</button></form>
${ch.kind === 'news_page' ? '' : html`<form method="post" action="/admin/channels/${ch.id}/${ch.enabled ? 'disable' : 'enable'}" class="inline">${c}<button class="${ch.enabled ? 'danger' : 'secondary'}">${t(lang, ch.enabled ? 'disable' : 'enable')}</button></form>`}
${reconnectForm(lang, c, ch, x, instagramLogin, kit)}</td></tr>`,
  )}</tbody></table>`;
}

function reconnectForm(lang: Lang, c: Html, ch: ChannelView, x: AdminView['x'], instagramLogin: boolean, { form, reopened }: FormKit): Html | '' {
  const action = `/admin/channels/${ch.id}/reconnect`;
  /** The secrets a channel is reconnected with: never filled back, so a refusal says to type them again. */
  const secrets = (summary: string, fields: Html) =>
    html`<details${reopened(action)}><summary>${summary}</summary>${form(action, '', html`${fields}<button>${t(lang, 'save')}</button>`, ch.name)}</details>`;
  switch (ch.kind) {
    case 'news_page':
      return '';
    case 'webhook':
      return secrets(t(lang, 'reconnect'), html`<label>${t(lang, 'newSecret')}<input type="password" name="secret" minlength="16" required autocomplete="off"></label>`);
    case 'telegram':
      return secrets(t(lang, 'reconnect'), html`<label>${t(lang, 'botToken')}<input type="password" name="botToken" required autocomplete="off"></label>`);
    case 'facebook':
      return secrets(t(lang, 'reconnectWithToken'), html`<label>${t(lang, 'pageToken')}<input type="password" name="pageToken" required autocomplete="off"></label>`);
    case 'instagram':
      return html`${instagramLogin && ch.settings.login === 'instagram' ? html`<form method="post" action="/admin/channels/${ch.id}/instagram/connect" class="inline">${c}<button class="secondary" data-action="reconnect-instagram">${t(lang, 'reconnect')}</button></form>` : ''}${secrets(t(lang, 'reconnectWithToken'), html`<label>${t(lang, 'accessTokenAny')}<input type="password" name="token" required autocomplete="off"></label>`)}`;
    case 'x':
      return html`${x.oauth2 ? html`<form method="post" action="/admin/channels/${ch.id}/x/connect" class="inline">${c}<button class="secondary" data-action="reconnect-x">${t(lang, 'reconnect')}</button></form>` : ''}
${x.tokens ? secrets(`${t(lang, 'reconnect')} (OAuth 1.0a)`, html`<label>${t(lang, 'accessToken')}<input type="text" name="accessToken" required autocomplete="off"></label><label>${t(lang, 'accessSecret')}<input type="password" name="accessSecret" required autocomplete="off"></label>`) : ''}`;
  }
}

function addForms(lang: Lang, c: Html, u: UnitRow, v: AdminView, { form, typed = () => '', reopened }: FormKit): Html {
  const { x, instagramLogin, instagramBlocked } = v;
  /** An "add a channel" form folded under its summary, opened again when it was refused. */
  const adding = (path: string, summary: string, fields: Html) => {
    const action = `/admin/units/${u.id}/${path}`;
    return html`<details${reopened(action)}><summary>${summary}</summary>${form(action, '', html`${fields}<button>${t(lang, 'save')}</button>`, `${u.name} · ${summary}`)}</details>`;
  };
  const kept = (path: string, field: string) => typed(`/admin/units/${u.id}/${path}`, field);
  return html`<div class="row add-channel">
${x.oauth2 ? html`<form method="post" action="/admin/units/${u.id}/x/connect" class="inline">${c}<button data-action="connect-x">${t(lang, 'connectX')}</button></form>` : ''}
${instagramLogin && !instagramBlocked ? html`<form method="post" action="/admin/units/${u.id}/instagram/connect" class="inline">${c}<button data-action="connect-instagram">${t(lang, 'connectInstagram')}</button></form>` : ''}
</div>
${x.tokens ? adding('x/tokens', t(lang, 'addXTokens'), html`
<label>${t(lang, 'accessToken')}<input type="text" name="accessToken" required autocomplete="off"></label><label>${t(lang, 'accessSecret')}<input type="password" name="accessSecret" required autocomplete="off"></label>
<label>${t(lang, 'name')}<input type="text" name="name" value="${kept('x/tokens', 'name')}"></label>`) : ''}
${!x.oauth2 && !x.tokens ? html`<p class="muted">${t(lang, 'xNotConfigured')}</p>` : ''}
${adding('telegram', t(lang, 'addTelegram'), html`<p class="muted">${t(lang, 'telegramHelp')}</p>
<label>${t(lang, 'telegramChat')}<input type="text" name="chat" value="${kept('telegram', 'chat')}" required pattern="@[A-Za-z][A-Za-z0-9_]{3,31}|-100[0-9]{5,15}" placeholder="@humaspolrestubaba"></label>
<label>${t(lang, 'botToken')}<input type="password" name="botToken" required autocomplete="off"></label>
<label>${t(lang, 'name')}<input type="text" name="name" value="${kept('telegram', 'name')}"></label>`)}
${adding('facebook', t(lang, 'addFacebook'), html`<p class="muted">${t(lang, 'facebookHelp')}</p>
<label>${t(lang, 'pageId')}<input type="text" name="pageId" value="${kept('facebook', 'pageId')}" required inputmode="numeric" pattern="[0-9]{5,25}"></label>
<label>${t(lang, 'pageToken')}<input type="password" name="pageToken" required autocomplete="off"></label>
<label>${t(lang, 'name')}<input type="text" name="name" value="${kept('facebook', 'name')}"></label>`)}
${instagramBlocked ? html`<p class="muted" data-instagram-blocked>${t(lang, 'instagramBlocked')} ${pick(lang, instagramBlocked)}</p>` : adding('instagram', t(lang, 'addInstagram'), html`<p class="muted">${t(lang, 'instagramHelp')}</p>
<label>${t(lang, 'igUserId')}<input type="text" name="igUserId" value="${kept('instagram', 'igUserId')}" required inputmode="numeric" pattern="[0-9]{5,25}"></label>
<label>${t(lang, 'accessTokenAny')}<input type="password" name="token" required autocomplete="off"></label>
<label>${t(lang, 'name')}<input type="text" name="name" value="${kept('instagram', 'name')}"></label>`)}
${adding('webhook', t(lang, 'addWebhook'), html`
<label>URL<input type="url" name="url" value="${withoutUserInfo(kept('webhook', 'url'))}" required></label><label>${t(lang, 'name')}<input type="text" name="name" value="${kept('webhook', 'name')}"></label>
<label>${t(lang, 'secret')}<input type="password" name="secret" minlength="16" required autocomplete="off"></label>`)}`;
}
