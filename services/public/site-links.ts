// Where every page of the site, staff or public, finds the icon and the web app manifest.
export const ICON_PATH = '/icon.svg';
export const MANIFEST_PATH = '/manifest.webmanifest';
/** The masthead's blue: the browser's bar on phones takes it. */
export const THEME_COLOUR = '#0b2545';
