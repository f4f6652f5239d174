import { remedy } from '../../shared/channels/channel-words';
import { ChannelKind, type Role } from '../../shared/post';
import type { LocalizedText } from '../../shared/errors';
import { CHANNEL_KIND_LABELS, CHANNEL_STATE_LABELS, EVENT_LABELS, FIELD_LABELS, POST_STATUS_LABELS, RETRACTION_LABELS, figureIn, wordsFor } from '../../shared/words';
import type { ChannelView } from '../channels/manage-channels';
import { EDITABLE, UNDER_REVIEW } from '../../shared/status-machine';
import { formatInZone, type TimeZone } from '../../shared/time';
import type { PhotoView } from '../media/photo-view';
import type { PostView } from '../posts/post-view';
import type { SimilarPost } from '../posts/similar-posts';
import type { AmplificationTotals } from '../public/amplification.repository';
import type { TargetFigures } from '../reports/collect-engagement';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';
import type { Change, ReviewItem } from './review.view';
import { countFor, splitThread } from '../../shared/channels/channel-text';

export interface HistoryEntry {
  type: string;
  at: string;
  actor: { name: string | null } | null;
  data: Record<string, unknown>;
}


export function statusBadge(lang: Lang, status: PostView['status']): Html {
  return html`<span class="badge ${status}" data-status="${status}">${pick(lang, POST_STATUS_LABELS[status])}</span>`;
}

/** The photos as they go out, each with the alt text screen readers will say. */
export function photoStrip(lang: Lang, photos: PhotoView[]): Html {
  return html`<div class="row photo-strip">${photos.map((p) => {
    const r = p.renditions.find((x) => x.name.startsWith('news')) ?? p.renditions[0];
    return html`<figure data-photo="${p.id}">${r ? html`<img src="${r.url}" alt="${p.altText}" width="160" loading="lazy">` : html`<span class="badge">${t(lang, 'photoProcessing')}</span>`}
<figcaption class="muted" data-alt>${p.altText ? p.altText : t(lang, 'noAltText')}</figcaption></figure>`;
  })}</div>`;
}



