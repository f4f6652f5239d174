// The public pages' HTML: the frame (head, masthead, footer), the list, the article and the notices.
// Nothing inline: the style is the news stylesheet, and there is no script at all.
import { formatInZone } from '../../shared/time';
import type { UnitRow } from '../storage/schema';
import { type Html, html } from '../web/html';
import type { NewsItem, NewsPage, NewsPhoto, Rendition } from './news.repository';
import { ICON_PATH, MANIFEST_PATH, THEME_COLOUR } from './site-links';

export interface Site {
  /** The public base URL, without a trailing slash: every link a share or a feed carries is absolute. */
  base: string;
  stylesheet: string;
  photoUrl: (key: string) => string;
  /** The version of the unit's logo, when it has one to show. */
  logo?: (unit: UnitRow) => string | undefined;
}

/** What a link shared on WhatsApp, Facebook or X shows: Open Graph, read by all three, and X's own card. */
interface Card {
  type: 'website' | 'article';
  title: string;
  description: string;
  url: string;
  image?: { url: string; width: number; height: number; alt: string } | undefined;
  /** The unit's logo: the preview's picture when no photo has one to give. */
  logo?: string | undefined;
  publishedAt?: Date | undefined;
}

const DESCRIPTION_MAX = 200;
/** The photo's width on the page: the column's, up to the measure (44rem less the padding). */
const PHOTO_SIZES = '(max-width: 44rem) 100vw, 42rem';

export const unitHome = (site: Site, unit: UnitRow) => `${site.base}/u/${encodeURIComponent(unit.slug)}`;
export const permalink = (site: Site, unit: UnitRow, postId: string) => `${unitHome(site, unit)}/p/${postId}`;
export const feedUrl = (site: Site, unit: UnitRow) => `${unitHome(site, unit)}/feed.xml`;
/** The unit's logo, absolute (a preview card fetches it from elsewhere), when it has one. */
export const logoUrl = (site: Site, unit: UnitRow) => {
  const version = site.logo?.(unit);
  return version === undefined ? undefined : `${unitHome(site, unit)}/logo.png?v=${version}`;
};

/** The text, cut at a word near the limit: a share preview shows two or three lines of it. */
export function shorten(text: string, max = DESCRIPTION_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:–-]+$/, '')}…`;
}

/** Up to three initials stand for the unit until the product keeps a logo it may show publicly. */
export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((w) => /^\p{L}/u.test(w))
    .slice(0, 3)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}

export function listPage(site: Site, unit: UnitRow, page: NewsPage, photos: Map<string, NewsPhoto[]>, selfUrl: string, first: boolean): string {
  const cover = page.items.map((i) => photos.get(i.post_id)?.[0]).find((p) => p !== undefined);
  const card: Card = {
    type: 'website',
    title: unit.name,
    description: `Berita resmi Humas ${unit.name}: kegiatan dan informasi terbaru untuk masyarakat.`,
    url: selfUrl,
    image: cover && shareImage(site, cover),
    logo: logoUrl(site, unit),
  };
  const newerHref = page.newer === 'front' ? unitHome(site, unit) : page.newer === 'page' ? `${unitHome(site, unit)}?sesudah=${page.items[0]!.post_id}` : undefined;
  const olderHref = page.hasOlder ? `${unitHome(site, unit)}?sebelum=${page.items.at(-1)!.post_id}` : undefined;
  const pager =
    newerHref || olderHref
      ? html`<nav class="pager" aria-label="Halaman berita">
${newerHref ? html`<a class="newer" rel="prev" href="${newerHref}">← Berita lebih baru</a>` : ''}
${olderHref ? html`<a class="older" rel="next" href="${olderHref}">Berita lebih lama →</a>` : ''}
</nav>`
      : '';
  const list =
    page.items.length === 0
      ? html`<p class="empty">${first ? `${unit.name} belum menerbitkan berita. Kunjungi lagi nanti.` : 'Tidak ada berita lagi di halaman ini.'}</p>`
      : html`<ol class="news">${page.items.map((i) => html`<li>${summary(site, unit, i, photos.get(i.post_id) ?? [])}</li>`)}</ol>`;
  const heading = first ? 'Berita terbaru' : 'Berita sebelumnya';
  const main = html`<h1 class="page-title">${heading}</h1>
${list}
${pager}`;
  return frame(site, unit, { title: first ? `Berita ${unit.name}` : `${heading} · ${unit.name}`, card, canonical: selfUrl, links: html`${newerHref ? html`<link rel="prev" href="${newerHref}">` : ''}${olderHref ? html`<link rel="next" href="${olderHref}">` : ''}` }, main);
}

export function articlePage(site: Site, unit: UnitRow, item: NewsItem, photos: NewsPhoto[]): string {
  const url = permalink(site, unit, item.post_id);
  const cover = photos[0];
  const card: Card = { type: 'article', title: item.title, description: shorten(item.body), url, image: cover && shareImage(site, cover), logo: logoUrl(site, unit), publishedAt: item.published_at };
  const main = html`<p class="back"><a href="${unitHome(site, unit)}">← Semua berita ${unit.name}</a></p>
