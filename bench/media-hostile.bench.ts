// Peak memory of the one-process server (`npm start` on the embedded database) while the hostile photo set —
// three 10000×10000 progressive JPEGs, an interlaced 16-bit PNG giant, a 100-megapixel JPEG, bombs, cut-off files,
// polyglots, wrong types — is uploaded all at once. Read from the kernel (VmHWM), so nothing escapes the count.
import fs from 'node:fs';
import net from 'node:net';
import { type Row, benchInstallation, startProcess, stopProcess, until } from './support';
import { type HostilePhoto, hostilePhotoSet, realGiants } from '../test/support/hostile-photos';
import { loadEnv } from '../config/env';
import { migrateToLatest, openDatabase } from '../services/storage/database';
import { addUnit } from '../services/units/unit.repository';
import { createToken } from '../services/users/token.repository';
import { addUser } from '../services/users/user.repository';

const GOAL_MB = 1024;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Peak resident memory of a process so far, in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

export async function run(): Promise<Row[]> {
  const installation = benchInstallation('mediahostile', undefined, { HOST: '127.0.0.1' });
  const env = installation.env;
  const parsed = loadEnv(env);
  const database = await openDatabase({ databaseUrl: parsed.DATABASE_URL, schema: parsed.DATABASE_SCHEMA, dataDir: parsed.DATA_DIR });
  await migrateToLatest(database, parsed.DATABASE_SCHEMA);
  const unit = await addUnit(database.db, { slug: 'polres-bench', name: 'Polres Bench', timeZone: 'Asia/Jakarta' });
  const op = await addUser(database.db, { email: 'op@bench.siaran', name: 'Operator Bench', unitSlug: unit.slug, role: 'operator' });
  const { token } = await createToken(database.db, op.id, { label: 'bench', days: 1 });
  await database.close();

  console.log('making the hostile set (half a minute)…');
  const set: HostilePhoto[] = [...(await realGiants()), ...(await hostilePhotoSet(parsed.MEDIA_MAX_UPLOAD_BYTES))];
  const port = await freePort();
  const url = `http://127.0.0.1:${String(port)}`;
  // No role flag and no DATABASE_URL: the API and every worker in one process, as `npm start` runs it.
  const child = startProcess('services/main.js', [], { ...env, PORT: String(port) });
  try {
    await until(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true, 60_000, 'the server to start');
    const idle = peakRssMb(child.pid!);
    console.log(`server started, peak RSS so far ${idle.toFixed(0)} MB; uploading ${String(set.length)} files at once`);

    const answers = await Promise.all(
      set.map(async (photo) => {
        const res = await fetch(`${url}/api/v1/photos`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'accept-language': 'en' },
          body: photo.data,
        }).catch((e: unknown) => ({ status: 0, json: () => Promise.resolve({ error: { code: String(e) } }) }));
        const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { code?: string; message?: string } };
        return { photo, status: res.status, body };
      }),
    );
    // Accepted photos are rendered by the worker in the same process: the peak includes that too.
    const accepted = answers.filter((a) => a.status === 201 && a.body.id);
    const outcomes = new Map<string, string>();
    await until(
      async () => {
        for (const a of accepted) {
          if (outcomes.has(a.body.id!)) continue;
          const r = await fetch(`${url}/api/v1/photos/${a.body.id!}`, { headers: { authorization: `Bearer ${token}` } });
          const view = (await r.json()) as { status?: string };
          if (view.status === 'ready' || view.status === 'failed') outcomes.set(a.body.id!, view.status);
        }
        return outcomes.size === accepted.length;
      },
      600_000,
      'the accepted photos to be rendered',
    );
    const peak = peakRssMb(child.pid!);

    let unexpected = 0;
    for (const a of answers) {
      const got = a.status === 201 ? `201 ${outcomes.get(a.body.id!) ?? ''}` : `${String(a.status)} ${a.body.error?.code ?? ''}`;
      const ok = a.status === a.photo.status && (a.status === 201 ? outcomes.get(a.body.id!) === 'ready' : a.body.error?.code === a.photo.code);
      if (!ok) unexpected++;
      console.log(`  ${ok ? ' ' : '!'} ${a.photo.name}: ${got}${ok ? '' : ` (expected ${String(a.photo.status)} ${a.photo.code ?? 'ready'})`}`);
    }
    console.log(`peak RSS of the one-process server: ${peak.toFixed(0)} MB (goal ≤ ${String(GOAL_MB)} MB); ${String(unexpected)} unexpected answers`);
    return [
      {
        figure: 'peak RSS, one process, hostile photos at once',
        baseline: `${idle.toFixed(0)} MB idle`,
        siaran: `${peak.toFixed(0)} MB`,
        ratio: '—',
        goal: `≤ ${String(GOAL_MB)} MB, every answer as expected${unexpected > 0 ? ` (${String(unexpected)} not)` : ''}`,
        command: 'npm run bench -- media-hostile',
      },
    ];
  } finally {
    await stopProcess(child);
    await installation.cleanup();
  }
}
