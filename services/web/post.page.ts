import { CHANNEL_KIND_LABELS, CHANNEL_STATE_LABELS, remedy } from '../../shared/channels/channel-words';
import { ChannelKind, POST_STATUS_LABELS, type Role } from '../../shared/post';
import type { ChannelView } from '../channels/manage-channels';
import { EDITABLE } from '../../shared/status-machine';
import { formatInZone, type TimeZone } from '../../shared/time';
import type { PhotoView } from '../media/photo-view';
import type { PostView } from '../posts/post-view';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';
import type { Change, ReviewItem } from './review.view';

export interface HistoryEntry {
  type: string;
  at: string;
  actor: { name: string | null } | null;
  data: Record<string, unknown>;
}

const EVENT_WORDS: Record<string, { id: string; en: string }> = {
  created: { id: 'menulis', en: 'wrote' },
  edited: { id: 'mengubah', en: 'edited' },
  submitted: { id: 'mengajukan', en: 'submitted' },
  approved: { id: 'menyetujui', en: 'approved' },
  rejected: { id: 'menolak', en: 'rejected' },
  cancelled: { id: 'membatalkan', en: 'cancelled' },
  rescheduled: { id: 'menjadwalkan ulang', en: 'rescheduled' },
  expired: { id: 'kedaluwarsa', en: 'expired' },
  'target.published': { id: 'terbit', en: 'published' },
  'target.failed': { id: 'gagal terbit', en: 'failed to publish' },
  'target.unconfirmed': { id: 'belum pasti terbit', en: 'unconfirmed' },
  'target.retry': { id: 'meminta coba lagi', en: 'asked for a retry' },
  'target.confirm-published': { id: 'memastikan sudah terbit', en: 'confirmed published' },
  'target.confirm-not-published': { id: 'memastikan tidak terbit', en: 'confirmed not published' },
  'post.published': { id: 'menyelesaikan penerbitan ke semua kanal', en: 'finished publishing to every channel' },
  'post.failed': { id: 'menyelesaikan penerbitan; ada kanal yang gagal', en: 'finished publishing; some channel failed' },
  'post.unconfirmed': { id: 'menyelesaikan penerbitan; ada kanal yang belum pasti', en: 'finished publishing; some channel is unconfirmed' },
  'post.cancelled': { id: 'mencatat pos batal', en: 'recorded the post as cancelled' },
  photo_added: { id: 'menambah foto', en: 'added a photo' },
  photo_changed: { id: 'mengubah foto', en: 'changed a photo' },
  photo_removed: { id: 'menghapus foto', en: 'removed a photo' },
};

export function statusBadge(lang: Lang, status: PostView['status']): Html {
  return html`<span class="badge ${status}" data-status="${status}">${pick(lang, POST_STATUS_LABELS[status])}</span>`;
}

export function photoStrip(photos: PhotoView[]): Html {
  return html`<div class="row">${photos.map((p) => {
    const r = p.renditions.find((x) => x.name.startsWith('news')) ?? p.renditions[0];
    return r ? html`<img src="${r.url}" alt="${p.altText}" width="160" loading="lazy">` : html`<span class="badge">${p.status}</span>`;
  })}</div>`;
}

function showChange(lang: Lang, c: Change): Html {
  const s = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return html`<li><strong>${c.field}</strong>: <del>${s(c.before)}</del> → <ins>${s(c.after)}</ins></li>`;
}

export function reviewBlock(lang: Lang, csrf: string, item: ReviewItem, actorId: string, back: string): Html {
  const p = item.post;
  return html`<article class="card" data-post="${p.id}">
<div class="row"><a href="/posts/${p.id}"><strong>${p.title}</strong></a> ${statusBadge(lang, p.status)}</div>
<p class="muted">${p.unit.name} · ${t(lang, 'author')}: ${p.author.name} · ${t(lang, 'deadline')}: ${formatInZone(new Date(p.scheduledAt), p.unit.timeZone as TimeZone, lang)}</p>
<p class="preview">${p.body}</p>${photoStrip(item.photos)}
${item.findings.map((f) => html`<div class="finding ${f.severity}" data-code="${f.code}">${pick(lang, f.message)}</div>`)}
<details${item.changes && item.changes.length > 0 ? html` open` : ''}><summary>${t(lang, 'changedSince')}</summary>
${item.changes === undefined ? html`<p class="muted">${t(lang, 'firstReview')}</p>` : html`<ul>${item.changes.map((c) => showChange(lang, c))}</ul>`}</details>
${p.status === 'pending_approval' && p.author.id !== actorId
  ? html`<div class="row"><form method="post" action="/posts/${p.id}/approve"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="back" value="${back}"><input type="hidden" name="version" value="${p.version}"><button type="submit" data-action="approve">${t(lang, 'approve')}</button></form>
<form method="post" action="/posts/${p.id}/reject" class="row"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="back" value="${back}"><input type="text" name="note" required placeholder="${t(lang, 'note')}" aria-label="${t(lang, 'rejectNoteHelp')}"><button type="submit" class="danger" data-action="reject">${t(lang, 'reject')}</button></form></div>`
  : ''}
</article>`;
}