function showChange(lang: Lang, c: Change, zone: TimeZone, channels: ChannelView[]): Html {
  const name = (id: string) => channels.find((ch) => ch.id === id)?.name ?? id;
  const s = (v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—';
    if (c.field === 'scheduledAt' && typeof v === 'string') return formatInZone(new Date(v), zone, lang);
    if (c.field === 'channelIds' && Array.isArray(v)) return v.map((x) => name(String(x))).join(', ');
    if (c.field === 'variants' && typeof v === 'object') return Object.entries(v as Record<string, string>).map(([k, text]) => `${name(k)}: ${text}`).join(' | ') || '—';
    if (c.field === 'channelOptions' && typeof v === 'object') return Object.entries(v as Record<string, { thread?: boolean }>).filter(([, o]) => o.thread).map(([k]) => `${name(k)}: ${lang === 'id' ? 'utas' : 'thread'}`).join(', ') || '—';
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  return html`<li data-change="${c.field}"><strong>${pick(lang, wordsFor(FIELD_LABELS, c.field, { id: 'Isi lain', en: 'Other content' }))}</strong>: <del>${s(c.before)}</del> → <ins>${s(c.after)}</ins></li>`;
}

/** Each channel's text as that channel will publish it: its own variant or the body, an X thread as its parts. */
function channelTexts(lang: Lang, p: PostView, channels: ChannelView[]): Html {
  const live = p.targets.filter((x) => x.status !== 'cancelled');
  return html`<div class="channel-texts">${live.map((x) => {
    const channel = channels.find((c) => c.id === x.channelId);
    const text = p.variants[x.channelId] ?? p.body;
    const parts = p.channelOptions[x.channelId]?.thread && countFor(x.channelKind, text).over ? splitThread(x.channelKind, text) : [text];
    return html`<details class="preview" data-channel-text="${x.channelId}"${p.variants[x.channelId] !== undefined ? html` open` : ''}><summary>${pick(lang, CHANNEL_KIND_LABELS[x.channelKind])}${channel ? ` · ${channel.name}` : ''}${
      p.variants[x.channelId] !== undefined ? html` <span class="badge unconfirmed">${t(lang, 'ownText')}</span>` : ''
    }${parts.length > 1 ? html` <span class="badge">${parts.length} ${t(lang, 'threadParts')}</span>` : ''}</summary>${parts.map((part, i) => html`${i > 0 ? html`<hr>` : ''}${part}`)}</details>`;
  })}</div>`;
}

export function reviewBlock(lang: Lang, csrf: string, item: ReviewItem, actorId: string, back: string): Html {
  const p = item.post;
  const approveLabel = item.twoApprovals ? t(lang, item.firstApproval ? 'approveSecond' : 'approveFirst') : t(lang, 'approve');
  return html`<article class="card" data-post="${p.id}">
<div class="row"><a href="/posts/${p.id}"><strong>${p.title}</strong></a> ${statusBadge(lang, p.status)}</div>
<p class="muted">${p.unit.name} · ${t(lang, 'author')}: ${p.author.name} · ${t(lang, 'publishAt')}: ${formatInZone(new Date(p.scheduledAt), p.unit.timeZone as TimeZone, lang)}</p>
${item.twoApprovals && p.status === 'pending_approval'
  ? html`<p class="flash info" data-two-step="${item.firstApproval ? 'second' : 'first'}"><span class="badge unconfirmed">${t(lang, 'sensitive')}</span> ${
      item.firstApproval
        ? html`${t(lang, 'twoStepWaiting')} <strong>${item.firstApproval.name}</strong> (${formatInZone(new Date(item.firstApproval.at), p.unit.timeZone as TimeZone, lang)}). ${t(lang, 'twoStepNext')} <strong>${item.firstApproval.nextUnit}</strong>.`
        : t(lang, 'twoStepNeeded')
    }</p>`
  : ''}
<p class="preview">${p.body}</p>${channelTexts(lang, p, item.channels)}${photoStrip(lang, item.photos)}
${item.findings.map((f) => html`<div class="finding ${f.severity}" data-code="${f.code}">${pick(lang, f.message)}</div>`)}
${similarBox(lang, item.similar, p.unit.timeZone as TimeZone)}
${item.changes && item.changes.length > 0
  ? html`<details open data-changed-since><summary>${t(lang, 'changedSince')}</summary><ul>${item.changes.map((c) => showChange(lang, c, p.unit.timeZone as TimeZone, item.channels))}</ul></details>`
  : ''}
${p.status === 'pending_approval' && item.approvalDenied.length > 0 && p.author.id !== actorId && !item.approvalDenied.some((f) => f.code === 'approval.not_supervisor')
  ? html`<div class="flash" data-approval-denied>${item.approvalDenied.map((f) => html`<div data-code="${f.code}">${pick(lang, f.message)}</div>`)}</div>`
  : ''}
${p.status === 'pending_approval' && p.author.id !== actorId && item.approvalDenied.length === 0
  ? html`<div class="row"><form method="post" action="/posts/${p.id}/approve" class="approve-form"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="back" value="${back}"><input type="hidden" name="version" value="${p.version}">${item.findings
      .filter((f) => f.severity === 'warn')
      .map((f) => html`<label class="muted">${t(lang, 'overrideReason')}: ${pick(lang, f.message)}<input type="text" name="override:${f.code}" required minlength="3" maxlength="2000" data-override="${f.code}"></label>`)}
<label class="muted">${t(lang, 'approveNote')}<input type="text" name="note" maxlength="2000" data-approve-note></label>
<button type="submit" class="approve-direct" data-action="approve">${approveLabel}</button>
<details class="approve-confirm"><summary class="button" data-action="approve-ask">${approveLabel}…</summary><p>${
  item.twoApprovals && !item.firstApproval
    ? html`${t(lang, 'approveFirstConfirm')} ${formatInZone(new Date(p.scheduledAt), p.unit.timeZone as TimeZone, lang)}.`
    : html`${t(lang, 'approveConfirm')} ${formatInZone(new Date(p.scheduledAt), p.unit.timeZone as TimeZone, lang)}.`
}</p><button type="submit" data-action="approve-confirmed">${t(lang, 'approveYes')}</button></details></form>
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
  amplification?: { shareUrl: string; totals: AmplificationTotals },
  figures: Map<string, TargetFigures> = new Map(),
): Html {
  const p = item.post;
  const zone = p.unit.timeZone as TimeZone;
  return html`<h1>${p.title}</h1>
<p>${statusBadge(lang, p.status)}${p.sensitive ? html` <span class="badge unconfirmed" data-sensitive>${t(lang, 'sensitive')}</span>` : ''} <span class="muted">${p.unit.name} · ${formatInZone(new Date(p.scheduledAt), zone, lang)}</span></p>
${p.reviewNote ? html`<p class="flash${p.status === 'rejected' ? ' err' : ''}"><strong>${t(lang, 'reviewNote')}:</strong> ${p.reviewNote}</p>` : ''}
${reviewBlock(lang, csrf, item, actor.id, `/posts/${p.id}`)}
${channelTrouble(lang, item.channels.filter((c) => p.targets.some((x) => x.channelId === c.id)))}
${amplification ? amplificationBox(lang, amplification) : ''}
<h2>${t(lang, 'targets')}</h2>
<table class="targets-table"><tbody>${p.targets.map((x) => {
    const channel = item.channels.find((c) => c.id === x.channelId);
    return html`<tr data-target="${x.channelKind}" data-target-id="${x.id}"><td>${pick(lang, CHANNEL_KIND_LABELS[x.channelKind])}${channel ? html`<div class="muted">${channel.name}</div>` : ''}</td>
<td><span class="badge ${x.status}" data-target-status="${x.status}">${pick(lang, x.statusLabel)}</span>${
      x.heldMessage ? html`<div class="muted" data-held-reason="${x.heldReason ?? ''}">${pick(lang, x.heldMessage)}${x.heldUntil ? html` (${t(lang, 'until')} ${formatInZone(new Date(x.heldUntil), zone, lang)})` : ''}</div>` : ''
    }</td>
<td>${x.externalUrl && /^https?:\/\//i.test(x.externalUrl) && x.retraction !== 'done' ? html`<a href="${x.externalUrl}" rel="noopener" target="_blank" data-link>${t(lang, 'openLink')}</a>` : ''}${figuresLine(lang, figures.get(x.id), zone)}${x.lastError ? problem(lang, x.problemMessage, x.lastError) : ''}${
      x.retraction ? html`<div class="${x.retraction === 'done' ? 'muted' : 'error'}" data-retraction="${x.retraction}">${pick(lang, wordsFor(RETRACTION_LABELS, x.retraction, { id: 'Penarikan: periksa', en: 'Taking back: check' }))}${x.retractionError ? `: ${x.retractionError}` : ''}</div>` : ''
    }</td>
<td>${mayResolve && x.status === 'failed' ? resolveForm(lang, csrf, p.id, x.id, 'retry', 'retry') : ''}
${mayResolve && x.status === 'held' && x.heldReason === 'post.late' ? resolveForm(lang, csrf, p.id, x.id, 'release', 'releaseLate') : ''}
${mayResolve && x.status === 'unconfirmed' ? html`${resolveForm(lang, csrf, p.id, x.id, 'confirm-published', 'confirmPublished')}${resolveForm(lang, csrf, p.id, x.id, 'confirm-not-published', 'confirmNotPublished')}` : ''}</td></tr>`;
  })}</tbody></table>
${mayAuthor && EDITABLE.includes(p.status)
  ? html`<div class="card row"><a class="button secondary" href="/compose/${p.id}">${t(lang, 'edit')}</a>
<form method="post" action="/posts/${p.id}/reschedule" class="row"><input type="hidden" name="_csrf" value="${csrf}">
<label for="when" class="muted">${t(lang, 'reschedule')} (${p.unit.zone})</label><input id="when" type="datetime-local" step="1" name="scheduledAt" value="${p.scheduledLocalIso.slice(0, 16)}" required><button type="submit" class="secondary">${t(lang, 'reschedule')}</button></form>
${UNDER_REVIEW.includes(p.status) && (!p.sensitive || item.mayLiftSensitive)
  ? html`<form method="post" action="/posts/${p.id}/sensitivity" data-sensitivity="${p.sensitive ? 'on' : 'off'}"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${p.version}"><input type="hidden" name="sensitive" value="${p.sensitive ? 'false' : 'true'}"><button type="submit" class="secondary">${t(lang, p.sensitive ? 'unmarkSensitive' : 'markSensitive')}</button><span class="muted"> ${t(lang, 'sensitiveHelp')}</span></form>`
  : ''}
${p.status === 'draft' || p.status === 'rejected' ? html`<form method="post" action="/posts/${p.id}/submit"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">${t(lang, 'submit')}</button></form>` : ''}
<form method="post" action="/posts/${p.id}/cancel"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" class="danger">${t(lang, 'cancelPost')}</button></form></div>`
  : ''}
${mayResolve && ['published', 'failed', 'unconfirmed', 'publishing'].includes(p.status)
  ? html`<details class="card"><summary>${t(lang, 'retract')}</summary><form method="post" action="/posts/${p.id}/retract"><input type="hidden" name="_csrf" value="${csrf}">
<p class="muted">${t(lang, 'retractHelp')}</p><label>${t(lang, 'retractReason')}<input type="text" name="reason" required minlength="3" maxlength="2000"></label><button type="submit" class="danger" data-action="retract">${t(lang, 'retract')}</button></form></details>`
  : ''}
<h2>${t(lang, 'history')}</h2>
<ol class="card" id="history">${history.map(
    (e) => html`<li data-event="${e.type}"><span class="muted">${formatInZone(new Date(e.at), zone, lang)}</span> — ${e.actor?.name ?? 'Siaran'} ${pick(lang, wordsFor(EVENT_LABELS, e.type === 'approved' && e.data.secondOf ? 'approved_second' : e.type, { id: 'mencatat perubahan', en: 'recorded a change' }))}${
      isChannelKind(e.data.channelKind) ? ` (${pick(lang, CHANNEL_KIND_LABELS[e.data.channelKind])})` : ''
    }${
      typeof e.data.note === 'string' && e.data.note ? html`: “${e.data.note}”` : typeof e.data.reason === 'string' && e.data.reason && e.type === 'retracted' ? html`: “${e.data.reason}”` : ''
    }</li>`,
  )}</ol>`;
}

/** What the platform last reported of this target (the engagement job's reading), and when it was read. */
function figuresLine(lang: Lang, f: TargetFigures | undefined, zone: TimeZone): Html | '' {
  if (!f) return '';
  return html`<div class="muted" data-figures>${t(lang, 'repViews')} ${figureIn(lang, f.views)} · ${t(lang, 'repReactions')} ${figureIn(lang, f.reactions)} · ${t(lang, 'repComments')} ${figureIn(lang, f.comments)} · ${t(lang, 'repReposts')} ${figureIn(lang, f.reposts)} (${
    f.gone ? t(lang, 'figuresGone') : `${t(lang, 'figuresReadAt')} ${formatInZone(f.collectedAt, zone, lang)}`
  })</div>`;
}

/** The amplification kit's address for personnel, and the counts the ranking reads. */
function amplificationBox(lang: Lang, a: { shareUrl: string; totals: AmplificationTotals }): Html {
  return html`<section class="card" data-amplification><h2>${t(lang, 'amplification')}</h2><p class="muted">${t(lang, 'amplificationHelp')}</p>
<p><a href="${a.shareUrl}" data-share-url class="address">${a.shareUrl}</a></p>
<p class="row"><a class="button" href="${`https://wa.me/?text=${encodeURIComponent(`${t(lang, 'ampSendText')} ${a.shareUrl}`)}`}" rel="noopener" data-kit-whatsapp>${t(lang, 'ampSendWhatsapp')}</a> <a class="button secondary" href="${a.shareUrl}" data-kit-open>${t(lang, 'ampOpenKit')}</a></p>
<p data-amplification-counts>${t(lang, 'ampVisits')}: <strong>${a.totals.visit}</strong> · ${t(lang, 'ampWhatsapp')}: <strong>${a.totals.share_whatsapp}</strong> · ${t(lang, 'ampCopied')}: <strong>${a.totals.share_copy}</strong> · ${t(lang, 'ampPhoto')}: <strong>${a.totals.photo}</strong></p></section>`;
}

/** Posts of the Polda nearly the same: a warning with links, for the author and the approvers alike. */
function similarBox(lang: Lang, similar: SimilarPost[], zone: TimeZone): Html | '' {
  if (similar.length === 0) return '';
  return html`<div class="finding warn" role="note" data-similar><strong>${t(lang, 'similarTitle')}</strong> ${t(lang, 'similarHelp')}<ul>${similar.map((s) => {
    if (s.postId === null || s.statusLabel === null || s.submittedAt === null) {
      return html`<li data-similar-post="">${t(lang, 'similarHidden')} — ${s.unitName}</li>`;
    }
    const name = s.title ?? '';
    const why = [...(s.textSimilarity !== null ? [t(lang, 'similarText').replace('{pct}', String(Math.round(s.textSimilarity * 100)))] : []), ...(s.samePhoto ? [t(lang, 'similarPhoto')] : [])].join(', ');
    return html`<li data-similar-post="${s.postId}">${s.href ? html`<a href="${s.href}">${name}</a>` : name} — ${s.unitName} · ${pick(lang, s.statusLabel)} · ${t(lang, 'similarSubmitted')} ${formatInZone(new Date(s.submittedAt), zone, lang)} · <strong>${why}</strong></li>`;
  })}</ul></div>`;
}

/** What went wrong in the reader's language, then the recorded words as a detail for whoever looks further. */
function problem(lang: Lang, message: LocalizedText | null, detail: string): Html {
  return html`${message ? html`<div class="error" data-problem>${pick(lang, message)}</div>` : ''}<div class="muted detail" data-error-detail>${t(lang, 'errorDetail')}: ${detail}</div>`;
}

function resolveForm(lang: Lang, csrf: string, postId: string, targetId: string, action: string, label: 'retry' | 'releaseLate' | 'confirmPublished' | 'confirmNotPublished'): Html {
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
