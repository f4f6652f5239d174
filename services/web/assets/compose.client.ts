// The compose page in the browser: live checks with the server's own rules, autosave, photos.
import { countFor, splitThread } from '../../../shared/channels/channel-text';
import type { ChannelKind, ChannelOptions } from '../../../shared/post';
import { checkContent } from '../../../shared/rules/content-rules';
import type { Finding } from '../../../shared/rules/finding';
import { parseInstant, timeInZone, type TimeZone } from '../../../shared/time';

interface PhotoItem {
  id: string;
  position: number;
  altText: string;
  status: string;
  renditions: Array<{ name: string; profile: string; url: string; width: number; height: number }>;
}

interface ComposeData {
  lang: 'id' | 'en';
  csrf: string;
  zone: TimeZone;
  unitName: string;
  minLeadSeconds: number;
  /** Why Instagram cannot download the photos, when it cannot. */
  photosUnreachable: { id: string; en: string } | null;
  channels: Array<{ id: string; kind: ChannelKind; name: string }>;
  post: { id: string; version: number; title: string; body: string; channelOptions: Record<string, ChannelOptions> } | null;
  photos: PhotoItem[];
  m: Record<'chars' | 'noFindings' | 'saving' | 'saved' | 'offline' | 'altText' | 'moveUp' | 'remove' | 'photoProcessing' | 'threadParts' | 'cannotSubmit' | 'andMore' | 'showMe' | 'justNow' | 'seeFindings' | 'startHint', string>;
}

const data = JSON.parse(document.getElementById('page-data')!.textContent) as ComposeData;
const $ = (id: string): HTMLElement => document.getElementById(id)!;
const title = $('title') as HTMLInputElement;
const body = $('body') as HTMLTextAreaElement;
const when = $('scheduled') as HTMLInputElement;
const state = $('save-state');
let postId = data.post?.id ?? null;
let version = data.post?.version ?? 0;
let photos: PhotoItem[] = data.photos;
const localUrls = new Map<string, string>();
let timer: number | undefined;
let saving: Promise<boolean> | null = null;
/** Photo changes in flight, in order; a save waits for them (save()). */
let photoChanges: Promise<unknown> = Promise.resolve();
let dirty = false;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function picked(): string[] {
  return [...document.querySelectorAll<HTMLInputElement>('input[name=channel]:checked')].map((i) => i.value);
}

function variants(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ta of document.querySelectorAll<HTMLTextAreaElement>('textarea[data-variant]')) {
    const id = ta.dataset.variant!;
    if (ta.value.trim() !== '' && picked().includes(id)) out[id] = ta.value;
  }
  return out;
}

function channelOptions(): Record<string, ChannelOptions> {
  const out: Record<string, ChannelOptions> = {};
  for (const box of document.querySelectorAll<HTMLInputElement>('input[data-thread]')) {
    const id = box.dataset.thread!;
    if (box.checked && picked().includes(id)) out[id] = { thread: true };
  }
  return out;
}

function content() {
  return { title: title.value, body: body.value, channelIds: picked(), variants: variants(), channelOptions: channelOptions(), scheduledAt: when.value };
}