export function postPage(
  lang: Lang,
  csrf: string,
  actor: { id: string; role: Role },
  item: ReviewItem,
  history: HistoryEntry[],
  mayAuthor: boolean,
  mayResolve: boolean,
): Html {
  const p = item.post;
  const zone = p.unit.timeZone as TimeZone;
  return html`<h1>${p.title}</h1>
<p>${statusBadge(lang, p.status)} <span class="muted">${p.unit.name} · ${formatInZone(new Date(p.scheduledAt), zone, lang)}</span></p>
${p.reviewNote ? html`<p class="flash${p.status === 'rejected' ? ' err' : ''}"><strong>${t(lang, 'reviewNote')}:</strong> ${p.reviewNote}</p>` : ''}
${reviewBlock(lang, csrf, item, actor.id, `/posts/${p.id}`)}
${channelTrouble(lang, item.channels.filter((c) => p.targets.some((x) => x.channelId === c.id)))}
<h2>${t(lang, 'targets')}</h2>
<table class="targets-table"><tbody>${p.targets.map((x) => {
    const channel = item.channels.find((c) => c.id === x.channelId);
    return html`<tr data-target="${x.channelKind}" data-target-id="${x.id}"><td>${pick(lang, CHANNEL_KIND_LABELS[x.channelKind])}${channel ? html`<div class="muted">${channel.name}</div>` : ''}</td>
<td><span class="badge ${x.status}" data-target-status="${x.status}">${pick(lang, x.statusLabel)}</span>${
      x.heldMessage ? html`<div class="muted" data-held-reason="${x.heldReason ?? ''}">${pick(lang, x.heldMessage)}${x.heldUntil ? html` (${t(lang, 'until')} ${formatInZone(new Date(x.heldUntil), zone, lang)})` : ''}</div>` : ''
    }</td>
<td>${x.externalUrl && /^https?:\/\//i.test(x.externalUrl) ? html`<a href="${x.externalUrl}" rel="noopener" target="_blank" data-link>${t(lang, 'openLink')}</a>` : ''}${x.lastError ? html`<div class="error">${x.lastError}</div>` : ''}</td>
<td>${mayResolve && x.status === 'failed' ? resolveForm(lang, csrf, p.id, x.id, 'retry', 'retry') : ''}
${mayResolve && x.status === 'unconfirmed' ? html`${resolveForm(lang, csrf, p.id, x.id, 'confirm-published', 'confirmPublished')}${resolveForm(lang, csrf, p.id, x.id, 'confirm-not-published', 'confirmNotPublished')}` : ''}</td></tr>`;
  })}</tbody></table>
${mayAuthor && EDITABLE.includes(p.status)
  ? html`<div class="card row"><a class="button secondary" href="/compose/${p.id}">${t(lang, 'edit')}</a>
<form method="post" action="/posts/${p.id}/reschedule" class="row"><input type="hidden" name="_csrf" value="${csrf}">
<label for="when" class="muted">${t(lang, 'reschedule')} (${p.unit.zone})</label><input id="when" type="datetime-local" step="1" name="scheduledAt" value="${p.scheduledLocalIso.slice(0, 16)}" required><button type="submit" class="secondary">${t(lang, 'reschedule')}</button></form>
${p.status === 'draft' || p.status === 'rejected' ? html`<form method="post" action="/posts/${p.id}/submit"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">${t(lang, 'submit')}</button></form>` : ''}
<form method="post" action="/posts/${p.id}/cancel"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" class="danger">${t(lang, 'cancelPost')}</button></form></div>`
  : ''}
<h2>${t(lang, 'history')}</h2>
<ol class="card" id="history">${history.map(
    (e) => html`<li data-event="${e.type}"><span class="muted">${formatInZone(new Date(e.at), zone, lang)}</span> — ${e.actor?.name ?? 'Siaran'} ${pick(lang, EVENT_WORDS[e.type] ?? { id: e.type, en: e.type })}${
      isChannelKind(e.data.channelKind) ? ` (${pick(lang, CHANNEL_KIND_LABELS[e.data.channelKind])})` : ''
    }${
      typeof e.data.note === 'string' && e.data.note ? html`: “${e.data.note}”` : ''
    }</li>`,
  )}</ol>`;
}

function resolveForm(lang: Lang, csrf: string, postId: string, targetId: string, action: string, label: 'retry' | 'confirmPublished' | 'confirmNotPublished'): Html {
  return html`<form method="post" action="/posts/${postId}/targets/${targetId}/${action}" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" class="secondary">${t(lang, label)}</button></form> `;
}

/** Channels that hold posts until an admin acts, shown where supervisors look. */
export function channelTrouble(lang: Lang, channels: ChannelView[]): Html | '' {
  const troubled = channels.filter((c) => c.state === 'needs_reconnect' || (c.state === 'disabled' && c.heldPosts > 0));
  if (troubled.length === 0) return '';
  return html`<div class="flash err" role="alert" data-channel-trouble><strong>${t(lang, 'channelTrouble')}</strong> — ${t(lang, 'channelTroubleHelp')}<ul>${troubled.map((c) => {
    const todo = remedy(c.kind, c.state);
    return html`<li data-channel="${c.id}">${pick(lang, CHANNEL_KIND_LABELS[c.kind])} · ${c.name}: ${pick(lang, CHANNEL_STATE_LABELS[c.state])}${c.heldPosts > 0 ? ` · ${c.heldPosts} ${t(lang, 'heldPosts')}` : ''}${
      todo ? html`<div>${pick(lang, todo)}</div>` : ''
    }${c.state === 'needs_reconnect' && c.lastError ? html`<div class="muted">${t(lang, 'platformSaid')}: ${c.lastError}</div>` : ''}</li>`;
  })}</ul></div>`;
}

export function inboxPage(lang: Lang, csrf: string, actorId: string, items: ReviewItem[], troubled: ChannelView[] = []): Html {
  return html`<h1>${t(lang, 'inbox')}</h1>${channelTrouble(lang, troubled)}${items.length === 0 ? html`<p class="muted">${t(lang, 'inboxEmpty')}</p>` : items.map((i) => reviewBlock(lang, csrf, i, actorId, '/inbox'))}`;
}

function isChannelKind(value: unknown): value is ChannelKind {
  return ChannelKind.safeParse(value).success;
}
