// The icon and the web app manifest of the whole site, staff app and public pages alike.
import { type RequestHandler, Router } from 'express';
import { publicHeaders } from './public-headers';
import { ICON_PATH, MANIFEST_PATH, THEME_COLOUR } from './site-links';

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="${THEME_COLOUR}"/><text x="16" y="23" font-family="sans-serif" font-size="20" font-weight="700" text-anchor="middle" fill="#fff">S</text></svg>`;

const MANIFEST = JSON.stringify({
  name: 'Siaran',
  short_name: 'Siaran',
  description: 'Penjadwal konten Humas Polri dan halaman berita resmi satuan.',
  lang: 'id',
  dir: 'ltr',
  start_url: '/',
  scope: '/',
  display: 'minimal-ui',
  theme_color: THEME_COLOUR,
  background_color: '#f4f5f7',
  icons: [
    { src: ICON_PATH, type: 'image/svg+xml', sizes: 'any', purpose: 'any' },
    { src: ICON_PATH, type: 'image/svg+xml', sizes: 'any', purpose: 'maskable' },
  ],
});

const DAY = 86_400;

export function siteRoutes(baseUrl: () => string): Router {
  const router = Router();
  router.use([ICON_PATH, '/favicon.ico', MANIFEST_PATH], publicHeaders(baseUrl));
  const icon: RequestHandler = (_req, res) => {
    res.set({ 'Content-Type': 'image/svg+xml', 'Cache-Control': `public, max-age=${String(DAY)}` }).send(ICON);
  };
  router.get(ICON_PATH, icon);
  // Browsers ask for this one on every page, whatever the page links: an answer spares them (and their consoles) a 404.
  router.get('/favicon.ico', icon);
  router.get(MANIFEST_PATH, (_req, res) => {
    res.set({ 'Content-Type': 'application/manifest+json; charset=utf-8', 'Cache-Control': `public, max-age=${String(DAY)}` }).send(MANIFEST);
  });
  return router;
}
