import type { FindingRules } from '../posts/write-post';
import type { ChannelRow, UnitRow } from '../storage/schema';
import type { PostView } from '../posts/post-view';
import type { PhotoView } from '../media/photo-view';
import { zoneLabel } from '../../shared/time';
import { CHANNEL_RULES } from '../../shared/channels/channel-rules';
import { CHANNEL_KIND_LABELS } from '../../shared/words';
import { type Html, html } from './html';
import { type Lang, messages, pick, t } from './i18n';

export const COMPOSE_MESSAGES = ['chars', 'noFindings', 'saving', 'saved', 'offline', 'altText', 'moveUp', 'remove', 'photoProcessing', 'threadParts', 'cannotSubmit', 'andMore', 'showMe', 'justNow', 'seeFindings', 'startHint'] as const;

export function composeData(lang: Lang, csrf: string, unit: UnitRow, channels: ChannelRow[], rules: FindingRules, post: PostView | undefined, photos: PhotoView[]) {
  return {
    lang,
    csrf,
    zone: unit.time_zone,
    unitName: unit.name,
    minLeadSeconds: rules.minLeadSeconds,
    photosUnreachable: rules.photosUnreachable ?? null,
    channels: channels.map((c) => ({ id: c.id, kind: c.kind, name: channelLabel(lang, c) })),
    post: post ? { id: post.id, version: post.version, title: post.title, body: post.body, channelOptions: post.channelOptions } : null,
    photos,
    m: messages(lang, COMPOSE_MESSAGES),
  };
}

export function composePage(lang: Lang, unit: UnitRow, channels: ChannelRow[], post: PostView | undefined, defaultLocal: string): Html {
  // A new post of a unit with one channel goes there: nothing to choose, so it starts chosen.
  const picked = new Set(post ? post.targets.filter((x) => x.status !== 'cancelled').map((x) => x.channelId) : channels.length === 1 ? [channels[0]!.id] : []);
  const local = post ? post.scheduledLocalIso.slice(0, 16) : defaultLocal;
  return html`<h1>${post ? t(lang, 'edit') : t(lang, 'newPost')} · ${unit.name}</h1>
${post ? '' : html`<p class="muted"><a href="/plan" data-plan-link>${t(lang, 'planLink')}</a></p>`}
${post?.reviewNote && post.status === 'rejected' ? html`<p class="flash err"><strong>${t(lang, 'reviewNote')}:</strong> ${post.reviewNote}</p>` : ''}
<div class="grid2" id="compose"><section>
<label for="title">${t(lang, 'title')}</label><input id="title" type="text" maxlength="200" value="${post?.title ?? ''}" aria-describedby="f-title">
<div class="field-findings" id="f-title" data-findings-for="title"></div>
<label for="body">${t(lang, 'text')}</label><textarea id="body" rows="8" aria-describedby="f-body">${post?.body ?? ''}</textarea>
<div class="field-findings" id="f-body" data-findings-for="body"></div>
<fieldset class="card channels"><legend>${t(lang, 'channels')}</legend>
${channels.map(
  (c) => html`<label><input type="checkbox" name="channel" value="${c.id}" data-kind="${c.kind}"${picked.has(c.id) ? html` checked` : ''}> ${channelLabel(lang, c)}</label>
<div id="variant-${c.id}" class="variant" hidden>${CHANNEL_RULES[c.kind].threads ? html`<label class="muted thread"><input type="checkbox" data-thread="${c.id}"${post?.channelOptions[c.id]?.thread ? html` checked` : ''}> ${t(lang, 'sendAsThread')}</label>` : ''}
<details${post?.variants[c.id] !== undefined ? html` open` : ''}><summary class="muted">${t(lang, 'variantFor')}</summary><textarea id="v-${c.id}" rows="3" data-variant="${c.id}" aria-label="${t(lang, 'variantFor')} · ${channelLabel(lang, c)}">${post?.variants[c.id] ?? ''}</textarea></details>
<div class="field-findings" data-findings-for="variants.${c.id}"></div></div>`,
)}
<div class="field-findings" data-findings-for="channelIds"></div>
</fieldset>
<label for="scheduled">${t(lang, 'publishAt')} (${zoneLabel(unit.time_zone)})</label>
<input id="scheduled" type="datetime-local" step="60" value="${local}" aria-describedby="f-scheduled">
<div class="field-findings" id="f-scheduled" data-findings-for="scheduledAt"></div>
<h2>${t(lang, 'photos')}</h2>
<label for="photo-input" class="button secondary">${t(lang, 'addPhoto')}</label>
<input id="photo-input" type="file" accept="image/jpeg,image/png,image/webp,image/heic" multiple hidden>
<div id="photos" class="photos"></div>
</section><aside>
<h2>${t(lang, 'findings')}</h2><div id="findings" aria-live="polite"></div>
<div id="counts"></div>
<h2>${t(lang, 'preview')}</h2><p class="muted" id="previews-empty">${t(lang, 'previewPickChannel')}</p><div id="previews"></div>
</aside></div>
<div class="actions" id="actions"><button type="button" id="save" class="secondary">${t(lang, 'saveDraft')}</button>
<button type="button" id="submit" aria-describedby="blocked">${t(lang, 'submit')}</button><span id="save-state" class="muted" role="status"></span>
<p id="blocked" class="blocked" hidden></p></div>`;
}

/** A channel as people recognise it: the platform, then the name the admin gave it, unless it says so already. */
export function channelLabel(lang: Lang, c: Pick<ChannelRow, 'kind' | 'name'>): string {
  const kind = pick(lang, CHANNEL_KIND_LABELS[c.kind]);
  return c.name.toLowerCase().startsWith(kind.toLowerCase()) ? c.name : `${kind} · ${c.name}`;
}
