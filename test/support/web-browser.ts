// One browser's cookie jar over plain HTTP, coming from a given address (the app must trust the loopback proxy).
export function browserAt(baseUrl: string, ip = '127.0.0.1') {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  async function go(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        'x-forwarded-for': ip,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }
  const csrfOf = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)![1]!;
  const pageCsrf = async (path: string) => csrfOf((await go('GET', path)).text);
  const signIn = async (email: string, password: string) => go('POST', '/login', { _csrf: await pageCsrf('/login'), email, password });
  return { jar, go, pageCsrf, signIn };
}