function refresh(): void {
  const c = content();
  const findings: Finding[] = checkContent(
    { ...c, photos: photos.map((p) => ({ altText: p.altText })), scheduledAt: parseInstant(c.scheduledAt, data.zone) },
    {
      now: new Date(),
      minLeadSeconds: data.minLeadSeconds,
      zone: data.zone,
      unitChannels: new Map(data.channels.map((ch) => [ch.id, { kind: ch.kind, name: ch.name }])),
      photosUnreachable: data.photosUnreachable ?? undefined,
    },
  );
  // A new post's empty fields are not yet mistakes: what is required is said once the person has been to the field
  // (or asks to save or submit). The submit button still waits for every one of them.
  const shown = everythingTouched ? findings : findings.filter((f) => !(f.code.endsWith('.required') && f.field !== undefined && !touched.has(f.field)));
  showFindings(shown, shown.length < findings.length);
  for (const ch of data.channels) {
    const on = c.channelIds.includes(ch.id);
    $('variant-' + ch.id).hidden = !on;
  }
  const counts = $('counts');
  const previews = $('previews');
  counts.replaceChildren();
  previews.replaceChildren();
  $('previews-empty').hidden = c.channelIds.length > 0;
  for (const ch of data.channels.filter((x) => c.channelIds.includes(x.id))) {
    const text = c.variants[ch.id] ?? c.body;
    const n = countFor(ch.kind, text);
    // A thread shows as the parts that will go out, each with its counter.
    const parts = c.channelOptions[ch.id]?.thread && n.over ? splitThread(ch.kind, text) : [text];
    counts.append(
      el(
        'div',
        { class: n.over && parts.length === 1 ? 'count over' : 'count', 'data-channel': ch.kind },
        parts.length > 1
          ? `${ch.name}: ${parts.length} ${data.m.threadParts}, ${parts.map((part) => countFor(ch.kind, part).used).join(' + ')} / ${n.limit ?? ''} ${data.m.chars}`
          : `${ch.name}: ${n.used}${n.limit ? ` / ${n.limit}` : ''} ${data.m.chars}`,
      ),
    );
    previews.append(previewCard(ch, c.title, parts));
  }
  const blocks = findings.filter((f) => f.severity === 'block');
  ($('submit') as HTMLButtonElement).disabled = blocks.length > 0;
  showBlocked(shown.filter((f) => f.severity === 'block'), blocks.length > 0);
}

/** Fields the person has typed in or picked from; all of them once a post exists, was recovered, or is saved. */
const touched = new Set<string>();
let everythingTouched = data.post !== null;

function touch(target: EventTarget | null): void {
  if (target === title) touched.add('title');
  else if (target === body) touched.add('body');
  else if (target === when) touched.add('scheduledAt');
  else if (target instanceof HTMLInputElement && target.name === 'channel') touched.add('channelIds');
}

function touchEverything(): void {
  everythingTouched = true;
  refresh();
}

/**
 * A post as the platform will show it: the rendition made for that platform (Instagram's crop, X's size), the
 * unit's name where the platform puts the account, the text as it will be cut into a thread.
 */
function previewCard(ch: ComposeData['channels'][number], postTitle: string, parts: string[]): HTMLElement {
  const card = el('div', { class: `preview card-${ch.kind}`, 'data-preview': ch.kind });
  const head = el('div', { class: 'card-head' });
  head.append(el('strong', {}, ch.kind === 'news_page' || ch.kind === 'webhook' ? ch.name : data.unitName), el('span', { class: 'muted' }, ` · ${data.m.justNow}`));
  const first = photos[0];
  const r = first ? renditionFor(first, ch.kind) : undefined;
  const src = r?.url ?? (first ? localUrls.get(first.id) : undefined);
  const img = src ? el('img', { src, alt: first!.altText, ...(r ? { width: String(r.width), height: String(r.height) } : {}) }) : undefined;
  const text = el('div', { class: 'card-text' });
  parts.forEach((part, i) => {
    if (i > 0) text.append(el('hr'));
    text.append(document.createTextNode(part));
  });
  switch (ch.kind) {
    case 'instagram':
      // The photo first, then the caption after the account's name, as the feed shows it.
      card.append(head);
      if (img) card.append(img);
      text.prepend(el('strong', {}, `${data.unitName} `));
      card.append(text);
      break;
    case 'telegram':
      if (img) card.append(img);
      card.append(text, el('div', { class: 'card-foot muted' }, ch.name));
      break;
    case 'news_page':
    case 'webhook':
      card.append(head, el('h3', {}, postTitle));
      if (img) card.append(img);
      card.append(text);
      break;
    case 'x':
    case 'facebook':
      card.append(head, text);
      if (img) card.append(img);
      break;
  }
  return card;
}

