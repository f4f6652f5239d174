// Transactions the database broke to resolve a deadlock or a serialization conflict changed nothing: work that is
// safe to repeat (a write fenced by a token or a generation, an update whose outcome does not depend on a first
// try) is simply run again.

const RETRYABLE_SQLSTATE = new Set(['40P01', '40001']);

export async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= 4 || typeof code !== 'string' || !RETRYABLE_SQLSTATE.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}