<article class="story">
<h1>${item.title}</h1>
${when(unit, item.published_at)}
${photos.map((p, n) => figure(site, p, n === 0))}
${paragraphs(item.body)}
</article>`;
  return frame(site, unit, { title: `${item.title} · ${unit.name}`, card, canonical: url }, main);
}

export const sharePageUrl = (site: Site, unit: UnitRow, postId: string) => `${permalink(site, unit, postId)}/bagikan`;

/**
 * The amplification kit of a published post, for personnel to forward to WhatsApp groups: the ready text, the
 * photo, and the buttons. The buttons go through this server, which counts them (per post and day, no one's
 * identity) and then sends the phone on to WhatsApp or to the photo.
 */
export function sharePage(site: Site, unit: UnitRow, item: NewsItem, photos: NewsPhoto[], text: string, script: string): string {
  const url = permalink(site, unit, item.post_id);
  // Relative: the buttons and the count go to the address the page was opened at (the policy allows only it).
  const share = `/u/${encodeURIComponent(unit.slug)}/p/${item.post_id}/bagikan`;
  const cover = photos[0];
  const main = html`<p class="back"><a href="${url}">← Buka beritanya</a></p>
<article class="story share">
<h1>Bagikan berita ini</h1>
<p class="lead">Untuk personel: teruskan ke grup WhatsApp warga, RT dan keluarga. ${cover ? 'Teks dan foto di bawah siap dikirim.' : 'Teks di bawah siap dikirim.'}</p>
<h2>${item.title}</h2>
${cover ? figure(site, cover, true) : ''}
<pre class="share-text" data-share-text>${text}</pre>
<p class="share-actions"><a class="btn wa" href="${share}/wa" data-whatsapp>Bagikan ke WhatsApp</a>
<button type="button" class="btn secondary" data-copy="${share}/salin">Salin teks</button>
${cover ? html`<a class="btn secondary" href="${share}/foto" data-photo>Unduh foto</a>` : ''}
<span class="copied" data-copied hidden>Teks tersalin. Tempel di WhatsApp.</span></p>
</article>`;
  return frame(site, unit, { title: `Bagikan: ${item.title} · ${unit.name}`, canonical: url, noIndex: true, script }, main);
}

/** A page that says what happened, in words, with the way back to the unit's news when there is a unit. */
export function noticePage(site: Site, unit: UnitRow | undefined, heading: string, text: string): string {
  const back = unit ? html`<p><a href="${unitHome(site, unit)}">Kembali ke berita ${unit.name}</a></p>` : '';
  const main = html`<div class="notice"><h1>${heading}</h1><p>${text}</p>${back}</div>`;
  return frame(site, unit, { title: unit ? `${heading} · ${unit.name}` : heading, noIndex: true }, main);
}

function summary(site: Site, unit: UnitRow, item: NewsItem, photos: NewsPhoto[]): Html {
  const url = permalink(site, unit, item.post_id);
  const cover = photos[0];
  return html`<article class="story" id="post-${item.post_id}">
<h2><a href="${url}">${item.title}</a></h2>
${when(unit, item.published_at)}
${cover ? figure(site, cover, false) : ''}
${paragraphs(item.body)}
<p class="more"><a href="${url}">Buka berita</a>${photos.length > 1 ? ` · ${String(photos.length)} foto` : ''}</p>
</article>`;
}

function when(unit: UnitRow, at: Date): Html {
  return html`<p class="when"><time datetime="${at.toISOString()}">${formatInZone(at, unit.time_zone)}</time></p>`;
}

function paragraphs(text: string): Html[] {
  return text
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((p) => html`<p>${p.split('\n').map((line, n) => html`${n > 0 ? html`<br>` : ''}${line}`)}</p>`);
}

/** WebP where the browser takes it, JPEG otherwise; the browser picks the width for its screen. */
function figure(site: Site, photo: NewsPhoto, eager: boolean): Html {
  const of = (mime: string) => photo.renditions.filter((r) => r.mime === mime);
  const srcset = (rs: Rendition[]) => rs.map((r) => `${site.photoUrl(r.key)} ${String(r.width)}w`).join(', ');
  const jpegs = of('image/jpeg');
  const webps = of('image/webp');
  // The middle width for browsers that read neither srcset nor sizes.
  const fallback = jpegs[Math.min(1, jpegs.length - 1)] ?? photo.renditions[0]!;
  return html`<figure><picture>