/** The rendition that goes out to this platform, else the smallest one (the news page's for a webhook). */
function renditionFor(p: PhotoItem, kind: ChannelKind): PhotoItem['renditions'][number] | undefined {
  const profile = kind === 'webhook' ? 'news_page' : kind;
  const own = p.renditions.filter((r) => r.profile === profile);
  const pool = own.length > 0 ? own : p.renditions;
  return [...pool].sort((a, b) => a.width - b.width).find((r) => r.width >= 480) ?? [...pool].sort((a, b) => b.width - a.width)[0];
}

/** Where a finding's field is on the page, to show the finding there and to take the person to it. */
function fieldElement(field: string): HTMLElement | null {
  if (field === 'title' || field === 'body') return $(field);
  if (field === 'scheduledAt') return when;
  if (field === 'channelIds') return document.querySelector<HTMLElement>('input[name=channel]');
  if (field.startsWith('variants.')) return document.getElementById(`v-${field.slice('variants.'.length)}`);
  const photo = /^photos\.(\d+)\.altText$/.exec(field);
  return photo ? document.querySelector<HTMLElement>(`[data-photo-index="${photo[1]!}"] input[type=text]`) : null;
}

/** The reason the submit button is greyed out, pinned beside it so that it is on screen whatever is scrolled. */
function showBlocked(blocks: Finding[], waiting: boolean): void {
  const box = $('blocked');
  box.replaceChildren();
  box.hidden = blocks.length === 0 && !waiting;
  const first = blocks[0];
  if (!first) {
    if (waiting) box.append(document.createTextNode(data.m.startHint));
    return;
  }
  box.append(el('strong', {}, `${data.m.cannotSubmit} `));
  // The way to the field comes first: on a phone the reason is cut to two lines, and the link must stay in sight.
  const target = first.field === undefined ? null : fieldElement(first.field);
  if (target) {
    const go = el('button', { type: 'button', class: 'link' }, data.m.showMe);
    go.addEventListener('click', () => {
      if (target.closest('details') instanceof HTMLDetailsElement) (target.closest('details') as HTMLDetailsElement).open = true;
      target.focus();
      target.scrollIntoView({ block: 'center' });
    });
    box.append(go, document.createTextNode(' '));
  }
  box.append(document.createTextNode(first.message[data.lang]));
  if (blocks.length > 1) box.append(document.createTextNode(` (+${blocks.length - 1} ${data.m.andMore})`));
}

function showFindings(findings: Finding[], waiting: boolean): void {
  const box = $('findings');
  box.replaceChildren();
  if (findings.length === 0) box.append(el('p', { class: waiting ? 'muted' : 'ok' }, waiting ? data.m.startHint : data.m.noFindings));
  for (const f of findings) box.append(el('div', { class: `finding ${f.severity}`, 'data-code': f.code }, f.message[data.lang]));
  // Each finding again at its field, where the person is typing, with the words it is about marked.
  for (const spot of document.querySelectorAll<HTMLElement>('[data-findings-for]')) spot.replaceChildren();
  for (const f of findings) {
    if (f.field === undefined) continue;
    const spot = document.querySelector<HTMLElement>(`[data-findings-for="${CSS.escape(f.field)}"]`);
    if (!spot) continue;
    const item = el('div', { class: `finding ${f.severity}`, 'data-code': f.code, role: f.severity === 'block' ? 'alert' : 'status' }, f.message[data.lang]);
    const input = fieldElement(f.field) as HTMLInputElement | HTMLTextAreaElement | null;
    if (f.span && input && typeof input.value === 'string') item.append(excerpt(input.value, f.span.start, f.span.end));
    spot.append(item);
  }
}

/** The words a finding is about, marked where they stand in the text, with a little of the text around them. */
function excerpt(text: string, start: number, end: number): HTMLElement {
  const from = Math.max(0, start - 30);
  const to = Math.min(text.length, end + 30);
  const q = el('q', { class: 'excerpt' });
  q.append(document.createTextNode(`${from > 0 ? '…' : ''}${text.slice(from, start)}`), el('mark', {}, text.slice(start, end)), document.createTextNode(`${text.slice(end, to)}${to < text.length ? '…' : ''}`));
  return q;
}

