// The last door before PostgreSQL: every parameter of every statement (query builder or raw SQL, API or worker)
// is made storable. People's input never gets here unstorable (services/http/storable-input.ts refuses it in
// words); what does is text from elsewhere — a platform's answer, an id a webhook receiver made up — and one NUL
// there must not fail the statement that records the outcome, again on every retry.
import type { DatabaseConnection, Dialect, Driver, Kysely, QueryResult } from 'kysely';
import type { CompiledQuery } from 'kysely';
import { storableText, unstorableIn } from '../../shared/storable-text';

/** A NUL, any surrogate (a whole pair is looked at closer), or the JSON escape of either. */
const SUSPECT = /[\u0000\uD800-\uDFFF]|\\u(?:0000|d[89a-f])/i;
/** A JSON escape PostgreSQL's jsonb refuses: NUL, or a surrogate escape (paired or not, it is checked by parsing). */
const JSON_ESCAPE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => clean(v, depth + 1));
    return out.some((v, i) => v !== value[i]) ? out : value;
  }
  // Only plain objects, which the drivers write as JSON; dates and buffers are left as they are.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = cleanString(k);
    const c = clean(v, depth + 1);
    if (key !== k || c !== v) changed = true;
    out[key] = c;
  }
  return changed ? out : value;
}

function cleanString(text: string): string {
  if (!SUSPECT.test(text)) return text;
  const plain = unstorableIn(text) ? storableText(text) : text;
  // JSON written by JSON.stringify spells a NUL or a lone surrogate as an escape, which jsonb refuses.
  const first = plain.trimStart()[0];
  if ((first === '{' || first === '[') && JSON_ESCAPE.test(plain)) {
    try {
      const parsed: unknown = JSON.parse(plain);
      const c = clean(parsed);
      if (c !== parsed) return JSON.stringify(c);
    } catch {
      // Not JSON after all: a text that merely looks like it is stored as it is.
    }
  }
  return plain;
}

/** The statement with storable parameters; the same object when nothing needed cleaning (nearly always). */
export function storableStatement<Q extends CompiledQuery>(query: Q): Q {
  const parameters = query.parameters.map((p) => clean(p));
  return parameters.some((p, i) => p !== query.parameters[i]) ? { ...query, parameters } : query;
}

/** A dialect whose connections clean every statement's parameters before the database sees them. */
export function storableParameters(inner: Dialect): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    createIntrospector: (db: Kysely<any>) => inner.createIntrospector(db),
    createDriver: () => storableDriver(inner.createDriver()),
  };
}

function storableDriver(driver: Driver): Driver {
  const innerOf = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const unwrap = (args: unknown[]) => args.map((a) => (typeof a === 'object' && a !== null && innerOf.has(a as DatabaseConnection) ? innerOf.get(a as DatabaseConnection) : a));
  return new Proxy(driver, {
    get(target, prop, receiver) {
      if (prop === 'acquireConnection') {
        return async () => {
          const conn = await target.acquireConnection();
          const wrapped: DatabaseConnection = {
            executeQuery: <R>(q: CompiledQuery): Promise<QueryResult<R>> => conn.executeQuery<R>(storableStatement(q)),
            streamQuery: <R>(q: CompiledQuery, chunkSize?: number) => conn.streamQuery<R>(storableStatement(q), chunkSize),
          };
          innerOf.set(wrapped, conn);
          return wrapped;
        };
      }
      const member: unknown = Reflect.get(target, prop, receiver);
      if (typeof member !== 'function') return member;
      // The driver's own calls (begin, commit, release, savepoints) receive the connection it made.
      return (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(target, unwrap(args));
    },
  });
}
