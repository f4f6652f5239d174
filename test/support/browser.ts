// Debian's Chromium, headless, as this machine allows it: never a downloaded browser, no outside traffic.
import { type Browser, type Page, type Request, chromium } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Signs in on the login page as a person does, and waits until the app has taken them past it. */
export async function signInOnPage(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

/** Chromium drops the fetch of a page's tab icon when the page is left before it came: no failed request of ours. */
export function droppedIconFetch(r: Request): boolean {
  return /\/(icon\.svg|favicon\.ico)$/.test(r.url()) && r.failure()?.errorText === 'net::ERR_ABORTED';
}