function api(method: string, path: string, payload?: unknown, raw?: Blob): Promise<Response> {
  const headers: Record<string, string> = { 'x-csrf-token': data.csrf, 'accept-language': data.lang };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (raw) headers['content-type'] = raw.type || 'application/octet-stream';
  return fetch(path, { method, headers, credentials: 'same-origin', body: raw ?? (payload !== undefined ? JSON.stringify(payload) : null) });
}

const localKey = () => `siaran-draft-${postId ?? 'new'}`;

function setState(text: string, cls = 'muted'): void {
  state.textContent = text;
  state.className = cls;
}

async function errorText(res: Response): Promise<string> {
  try {
    const j = (await res.json()) as { error?: { message?: string; details?: { findings?: Finding[] } } };
    // The findings are shown in the checks and at their fields; the message would say the same a third time.
    if (j.error?.details?.findings && j.error.details.findings.length > 0) {
      showFindings(j.error.details.findings, false);
      return data.m.seeFindings;
    }
    return j.error?.message ?? String(res.status);
  } catch {
    return String(res.status);
  }
}

/** Saves to the server; on a dropped connection the draft stays on the device and goes up later. */
async function save(): Promise<boolean> {
  // A photo change moves the post's version: it lands, and its version is known, before a save names the version.
  await photoChanges;
  // One save at a time: a submit and an autosave that waited for the same save must not both go next, with the same
  // expected version (the second would be refused as a conflict).
  while (saving) await saving;
  const mine = (async () => {
    const c = content();
    localStorage.setItem(localKey(), JSON.stringify(c));
    dirty = false;
    setState(data.m.saving);
    try {
      const res = postId ? await api('PATCH', `/api/v1/posts/${postId}`, { ...c, expectedVersion: version }) : await api('POST', '/api/v1/posts', c);
      if (!res.ok) {
        setState(await errorText(res), 'error');
        return false;
      }
      const view = (await res.json()) as { id: string; version: number };
      if (!postId) {
        localStorage.removeItem(localKey());
        postId = view.id;
        history.replaceState(null, '', `/compose/${postId}`);
      }
      localStorage.removeItem(localKey());
      version = view.version;
      setState(`${data.m.saved} ${timeInZone(new Date(), data.zone, data.lang)}`, 'ok');
      return true;
    } catch {
      dirty = true;
      setState(data.m.offline, 'error');
      return false;
    }
  })();
  saving = mine;
  try {
    return await mine;
  } finally {
    if (saving === mine) saving = null;
  }
}

function changed(): void {
  refresh();
  dirty = true;
  window.clearTimeout(timer);
  timer = window.setTimeout(() => void save(), 1500);
}

function photoSrc(p: PhotoItem): string | undefined {
  const r = [...p.renditions].sort((a, b) => a.width - b.width)[0];
  return r?.url ?? localUrls.get(p.id);
}

function renderPhotos(): void {
  const list = $('photos');
  list.replaceChildren();
  photos.sort((a, b) => a.position - b.position);
  photos.forEach((p, i) => {
    const row = el('div', { class: 'photo', 'data-photo': p.id, 'data-photo-index': String(i) });
    const src = photoSrc(p);
    row.append(src ? el('img', { src, alt: p.altText }) : el('img', { alt: '' }));
    const meta = el('div', { class: 'meta' });
    const alt = el('input', { type: 'text', value: p.altText, 'aria-label': data.m.altText, placeholder: data.m.altText });
    alt.addEventListener('input', () => {
      p.altText = alt.value;
      refresh();
    });
    alt.addEventListener('change', () => void patchPhoto(p.id, { altText: alt.value }));
    meta.append(alt, el('div', { class: 'field-findings', 'data-findings-for': `photos.${i}.altText` }));
    if (p.status !== 'ready') meta.append(el('span', { class: 'muted' }, ` ${data.m.photoProcessing}`));
    const bar = el('div', { class: 'row' });
    const up = el('button', { type: 'button', class: 'secondary' }, data.m.moveUp);
    up.disabled = i === 0;
    up.addEventListener('click', () => void moveUp(i));
    const rm = el('button', { type: 'button', class: 'danger' }, data.m.remove);
    rm.addEventListener('click', () => void removePhoto(p.id));
    bar.append(up, rm);
    meta.append(bar);
    row.append(meta);
    list.append(row);
  });
  refresh();
}

