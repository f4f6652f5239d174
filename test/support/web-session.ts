// Signing in to the web app as a browser would (CSRF token, cookies), for tests that read pages.
import { setPassword } from '../../services/web/password-hash';
import type { Harness, World } from './harness';

export const PASSWORD = 'kata-sandi-rahasia-123';

/** Signs in as one of the seeded users; returns the Cookie header of the session. */
export async function signIn(p: { h: Harness; world: World }, who: keyof World['users']): Promise<string> {
  const db = p.h.siaran.database.db;
  const userId = p.world.users[who];
  await setPassword(db, userId, PASSWORD);
  const { email } = await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
  return signInWith(p.h.url, email, PASSWORD);
}

/** Signs in on the login page with an e-mail and password; returns the Cookie header of the session. */
export async function signInWith(url: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const login = await fetch(`${url}/login`, { redirect: 'manual' });
  keep(login);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  keep(res);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return cookie();
}
