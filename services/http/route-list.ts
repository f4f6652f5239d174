// Every route the HTTP app answers, read from the app itself (mounted routers included), so a check over "every
// route" (the access-control matrix test) cannot miss one that someone adds later.
import type { Express } from 'express';

export interface RouteEntry {
  method: string;
  /** The path as declared, with its mount prefix: `/api/v1/posts/:id`. */
  path: string;
}

interface LayerLike {
  rawPath?: unknown;
  name?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

const stackOf = (app: Express) => (app as unknown as { router: { stack: LayerLike[] } }).router.stack;

/** Applications mounted with mountApp, by the function Express put in their place on the parent's stack. */
const mountedApps = new WeakMap<object, Express>();

/** Mounts an application (one with settings of its own) below a path, where listRoutes finds its routes. */
export function mountApp(parent: Express, path: string, child: Express): void {
  parent.use(path, child);
  const layer = stackOf(parent).at(-1);
  if (layer?.handle) mountedApps.set(layer.handle, child);
}

function join(prefix: string, p: string): string {
  if (p === '/' && prefix !== '') return prefix;
  return `${prefix}${p}`.replace(/\/{2,}/g, '/');
}

function walk(stack: LayerLike[], prefix: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? (layer.route.path as unknown[]) : [layer.route.path];
      for (const p of paths) {
        if (typeof p !== 'string') continue;
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: join(prefix, p) });
        }
      }
    } else if (layer.handle) {
      // A mounted router or application: its routes sit below the path it was mounted at (`app.use('/api/v1', router)`).
      const stack = layer.handle.stack ?? (mountedApps.has(layer.handle) ? stackOf(mountedApps.get(layer.handle)!) : undefined);
      // An application mounted with app.use() hides its routes in Express's wrapper: refuse, rather than list less.
      if (!stack && layer.name === 'mounted_app') throw new Error(`an application is mounted at ${join(prefix, String(layer.rawPath))} without mountApp(); its routes cannot be listed`);
      if (!stack) continue;
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(stack, join(prefix, mount), out);
    }
  }
}

/** The app's routes, each method and path once, in the order they are matched. */
export function listRoutes(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  walk(stackOf(app), '', out);
  const seen = new Set<string>();
  return out.filter((r) => {
    const k = `${r.method} ${r.path}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
