// Who is told what: in the app, and by e-mail through a real SMTP server on 127.0.0.1, exactly once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { loadEnv } from '../../config/env';
import { type Database, migrateToLatest, openDatabase } from '../../services/storage/database';
import type { DB } from '../../services/storage/schema';
import { type Harness, type WebhookWorld, type World, addWebhook, client, dropTestState, inSeconds, seedWorld, startHarness, startWithWebhook, testEnv, waitFor } from '../support/harness';
import { spawnSiaran } from '../support/processes';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { signIn } from '../support/web-session';
import { startReceiver } from '../support/webhook-receiver';
import { NotifyQueue } from '../../workers/queue/notify-queue';

const SECRET = 'notify-webhook-secret-0123';

async function rows(db: Kysely<DB>, where: { userId?: string; postId?: string; kind?: string }) {
  let q = db.selectFrom('notifications').selectAll();
  if (where.userId) q = q.where('user_id', '=', where.userId);
  if (where.postId) q = q.where('post_id', '=', where.postId);
  if (where.kind) q = q.where('kind', '=', where.kind);
  return q.orderBy('created_at').execute();
}

async function emailOf(db: Kysely<DB>, userId: string): Promise<string> {
  return (await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow()).email;
}

describe('notifications with e-mail', () => {
  let env: WebhookWorld;
  let h: Harness;
  let world: World;
  let smtp: SmtpSink;
  let db: Kysely<DB>;
  let base: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    env = await startWithWebhook(SECRET, {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_FROM: 'Siaran <siaran@test.siaran>',
      NOTIFY_SWEEP_SECONDS: '1',
      EMAIL_BACKOFF_MS: '200',
      PUBLIC_BASE_URL: 'https://humas.test.siaran',
    });
    ({ h, world } = env);
    db = h.siaran.database.db;
    base = h.siaran.baseUrl();
  });
  afterAll(async () => {
    await env.close();
    await smtp.close();
  });

  const mailsTo = async (userId: string, subjectHas: string) => {
    const address = await emailOf(db, userId);
    return smtp.mails.filter((m) => m.to.includes(address) && m.subject.includes(subjectHas));
  };
  const waitMail = async (userId: string, subjectHas: string) => waitFor(`an e-mail "${subjectHas}"`, async () => (await mailsTo(userId, subjectHas))[0]);

  const draft = async (title: string, channelIds: string[], inS = 7200) => {
    const r = await client(h.url, world.tokens.operator)('POST', '/api/v1/posts', { title, body: `${title}: isi pos.`, channelIds, scheduledAt: inSeconds(inS) });
    expect(r.status).toBe(201);
    return r.body as { id: string; version: number };
  };
  const submit = async (id: string) => {
    const r = await client(h.url, world.tokens.operator)('POST', `/api/v1/posts/${id}/submit`);
    expect(r.status).toBe(200);
    return r.body as { id: string; version: number };
  };

  test('a submitted post tells the supervisors within reach (in the app and by e-mail, Indonesian then English, with the link), not those of another unit', async () => {
    const post = await submit((await draft('Jumat Curhat di Tulang Bawang Barat', [world.newsPage.polres])).id);
    const told = await rows(db, { postId: post.id, kind: 'post.submitted' });
    expect(told.map((n) => n.user_id).sort()).toEqual([world.users.supervisor, world.users.poldaSupervisor].sort());
    const mail = await waitMail(world.users.supervisor, 'Jumat Curhat');
    expect(mail.subject).toContain('Menunggu persetujuan Anda');
    expect(mail.text).toContain(`${base}/posts/${post.id}`);
    expect(mail.text.indexOf('Menunggu persetujuan')).toBeLessThan(mail.text.indexOf('Waiting for your approval'));
    expect(mail.text).toContain('<a href=');
    await waitMail(world.users.poldaSupervisor, 'Jumat Curhat');
    expect(await rows(db, { userId: world.users.otherSupervisor })).toHaveLength(0);
    expect(await mailsTo(world.users.otherSupervisor, 'Jumat Curhat')).toHaveLength(0);
    await waitFor('the e-mails marked sent', async () => (await rows(db, { postId: post.id, kind: 'post.submitted' })).every((n) => n.email === 'sent'));
  });

  test('the author hears of the approval with the note, then of the publication with the links that went out', async () => {
    const post = await submit((await draft('Bakti Sosial Polres', [world.newsPage.polres, env.webhookId], 4)).id);
    const approved = await client(h.url, world.tokens.poldaSupervisor)('POST', `/api/v1/posts/${post.id}/approve`, { note: 'Bagus, lanjutkan.', expectedVersion: post.version });
    expect(approved.status).toBe(200);
    const approval = await waitMail(world.users.operator, 'Disetujui: "Bakti Sosial Polres"');
    expect(approval.text).toContain('Bagus, lanjutkan.');
    expect(approval.text).toContain(`${base}/posts/${post.id}`);

    const published = await waitMail(world.users.operator, 'Terbit: "Bakti Sosial Polres"');
    const targets = await db.selectFrom('post_targets').select('external_url').where('post_id', '=', post.id).execute();
    for (const t of targets) if (t.external_url) expect(published.text).toContain(t.external_url);
    const inApp = await rows(db, { postId: post.id, kind: 'post.published' });
    expect(inApp).toHaveLength(1);
    expect(inApp[0]!.user_id).toBe(world.users.operator);
  });

  test('an approved post that its author edits goes back to the supervisors, who are told again', async () => {
    const post = await submit((await draft('Donor Darah Bhayangkara', [world.newsPage.polres])).id);
    const approved = await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: post.version });
    expect(approved.status).toBe(200);
    const edited = await client(h.url, world.tokens.operator)('PATCH', `/api/v1/posts/${post.id}`, { body: 'Isi yang diperbaiki.', expectedVersion: approved.body.version });
    expect(edited.status).toBe(200);
    expect(edited.body.status).toBe('pending_approval');
    const told = await rows(db, { postId: post.id, kind: 'post.submitted', userId: world.users.supervisor });
    expect(told).toHaveLength(2);
    await waitFor('both e-mails', async () => ((await mailsTo(world.users.supervisor, 'Donor Darah Bhayangkara')).length === 2) || undefined);
  });

  test('the author hears of a rejection with the supervisor\'s note', async () => {
    const post = await submit((await draft('Sosialisasi Kamtibmas', [world.newsPage.polres])).id);
    const r = await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/reject`, { note: 'Foto kurang jelas, ganti.' });
    expect(r.status).toBe(200);
    const mail = await waitMail(world.users.operator, 'Ditolak: "Sosialisasi Kamtibmas"');
    expect(mail.text).toContain('Foto kurang jelas, ganti.');
    expect(await rows(db, { postId: post.id, kind: 'post.rejected' })).toHaveLength(1);
  });

  test('the author hears of a failed publication, with what the platform said', async () => {
    const receiver = await startReceiver(SECRET);
    try {
      const webhook = await addWebhook(db, world.units.polres, receiver.url, SECRET);
      receiver.behave(400);
      const post = await submit((await draft('Patroli Malam', [webhook], 4)).id);
      expect((await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: post.version })).status).toBe(200);
      const mail = await waitMail(world.users.operator, 'Gagal terbit: "Patroli Malam"');
      // The e-mail leaves the installation: it says which channel failed, in words, not what the receiver answered.
      expect(mail.text).toContain('Gagal');
      expect(mail.text).not.toContain('HTTP 400');
      const page = await (await fetch(`${h.url}/notifications`, { headers: { cookie: await signIn(env, 'operator') } })).text();
      expect(page).toContain('HTTP 400');
      expect(await rows(db, { postId: post.id, kind: 'post.failed' })).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  test('the admins of the unit hear when a channel needs reconnecting, once for those credentials', async () => {
    const receiver = await startReceiver(SECRET);
    try {
      const webhook = await addWebhook(db, world.units.polres, receiver.url, SECRET);
      receiver.behave(401);
      const post = await submit((await draft('Pengamanan Ibadah', [webhook], 4)).id);
      expect((await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: post.version })).status).toBe(200);
      const mail = await waitMail(world.users.admin, 'Kanal perlu disambungkan ulang');
      expect(mail.text).toContain(`${base}/admin`);
      const told = await db.selectFrom('notifications').selectAll().where('channel_id', '=', webhook).execute();
      expect(told.map((n) => n.user_id)).toEqual([world.users.admin]);
    } finally {
      await receiver.close();
    }
  });

  test('a post still waiting shortly before its time reminds its supervisors, once', async () => {
    const post = await submit((await draft('Pelayanan SIM Keliling', [world.newsPage.polres], 1800)).id);
    const reminded = await waitFor('the reminder', async () => {
      const r = await rows(db, { postId: post.id, kind: 'post.expiring' });
      return r.length === 2 ? r : undefined;
    });
    expect(reminded.map((n) => n.user_id).sort()).toEqual([world.users.supervisor, world.users.poldaSupervisor].sort());
    await waitMail(world.users.supervisor, 'Segera kedaluwarsa');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await rows(db, { postId: post.id, kind: 'post.expiring' })).toHaveLength(2);
    expect(await mailsTo(world.users.supervisor, 'Pelayanan SIM Keliling')).toHaveLength(2);
  });

  test('a user who turned e-mail off on the account page still gets the notification in the app, and no e-mail', async () => {
    const cookie = await signIn(env, 'poldaSupervisor');
    const account = await (await fetch(`${h.url}/account`, { headers: { cookie } })).text();
    expect(account).toContain('Matikan e-mail');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(account)![1]!;
    const off = await fetch(`${h.url}/account/notifications`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, email: 'off' }).toString() });
    expect(off.status).toBe(303);
    try {
      const post = await submit((await draft('Razia Knalpot Brong', [world.newsPage.polres])).id);
      await waitMail(world.users.supervisor, 'Razia Knalpot Brong');
      const mine = await rows(db, { postId: post.id, userId: world.users.poldaSupervisor });
      expect(mine).toHaveLength(1);
      expect(mine[0]!.email).toBe('off');
      await new Promise((r) => setTimeout(r, 1500));
      expect(await mailsTo(world.users.poldaSupervisor, 'Razia Knalpot Brong')).toHaveLength(0);
    } finally {
      await db.updateTable('users').set({ email_notifications: true }).where('id', '=', world.users.poldaSupervisor).execute();
    }
  });

  test.each([
    ['answers 451 (try later) once', 451],
    ['closes the connection once (421)', 421],
  ])('when the SMTP server %s, the e-mail is tried again and arrives exactly once', async (_what, code) => {
    smtp.behave({ code, times: 1 });
    const before = smtp.attempts;
    const post = await submit((await draft(`Operasi Zebra ${String(code)}`, [world.newsPage.polres])).id);
    await waitFor('both e-mails sent', async () => {
      const r = await rows(db, { postId: post.id, kind: 'post.submitted' });
      return r.length === 2 && r.every((n) => n.email === 'sent');
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.attempts - before).toBe(3);
    expect(await mailsTo(world.users.supervisor, `Operasi Zebra ${String(code)}`)).toHaveLength(1);
    expect(await mailsTo(world.users.poldaSupervisor, `Operasi Zebra ${String(code)}`)).toHaveLength(1);
    const attempts = (await rows(db, { postId: post.id, kind: 'post.submitted' })).map((n) => n.email_attempts).sort();
    expect(attempts).toEqual([1, 2]);
  });

  test('a connection cut after the message was handed over leaves the e-mail unconfirmed, never sent a second time', async () => {
    smtp.behave('drop');
    try {
      const post = await submit((await draft('Razia Knalpot Brong', [world.newsPage.polres])).id);
      await waitFor('both e-mails settled', async () => {
        const r = await rows(db, { postId: post.id, kind: 'post.submitted' });
        return r.length === 2 && r.every((n) => n.email === 'unconfirmed');
      });
      // Nothing tries again: the server is not asked a second time, with the connection cut or not.
      const settled = smtp.attempts;
      smtp.behave('ok');
      await new Promise((r) => setTimeout(r, 1500));
      expect(smtp.attempts).toBe(settled);
      expect((await rows(db, { postId: post.id, kind: 'post.submitted' })).map((n) => n.email_attempts)).toEqual([1, 1]);
    } finally {
      smtp.behave('ok');
    }
  });

  test('once a post is approved, the others asked to approve it no longer count it unread; opening a post reads its notices', async () => {
    const post = await submit((await draft('Pengamanan Car Free Day', [world.newsPage.polres])).id);
    const unreadOf = async (userId: string) => (await rows(db, { postId: post.id, userId })).filter((n) => n.read_at === null).length;
    expect(await unreadOf(world.users.poldaSupervisor)).toBe(1);
    expect((await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: post.version })).status).toBe(200);
    expect(await unreadOf(world.users.poldaSupervisor)).toBe(0);
    // The author's "approved" notice is read when the author opens the post's page.
    expect(await unreadOf(world.users.operator)).toBe(1);
    await fetch(`${h.url}/posts/${post.id}`, { headers: { cookie: await signIn(env, 'operator') } });
    expect(await unreadOf(world.users.operator)).toBe(0);
  });

  test('a note quoting a NIK is kept and e-mailed masked, as the history keeps it', async () => {
    const post = await submit((await draft('Bakti Sosial Lansia', [world.newsPage.polres])).id);
    const r = await client(h.url, world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/reject`, { note: 'Hapus NIK 1871012345678901 dari foto.' });
    expect(r.status).toBe(200);
    const mail = await waitMail(world.users.operator, 'Ditolak: "Bakti Sosial Lansia"');
    expect(mail.text).not.toContain('1871012345678901');
    expect(mail.text).toMatch(/Hapus NIK \D/);
    const [row] = await rows(db, { postId: post.id, kind: 'post.rejected' });
    expect(JSON.stringify(row)).not.toContain('1871012345678901');
  });

  test('a claim left by a worker that stopped mid-send is marked unconfirmed and never sent again', async () => {
    const post = await submit((await draft('Ngopi Bareng Kamtibmas', [world.newsPage.polres])).id);
    await waitFor('sent', async () => (await rows(db, { postId: post.id, kind: 'post.submitted' })).every((n) => n.email === 'sent'));
    // What a worker killed between its claim and the SMTP server's answer leaves: the claim, and its job redelivered.
    const target = (await rows(db, { postId: post.id, userId: world.users.supervisor }))[0]!;
    await db.updateTable('notifications').set({ email: 'sending' }).where('id', '=', target.id).execute();
    const sent = smtp.mails.length;
    await h.siaran.notifications!.sweepNow();
    const queue = new NotifyQueue({ connection: { host: '127.0.0.1', port: 6379 }, prefix: h.prefix, attempts: 3, backoffMs: 200 });
    try {
      await queue.emailSoon([target.id]);
      await waitFor('unconfirmed', async () => (await rows(db, { postId: post.id, userId: world.users.supervisor }))[0]!.email === 'unconfirmed');
    } finally {
      await queue.close();
    }
    expect(smtp.mails.length).toBe(sent);
    // The person sees it on their page, beside the notification itself.
    const cookie = await signIn(env, 'supervisor');
    expect(await (await fetch(`${h.url}/notifications`, { headers: { cookie } })).text()).toContain('e-mail belum pasti terkirim');
  });

  test('the unread count in the menu, the notification page, mark read and mark all read', async () => {
    const cookie = await signIn(env, 'supervisor');
    const count = async () => Number(/class="badge unread"[^>]*>(\d+)</.exec(await (await fetch(`${h.url}/calendar`, { headers: { cookie } })).text())?.[1] ?? 0);
    const unread = await db.selectFrom('notifications').select('id').where('user_id', '=', world.users.supervisor).where('read_at', 'is', null).execute();
    expect(unread.length).toBeGreaterThan(1);
    expect(await count()).toBe(unread.length);

    const page = await (await fetch(`${h.url}/notifications`, { headers: { cookie } })).text();
    expect(page).toContain('Pemberitahuan');
    expect(page).toContain('Jumat Curhat di Tulang Bawang Barat');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const post = (path: string) => fetch(`${h.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf }).toString() });
    expect((await post(`/notifications/${unread[0]!.id}/read`)).status).toBe(303);
    expect(await count()).toBe(unread.length - 1);
    // Another person's notification is not theirs to mark.
    const others = await db.selectFrom('notifications').select('id').where('user_id', '=', world.users.operator).where('read_at', 'is', null).execute();
    await post(`/notifications/${others[0]!.id}/read`);
    expect((await db.selectFrom('notifications').select('read_at').where('id', '=', others[0]!.id).executeTakeFirstOrThrow()).read_at).toBeNull();
    expect((await post('/notifications/read-all')).status).toBe(303);
    expect(await count()).toBe(0);
    // A bad id is a 404, not a 500.
    expect((await post('/notifications/not-an-id/read')).status).toBe(404);
  });
});

describe('notifications with no SMTP server set', () => {
  let h: Harness;
  let world: World;

  beforeAll(async () => {
    h = await startHarness({ NOTIFY_SWEEP_SECONDS: '1' });
    world = await seedWorld(h.siaran.database.db);
  });
  afterAll(() => h.close());

  test('the notifications are written in the app, and no e-mail is sent', async () => {
    const operator = client(h.url, world.tokens.operator);
    const created = await operator('POST', '/api/v1/posts', { title: 'Tanpa Surel', body: 'Isi.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(7200) });
    const submitted = await operator('POST', `/api/v1/posts/${created.body.id as string}/submit`);
    expect(submitted.status).toBe(200);
    const db = h.siaran.database.db;
    const told = await rows(db, { postId: created.body.id as string });
    expect(told).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 2000));
    const after = await rows(db, { postId: created.body.id as string });
    expect(after.map((n) => n.email)).toEqual(['pending', 'pending']);
    // Nothing was queued to be e-mailed.
    const queue = new NotifyQueue({ connection: { host: '127.0.0.1', port: 6379 }, prefix: h.prefix, attempts: 3, backoffMs: 200 });
    try {
      for (const n of after) expect(await queue.hasEmailJob(n.id)).toBe(false);
    } finally {
      await queue.close();
    }
  });
});

describe('a worker killed while the SMTP server has the e-mail', () => {
  let dataDir: string;
  let rawEnv: Record<string, string>;
  let smtp: SmtpSink;

  const openTestDb = async (): Promise<Database> => {
    const env = loadEnv(rawEnv);
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR });
    await migrateToLatest(database, env.DATABASE_SCHEMA);
    return database;
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siaran-notify-crash-'));
    rawEnv = testEnv({
      DATA_DIR: dataDir,
      EMBEDDED_DB_IN_MEMORY: 'false',
      JOB_LOCK_MS: '1500',
      JOB_STALLED_CHECK_MS: '500',
      LOG_LEVEL: 'info',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_FROM: 'siaran@test.siaran',
      NOTIFY_SWEEP_SECONDS: '1',
      EMAIL_BACKOFF_MS: '200',
    });
  });
  afterAll(async () => {
    await smtp.close();
    await dropTestState(loadEnv(rawEnv));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('leaves the e-mail unconfirmed, and it is never sent a second time', async () => {
    let database = await openTestDb();
    const world = await seedWorld(database.db);
    await database.close();

    // The server takes the message and never answers: the worker is mid-send, its claim written.
    smtp.behave('hang');
    const first = spawnSiaran(rawEnv);
    const operator = client(await first.url, world.tokens.operator);
    const created = await operator('POST', '/api/v1/posts', { title: 'Uji Mati Mendadak', body: 'Isi.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(7200) });
    expect((await operator('POST', `/api/v1/posts/${created.body.id as string}/submit`)).status).toBe(200);
    await waitFor('both e-mails at the SMTP server', () => Promise.resolve(smtp.attempts >= 2 || undefined));
    await first.kill('SIGKILL');

    smtp.behave('ok');
    const second = spawnSiaran(rawEnv);
    await second.url;
    await waitFor('the stalled jobs resolved', () => Promise.resolve(second.logs.filter((l) => l.includes('marked unconfirmed, not sent again')).length >= 2 || undefined), 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await second.kill('SIGTERM')).toBe(0);

    expect(smtp.mails).toHaveLength(0);
    database = await openTestDb();
    try {
      const told = await rows(database.db, { postId: created.body.id as string });
      expect(told).toHaveLength(2);
      expect(told.map((n) => n.email)).toEqual(['unconfirmed', 'unconfirmed']);
      expect(told.map((n) => n.email_attempts)).toEqual([1, 1]);
    } finally {
      await database.close();
    }
  }, 90_000);
});