async function loadPhotos(): Promise<void> {
  if (!postId) return;
  const res = await api('GET', `/api/v1/photos?postId=${postId}`);
  if (res.ok) photos = ((await res.json()) as { photos: PhotoItem[] }).photos;
  renderPhotos();
  if (photos.some((p) => p.status === 'processing')) window.setTimeout(() => void loadPhotos(), 1500);
}

/** A photo change is a change to the post: its new version is what the next save names. */
async function followVersion(): Promise<void> {
  if (!postId) return;
  const res = await api('GET', `/api/v1/posts/${postId}`);
  if (res.ok) version = ((await res.json()) as { version: number }).version;
}

/** Runs a photo change after those before it; the change ends once the post's new version is followed. */
function changingPhotos(work: () => Promise<void>): Promise<void> {
  const done = photoChanges.then(work, work);
  photoChanges = done.catch(() => undefined);
  return done;
}

function patchPhoto(id: string, change: Record<string, unknown>): Promise<void> {
  return changingPhotos(async () => {
    const res = await api('PATCH', `/api/v1/photos/${id}`, change);
    if (!res.ok) setState(await errorText(res), 'error');
    await followVersion();
  });
}

async function moveUp(i: number): Promise<void> {
  const a = photos[i]!;
  const b = photos[i - 1]!;
  await patchPhoto(a.id, { position: i - 1 });
  await patchPhoto(b.id, { position: i });
  await loadPhotos();
}

async function removePhoto(id: string): Promise<void> {
  await changingPhotos(async () => {
    await api('DELETE', `/api/v1/photos/${id}`);
    await followVersion();
  });
  await loadPhotos();
}

async function upload(files: FileList): Promise<void> {
  if (!postId && !(await save())) return;
  // Each refused photo is named with its reason: with several picked at once, the person must know which to fix.
  const refused: string[] = [];
  await changingPhotos(async () => {
    for (const file of files) {
      const res = await api('POST', `/api/v1/photos?postId=${postId!}`, undefined, file);
      if (!res.ok) {
        refused.push(`${file.name}: ${await errorText(res)}`);
        setState(refused.join(' '), 'error');
        continue;
      }
      const p = (await res.json()) as PhotoItem;
      localUrls.set(p.id, URL.createObjectURL(file));
    }
    await followVersion();
  });
  await loadPhotos();
}

async function submit(): Promise<void> {
  window.clearTimeout(timer);
  if (!(await save())) return;
  const res = await api('POST', `/api/v1/posts/${postId!}/submit`);
  if (!res.ok) {
    setState(await errorText(res), 'error');
    return;
  }
  location.href = `/posts/${postId!}`;
}

const recovered = localStorage.getItem(localKey());
if (recovered) {
  // A draft typed while offline comes back after a reload, and is saved again.
  const c = JSON.parse(recovered) as { title: string; body: string; scheduledAt: string };
  title.value = c.title;
  body.value = c.body;
  when.value = c.scheduledAt;
  dirty = true;
  everythingTouched = true;
}

for (const input of document.querySelectorAll('#compose input, #compose textarea')) {
  if ((input as HTMLInputElement).type === 'file') continue;
  input.addEventListener('input', (e) => {
    touch(e.target);
    changed();
  });
}
$('photo-input').addEventListener('change', (e) => {
  const files = (e.target as HTMLInputElement).files;
  if (files && files.length > 0) void upload(files).then(() => ((e.target as HTMLInputElement).value = ''));
});
$('save').addEventListener('click', () => {
  touchEverything();
  void save();
});
$('submit').addEventListener('click', () => {
  touchEverything();
  void submit();
});
window.addEventListener('online', () => {
  if (dirty) void save();
});
renderPhotos();
if (postId) void loadPhotos();
document.body.dataset.ready = 'true';