${webps.length > 0 ? html`<source type="image/webp" srcset="${srcset(webps)}" sizes="${PHOTO_SIZES}">` : ''}
<img src="${site.photoUrl(fallback.key)}" srcset="${srcset(jpegs)}" sizes="${PHOTO_SIZES}" width="${fallback.width}" height="${fallback.height}" alt="${photo.alt}" loading="${eager ? 'eager' : 'lazy'}" decoding="async">
</picture>${photo.alt ? html`<figcaption>${photo.alt}</figcaption>` : ''}</figure>`;
}

/** The widest JPEG the news page has: platforms' previews want about 1200 px and take JPEG everywhere. */
function shareImage(site: Site, photo: NewsPhoto): Card['image'] {
  const jpeg = photo.renditions.filter((r) => r.mime === 'image/jpeg').at(-1);
  return jpeg && { url: site.photoUrl(jpeg.key), width: jpeg.width, height: jpeg.height, alt: photo.alt };
}

function cardTags(unit: UnitRow, card: Card): Html {
  const og = (property: string, content: string | number) => html`<meta property="${property}" content="${String(content)}">\n`;
  const tw = (name: string, content: string) => html`<meta name="${name}" content="${content}">\n`;
  const img = card.image;
  return html`<meta name="description" content="${card.description}">
${og('og:type', card.type)}${og('og:site_name', unit.name)}${og('og:locale', 'id_ID')}${og('og:title', card.title)}${og('og:description', card.description)}${og('og:url', card.url)}${
    img
      ? html`${og('og:image', img.url)}${og('og:image:type', 'image/jpeg')}${og('og:image:width', img.width)}${og('og:image:height', img.height)}${img.alt ? og('og:image:alt', img.alt) : ''}`
      : card.logo
        ? html`${og('og:image', card.logo)}${og('og:image:type', 'image/png')}${og('og:image:alt', `Logo ${unit.name}`)}`
        : ''
  }${card.publishedAt ? og('article:published_time', card.publishedAt.toISOString()) : ''}${tw('twitter:card', img ? 'summary_large_image' : 'summary')}${tw('twitter:title', card.title)}${tw('twitter:description', card.description)}${
    img ? html`${tw('twitter:image', img.url)}${img.alt ? tw('twitter:image:alt', img.alt) : ''}` : card.logo ? tw('twitter:image', card.logo) : ''
  }`;
}

interface Head {
  title: string;
  card?: Card;
  canonical?: string;
  links?: Html;
  /** Notices (not found, taken back) stay out of search engines. */
  noIndex?: boolean;
  /** A script of ours the page runs (the share page's copy button); the other pages run none. */
  script?: string;
}

function frame(site: Site, unit: UnitRow | undefined, head: Head, main: Html): string {
  const masthead = unit
    ? html`<a class="mark${site.logo?.(unit) ? ' logo' : ''}" href="${unitHome(site, unit)}" aria-hidden="true" tabindex="-1">${
        logoUrl(site, unit) ? html`<img src="${logoUrl(site, unit)}" alt="" width="48" height="48">` : initials(unit.name)
      }</a>
<div class="unit"><p class="unit-name"><a href="${unitHome(site, unit)}">${unit.name}</a></p><p class="tagline">Berita resmi Humas</p></div>`
    : html`<span class="mark" aria-hidden="true">S</span><div class="unit"><p class="unit-name">Siaran</p><p class="tagline">Halaman berita satuan Polri</p></div>`;
  const footer = unit
    ? html`<a class="feed" href="${feedUrl(site, unit)}" type="application/atom+xml">Langganan feed Atom</a><span>Diterbitkan oleh Humas ${unit.name}</span>`
    : html`<span>Siaran</span>`;
  return html`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${head.title}</title>
<link rel="stylesheet" href="${site.stylesheet}">
<link rel="icon" href="${ICON_PATH}" type="image/svg+xml">
<link rel="manifest" href="${MANIFEST_PATH}">
<meta name="theme-color" content="${THEME_COLOUR}">
${head.noIndex ? html`<meta name="robots" content="noindex">` : ''}
${head.canonical ? html`<link rel="canonical" href="${head.canonical}">` : ''}
${head.links ?? ''}
${unit ? html`<link rel="alternate" type="application/atom+xml" title="${unit.name}" href="${feedUrl(site, unit)}">` : ''}
${head.card && unit ? cardTags(unit, head.card) : ''}
${head.script ? html`<script defer src="${head.script}"></script>` : ''}
</head>
<body>
<a class="skip" href="#isi">Langsung ke isi</a>
<header class="masthead"><div class="inner">${masthead}</div></header>
<main id="isi" class="content">
${main}
</main>
<footer class="site-foot"><div class="inner">${footer}</div></footer>
</body>
</html>
`.value;
}
