import type { Role } from '../../shared/post';
import type { AssetStore, ScriptName } from './assets';
import { type Html, html, jsonBlock } from './html';
import { type Lang, type MessageKey, t } from './i18n';
import { ICON_PATH, MANIFEST_PATH } from '../public/site-links';

export interface LayoutUser {
  name: string;
  role: Role;
  unitName: string;
}

export interface PageFrame {
  lang: Lang;
  title: string;
  assets: AssetStore;
  user?: LayoutUser | undefined;
  csrf?: string | undefined;
  /** The path of this page, for the language switch to come back to. */
  path: string;
  script?: ScriptName | undefined;
  data?: unknown;
  /** The signed-in person's unread notifications, shown beside the menu's link to them. */
  unread?: number | undefined;
}

export function layout(f: PageFrame, body: Html): string {
  const other: Lang = f.lang === 'id' ? 'en' : 'id';
  const nav: Array<[string, MessageKey, boolean]> = f.user
    ? [
        ['/compose', 'compose', f.user.role !== 'admin'],
        ['/inbox', 'inbox', f.user.role === 'supervisor'],
        ['/calendar', 'calendar', true],
        ['/report', 'reportTitle', f.user.role !== 'operator'],
        ['/admin', 'admin', f.user.role === 'admin'],
        ['/notifications', 'notifications', true],
        ['/account', 'account', true],
      ]
    : [];
  return html`<!doctype html>
<html lang="${f.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${f.title} · Siaran</title><link rel="stylesheet" href="${f.assets.url('style')}">
<link rel="icon" href="${ICON_PATH}" type="image/svg+xml"><link rel="manifest" href="${MANIFEST_PATH}">
${f.data !== undefined ? jsonBlock('page-data', f.data) : ''}
${f.script ? html`<script defer src="${f.assets.url(f.script)}"></script>` : ''}
</head><body>
<header class="top"><a class="brand" href="/">Siaran</a>
<nav>${nav.filter(([, , show]) => show).map(([href, key]) => html`<a href="${href}">${t(f.lang, key)}${key === 'notifications' && f.unread ? html` <span class="badge unread" data-unread title="${t(f.lang, 'unreadNotifications')}">${f.unread}</span>` : ''}</a>`)}</nav>
<div class="who">${f.user ? html`<span>${f.user.name} · ${f.user.unitName}</span>` : ''}
<a class="lang" href="/lang?to=${other}&amp;back=${encodeURIComponent(f.path)}" hreflang="${other}">${t(f.lang, 'language')}</a>
${f.user && f.csrf ? html`<form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${f.csrf}"><button class="link">${t(f.lang, 'signOut')}</button></form>` : ''}
</div></header>
<main>${body}</main></body></html>`.value;
}
