// The first run's pages: the set-up form, and what the sign-in page says while nobody can sign in.
import { TIME_ZONES } from '../../shared/time';
import { type Html, html } from './html';
import { type Lang, t } from './i18n';

export interface SetupValues {
  unitName: string;
  timeZone: string;
  adminName: string;
  email: string;
}

export function setupPage(lang: Lang, csrf: string, token: string, v: SetupValues, error?: string): Html {
  return html`<div class="card" data-setup><h1>${t(lang, 'setupTitle')}</h1>
<p>${t(lang, 'setupHelp')}</p>
${error ? html`<p class="flash err" role="alert">${error}</p>` : ''}
<form method="post" action="/setup" novalidate><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="token" value="${token}">
<fieldset><legend>${t(lang, 'setupUnit')}</legend>
<label for="unitName">${t(lang, 'setupUnitName')}</label><input id="unitName" name="unitName" required minlength="3" maxlength="120" value="${v.unitName}" placeholder="Polda Lampung">
<label for="timeZone">${t(lang, 'zone')}</label><select id="timeZone" name="timeZone">${Object.entries(TIME_ZONES).map(
    ([zone, label]) => html`<option value="${zone}"${zone === v.timeZone ? html` selected` : ''}>${label}</option>`,
  )}</select></fieldset>
<fieldset><legend>${t(lang, 'setupAdmin')}</legend>
<label for="adminName">${t(lang, 'name')}</label><input id="adminName" name="adminName" required maxlength="200" value="${v.adminName}" autocomplete="name">
<label for="email">${t(lang, 'email')}</label><input id="email" name="email" type="email" required value="${v.email}" autocomplete="username">
<label for="password">${t(lang, 'password')}</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>
<label for="confirm">${t(lang, 'confirmPassword')}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required></fieldset>
<p><button type="submit">${t(lang, 'setupSubmit')}</button></p></form></div>`;
}

/** Shown above the sign-in form while no account exists: where the one-time set-up link is found. */
export function notSetUpNotice(lang: Lang): Html {
  return html`<div class="card" data-not-set-up><h2>${t(lang, 'notSetUp')}</h2>
<p>${t(lang, 'setupLinkInLog')}</p>
<pre><code>npx siaran setup-link</code></pre></div>`;
}
