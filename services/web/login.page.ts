import { type Html, html } from './html';
import { type Lang, t } from './i18n';

/** `email`: what was typed, kept after a refusal (the password never is). */
export function loginPage(lang: Lang, csrf: string, next: string, error?: string, email = ''): Html {
  return html`<div class="card"><h1>${t(lang, 'signIn')}</h1>
${error ? html`<p class="flash err" role="alert">${error}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${next}">
<label for="email">${t(lang, 'email')}</label><input id="email" name="email" type="email" autocomplete="username" value="${email}" required${email ? '' : ' autofocus'}>
<label for="password">${t(lang, 'password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required${email ? ' autofocus' : ''}>
<p><button type="submit">${t(lang, 'signIn')}</button></p></form></div>`;
}

/** What proves the holder is at the keyboard, not whoever borrowed the session: the password, and the code where TOTP is on. */
function proofFields(lang: Lang, hasTotp: boolean): Html {
  return html`<p class="muted">${t(lang, 'reauthHelp')}</p>
<label for="currentPassword">${t(lang, 'currentPassword')}</label><input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password" required>
${hasTotp ? html`<label for="currentCode">${t(lang, 'totpCurrentCode')}</label><input id="currentCode" name="currentCode" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>` : ''}`;
}

export function passwordPage(lang: Lang, csrf: string, required: boolean, error?: string, hasTotp = false): Html {
  return html`<div class="card"><h1>${t(lang, 'newPassword')}</h1>
${required ? html`<p class="flash">${t(lang, 'passwordMustChange')}</p>` : ''}
${error ? html`<p class="flash err" role="alert">${error}</p>` : ''}
<p class="muted">${t(lang, 'passwordChangeEffects')}</p>
<form method="post" action="/account/password"><input type="hidden" name="_csrf" value="${csrf}">
${proofFields(lang, hasTotp)}
<label for="password">${t(lang, 'newPassword')}</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>
<label for="confirm">${t(lang, 'confirmPassword')}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required>
<p><button type="submit">${t(lang, 'confirm')}</button>${required ? '' : html` <a class="button secondary" href="/account">${t(lang, 'back')}</a>`}</p></form></div>`;
}

export function totpPage(lang: Lang, csrf: string, error?: string): Html {
  return html`<div class="card"><h1>${t(lang, 'totpTitle')}</h1>
${error ? html`<p class="flash err" role="alert">${error}</p>` : ''}
<form method="post" action="/login/totp"><input type="hidden" name="_csrf" value="${csrf}">
<label for="code">${t(lang, 'totpCode')}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>
<p><button type="submit">${t(lang, 'confirm')}</button></p></form></div>`;
}

/** `qr`: the key's otpauth address as a QR code (qr-code.ts), for the authenticator app to scan. */
export function totpSetupPage(lang: Lang, csrf: string, secret: string, uri: string, qr: Html, required: boolean, error?: string, askCurrent = false): Html {
  return html`<div class="card"><h1>${t(lang, 'totpSetup')}</h1>
${required ? html`<p class="flash">${t(lang, 'totpRequired')}</p>` : ''}
${error ? html`<p class="flash err" role="alert">${error}</p>` : ''}
<p>${t(lang, 'totpScanHelp')}</p><div class="qr-box" data-totp-qr>${qr}</div>
<p>${t(lang, 'totpSetupHelp')}</p><pre class="secret" id="totp-secret">${secret.replace(/(.{4})(?=.)/g, '$1 ')}</pre>
<p class="muted"><a href="${uri}" data-otpauth>${t(lang, 'totpOpenInApp')}</a></p>
<form method="post" action="/account/totp"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="secret" value="${secret}">
${proofFields(lang, askCurrent)}
<label for="code">${t(lang, 'totpCode')}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>
<p><button type="submit">${t(lang, 'confirm')}</button>${required ? '' : html` <a class="button secondary" href="/account">${t(lang, 'back')}</a>`}</p></form></div>`;
}
