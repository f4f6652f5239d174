// The notification centre's page and the account page's e-mail setting: the words are here, in both languages.
import type { LocalizedText } from '../../shared/errors';
import { formatInZone, type TimeZone } from '../../shared/time';
import { type Html, html } from '../web/html';
import type { Lang } from '../web/i18n';
import { describe } from './notification-words';
import type { Notification } from './notification.repository';

const W = {
  title: { id: 'Pemberitahuan', en: 'Notifications' },
  none: { id: 'Belum ada pemberitahuan.', en: 'No notifications yet.' },
  markRead: { id: 'Tandai sudah dibaca', en: 'Mark read' },
  markAllRead: { id: 'Tandai semua sudah dibaca', en: 'Mark all read' },
  open: { id: 'Buka', en: 'Open' },
  unread: { id: 'belum dibaca', en: 'unread' },
  emailSent: { id: 'e-mail terkirim', en: 'e-mail sent' },
  emailUnconfirmed: { id: 'e-mail belum pasti terkirim', en: 'e-mail not confirmed as sent' },
  emailFailed: { id: 'e-mail gagal terkirim', en: 'e-mail could not be sent' },
  emailSetting: { id: 'E-mail pemberitahuan', en: 'Notification e-mails' },
  emailOn: { id: 'Pemberitahuan juga dikirim ke e-mail Anda.', en: 'Notifications are also sent to your e-mail.' },
  emailOff: { id: 'Pemberitahuan hanya tampil di aplikasi.', en: 'Notifications show in the app only.' },
  turnOff: { id: 'Matikan e-mail', en: 'Turn e-mail off' },
  turnOn: { id: 'Nyalakan e-mail', en: 'Turn e-mail on' },
} satisfies Record<string, LocalizedText>;

export function words(lang: Lang, key: keyof typeof W): string {
  return W[key][lang];
}

export function notificationsPage(lang: Lang, csrf: string, zone: TimeZone, items: readonly Notification[]): Html {
  const c = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  const emailNote = (n: Notification) =>
    n.email === 'sent' ? words(lang, 'emailSent') : n.email === 'unconfirmed' ? words(lang, 'emailUnconfirmed') : n.email === 'failed' ? words(lang, 'emailFailed') : '';
  return html`<h1>${words(lang, 'title')}</h1>
${items.some((n) => !n.readAt) ? html`<form method="post" action="/notifications/read-all" class="inline">${c}<button class="secondary">${words(lang, 'markAllRead')}</button></form>` : ''}
${items.length === 0 ? html`<p class="muted">${words(lang, 'none')}</p>` : ''}
<ul class="notifications">${items.map((n) => {
    const told = describe(n.kind, n);
    return html`<li class="card${n.readAt ? '' : ' unread'}" data-id="${n.id}">
<div>${n.readAt ? '' : html`<strong>• ${words(lang, 'unread')}</strong> `}<a href="${told.path}">${told.headline[lang]}</a></div>
${told.details.map((d) => html`<div class="muted">${d[lang]}</div>`)}
<div class="muted">${formatInZone(n.createdAt, zone, lang)}${emailNote(n) ? html` · ${emailNote(n)}` : ''}</div>
${n.readAt ? '' : html`<form method="post" action="/notifications/${n.id}/read" class="inline">${c}<button class="link">${words(lang, 'markRead')}</button></form>`}
</li>`;
  })}</ul>`;
}

export function emailSettingCard(lang: Lang, csrf: string, on: boolean): Html {
  return html`<form method="post" action="/account/notifications" class="card"><input type="hidden" name="_csrf" value="${csrf}">
<h2>${words(lang, 'emailSetting')}</h2><p>${on ? words(lang, 'emailOn') : words(lang, 'emailOff')}</p>
<input type="hidden" name="email" value="${on ? 'off' : 'on'}"><button class="secondary">${on ? words(lang, 'turnOff') : words(lang, 'turnOn')}</button></form>`;
}
