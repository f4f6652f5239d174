// An approval is a promise that what goes out is what was seen. Tried as a hostile or careless operator
// and supervisor would: every part that goes out is in the version approved, and nobody approves their own work.
import { type Harness, type World, client, inSeconds, startHarness, seedWorld, waitFor } from './../support/harness';
import { photo } from '../support/platforms';
import { signIn } from '../support/web-session';
import { createToken } from '../../services/users/token.repository';

let h: Harness;
let world: World;
beforeAll(async () => {
  h = await startHarness({ PUBLISH_LATE_WINDOW_SECONDS: '3' });
  world = await seedWorld(h.siaran.database.db);
});
afterAll(() => h.close());

const api = (token: string) => client(h.url, token);

async function draft(extra: Record<string, unknown> = {}) {
  const r = await api(world.tokens.operator)('POST', '/api/v1/posts', { title: 'Patroli malam', body: 'Patroli malam di Tumijajar.', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(3600), ...extra });
  expect(r.status).toBe(201);
  return r.body as { id: string; version: number };
}

async function upload(postId: string, alt: string) {
  const r = await fetch(`${h.url}/api/v1/photos?postId=${postId}&alt=${encodeURIComponent(alt)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.tokens.operator}`, 'content-type': 'image/jpeg' },
    body: await photo(),
  });
  return { status: r.status, body: (await r.json()) as any };
}

test('an approval names the version it approves; without one nothing is approved', async () => {
  const post = await draft();
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  const none = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, {});
  expect(none.status).toBe(422);
  expect(none.body.error.code).toBe('request.invalid');
  expect((await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: submitted.body.version })).status).toBe(200);
});

test('a channel text changed after the supervisor read the post: the approval of what was read is refused', async () => {
  const webhookLike = world.newsPage.polres;
  const post = await draft();
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  const seen = submitted.body.version as number;
  const changed = await api(world.tokens.operator)('PATCH', `/api/v1/posts/${post.id}`, { variants: { [webhookLike]: 'Teks lain untuk halaman berita.' } });
  expect(changed.body.status).toBe('pending_approval');
  expect(changed.body.version).toBe(seen + 1);
  const stale = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: seen });
  expect(stale.status).toBe(409);
  expect(stale.body.error.code).toBe('post.version_conflict');
  // The post's answer shows the channel's own text, as the page does.
  expect((await api(world.tokens.supervisor)('GET', `/api/v1/posts/${post.id}`)).body.variants[webhookLike]).toBe('Teks lain untuk halaman berita.');
});

test('a photo swapped, re-described or reordered after the supervisor opened the post is a new version', async () => {
  const post = await draft();
  const first = await upload(post.id, 'Patroli di pasar');
  expect(first.status).toBe(201);
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  let seen = submitted.body.version as number;

  const swap = async (what: () => Promise<unknown>) => {
    await what();
    const now = (await api(world.tokens.supervisor)('GET', `/api/v1/posts/${post.id}`)).body;
    expect(now.version).toBeGreaterThan(seen);
    expect(now.status).toBe('pending_approval');
    const stale = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: seen });
    expect(stale.status).toBe(409);
    seen = now.version;
  };
  await swap(() => api(world.tokens.operator)('PATCH', `/api/v1/photos/${first.body.id}`, { altText: 'Foto lain' }));
  let second = { body: { id: '' } };
  await swap(async () => (second = await upload(post.id, 'Foto kedua')));
  await swap(() => api(world.tokens.operator)('PATCH', `/api/v1/photos/${second.body.id}`, { position: 0 }));
  await swap(() => api(world.tokens.operator)('DELETE', `/api/v1/photos/${first.body.id}`));
  await swap(() => api(world.tokens.operator)('PATCH', `/api/v1/photos/${second.body.id}`, { fit: 'pad' }));
  const history = (await api(world.tokens.supervisor)('GET', `/api/v1/posts/${post.id}/history`)).body.events.map((e: { type: string }) => e.type);
  expect(history).toEqual(expect.arrayContaining(['photo_added', 'photo_changed', 'photo_removed']));
});

test('a NIK or a mobile number in a photo description is refused at submit and at approval', async () => {
  const post = await draft();
  await upload(post.id, 'Tersangka Budi, NIK 1871012345678901, HP 0812-3456-7890');
  const submit = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  expect(submit.status).toBe(422);
  const fields = submit.body.error.details.findings.map((f: { code: string; field: string }) => `${f.code}@${f.field}`);
  expect(fields).toEqual(expect.arrayContaining(['personal_data.nik@photos.0.altText', 'personal_data.phone@photos.0.altText']));
});

test('a supervisor who rewrote a post cannot approve it; another supervisor can', async () => {
  const post = await draft();
  await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  const rewritten = await api(world.tokens.supervisor)('PATCH', `/api/v1/posts/${post.id}`, { body: 'Versi supervisor: patroli malam di Tumijajar bersama warga.' });
  expect(rewritten.status).toBe(200);
  const own = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: rewritten.body.version });
  expect(own.status).toBe(403);
  expect(own.body.error.details.findings.map((f: { code: string }) => f.code)).toEqual(['approval.own_change']);
  // Changing only a photo's description is a change too.
  const other = await draft();
  await upload(other.id, 'Patroli');
  await api(world.tokens.operator)('POST', `/api/v1/posts/${other.id}/submit`);
  const photos = (await api(world.tokens.supervisor)('GET', `/api/v1/photos?postId=${other.id}`)).body.photos;
  await api(world.tokens.supervisor)('PATCH', `/api/v1/photos/${photos[0].id}`, { altText: 'Disunting supervisor' });
  const v = (await api(world.tokens.supervisor)('GET', `/api/v1/posts/${other.id}`)).body.version;
  expect((await api(world.tokens.supervisor)('POST', `/api/v1/posts/${other.id}/approve`, { expectedVersion: v })).status).toBe(403);
  // The Polda's supervisor, who changed nothing, may.
  expect((await api(world.tokens.poldaSupervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: rewritten.body.version })).status).toBe(200);
});

test('a post held back by a paused unit does not go out late on its own: it waits for a supervisor to release it', async () => {
  const cookie = await signIn({ h, world }, 'admin');
  const pause = async (paused: boolean) => {
    const page = await (await fetch(`${h.url}/admin`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const r = await fetch(`${h.url}/admin/units/${world.units.polres}/pause`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, paused: String(paused) }).toString(),
    });
    expect(r.status).toBe(200);
  };
  await pause(true);
  const at = Date.now() + 4000;
  const post = await draft({ scheduledAt: new Date(at).toISOString() });
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  expect((await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: submitted.body.version })).status).toBe(200);
  // Past its time and past the 3-second window, the unit resumes.
  await new Promise((r) => setTimeout(r, Math.max(0, at + 4000 - Date.now())));
  await pause(false);
  const held = await waitFor('the late hold', async () => {
    const p = (await api(world.tokens.supervisor)('GET', `/api/v1/posts/${post.id}`)).body;
    return p.targets[0].heldReason === 'post.late' ? p : undefined;
  });
  expect(held.targets[0].status).toBe('held');
  const news = () => h.siaran.database.db.selectFrom('news_items').select('post_id').where('post_id', '=', post.id).execute();
  expect(await news()).toHaveLength(0);
  expect((await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/targets/${held.targets[0].id}/release`, {})).status).toBe(200);
  await waitFor('publication', async () => (await api(world.tokens.supervisor)('GET', `/api/v1/posts/${post.id}`)).body.status === 'published');
  expect(await news()).toHaveLength(1);
}, 60_000);

test('a NIK typed, autosaved and removed before submission leaves no digit in the history, its API or its page', async () => {
  const operator = api(world.tokens.operator);
  const nik = '1871012345678901';
  const post = await draft({ body: `Pelapor dengan NIK ${nik} datang ke SPKT.` });
  // The compose page saves as the operator types: many saves, one person.
  for (const body of [`Pelapor dengan NIK ${nik} datang ke SPKT Polres.`, `Pelapor dengan NIK ${nik.slice(0, 8)} datang ke SPKT Polres.`, 'Pelapor datang ke SPKT Polres Tulangbawang Barat.']) {
    const saved = await operator('PATCH', `/api/v1/posts/${post.id}`, { body });
    expect(saved.status).toBe(200);
  }
  const history = await operator('GET', `/api/v1/posts/${post.id}/history`);
  // Saving a draft does not copy it into the history each time.
  expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['created']);
  const submitted = await operator('POST', `/api/v1/posts/${post.id}/submit`);
  expect(submitted.status).toBe(200);
  const after = await api(world.tokens.poldaSupervisor)('GET', `/api/v1/posts/${post.id}/history`);
  const text = JSON.stringify(after.body);
  expect(text).not.toContain(nik);
  expect(text).not.toContain(nik.slice(0, 8));
  // The creation's masked text says a NIK was there, in its place.
  expect(after.body.events[0].data.after.body).toBe(`Pelapor dengan NIK ${'•'.repeat(nik.length)} datang ke SPKT.`);
  const cookie = await signIn({ h, world }, 'poldaSupervisor');
  const page = await (await fetch(`${h.url}/posts/${post.id}`, { headers: { cookie } })).text();
  expect(page).not.toContain(nik);
  expect(page).not.toContain(nik.slice(0, 8));
  // Nor does the database keep it anywhere in the post's events.
  const rows = await h.siaran.database.db.selectFrom('post_events').select('data').where('post_id', '=', post.id).execute();
  expect(JSON.stringify(rows)).not.toContain(nik.slice(0, 8));
});

test('a warning may be overridden with a reason, which the history keeps; a block may not', async () => {
  const post = await draft({ body: 'Pengaduan dapat dikirim ke humas@lampung.polri.go.id setiap hari kerja.' });
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  expect(submitted.status).toBe(200);
  const bare = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: submitted.body.version });
  expect(bare.status).toBe(422);
  expect(bare.body.error.code).toBe('approval.warnings_need_reason');
  expect(bare.body.error.details.findings.map((f: { code: string }) => f.code)).toEqual(['personal_data.email_official']);
  const ok = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, {
    expectedVersion: submitted.body.version,
    overrides: [{ code: 'personal_data.email_official', reason: 'Alamat resmi layanan pengaduan Polda.' }],
  });
  expect(ok.status).toBe(200);
  const approved = (await api(world.tokens.supervisor)('GET', `/api/v1/posts/${post.id}/history`)).body.events.find((e: { type: string }) => e.type === 'approved');
  expect(approved.data.overrides).toEqual([{ code: 'personal_data.email_official', field: 'body', reason: 'Alamat resmi layanan pengaduan Polda.' }]);

  // A block is not the supervisor's to lift: a NIK written in by an edit stops the approval whatever the reason.
  const other = await draft();
  await api(world.tokens.operator)('POST', `/api/v1/posts/${other.id}/submit`);
  const edited = await api(world.tokens.operator)('PATCH', `/api/v1/posts/${other.id}`, { body: 'NIK 1871012345678901 ikut tertulis.' });
  const blocked = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${other.id}/approve`, { expectedVersion: edited.body.version, overrides: [{ code: 'personal_data.nik', reason: 'Sudah izin.' }] });
  expect(blocked.status).toBe(422);
  expect(blocked.body.error.code).toBe('post.blocked_by_findings');
});

/** The held supervisor's token, made after the admin's reset revoked the old ones. */
let heldToken: string;

test('an account an admin handed a password to cannot approve: the admin cannot become an approver', async () => {
  const post = await draft();
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  const cookie = await signIn({ h, world }, 'admin');
  const adminPage = await (await fetch(`${h.url}/admin`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(adminPage)![1]!;
  const reset = await fetch(`${h.url}/admin/users/${world.users.poldaSupervisor}/reset`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf }).toString(),
  });
  expect(reset.status).toBe(200);
  // The reset revoked the tokens made with the old password: whoever holds the handed password makes a new one.
  expect((await api(world.tokens.poldaSupervisor)('GET', '/api/v1/me')).status).toBe(401);
  heldToken = (await createToken(h.siaran.database.db, world.users.poldaSupervisor, { label: 'after the reset', days: 1 })).token;
  const refused = await api(heldToken)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: submitted.body.version });
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('approval.after_handed_password');
  // Another supervisor is not held.
  expect((await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: submitted.body.version })).status).toBe(200);
});

test('a supervisor held after a handed password cannot keep an approval by moving the time: the post goes back for review', async () => {
  // poldaSupervisor's password was handed over by the admin in the test above.
  const post = await draft();
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  expect((await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: submitted.body.version })).status).toBe(200);
  const moved = await api(heldToken)('POST', `/api/v1/posts/${post.id}/reschedule`, { scheduledAt: inSeconds(7200) });
  expect(moved.status).toBe(200);
  expect(moved.body.status).toBe('pending_approval');
  // The review page says why this reader may not approve (once they chose their own password, the hold still runs).
  await h.siaran.database.db.updateTable('users').set({ password_must_change: false }).where('id', '=', world.users.poldaSupervisor).execute();
  const cookie = await signIn({ h, world }, 'poldaSupervisor');
  const page = await (await fetch(`${h.url}/posts/${post.id}`, { headers: { cookie } })).text();
  expect(page).toContain('data-code="approval.after_handed_password"');
});

test('a photo a supervisor uploaded makes them part of the post, even when the operator attached it', async () => {
  const post = await draft();
  const loose = await fetch(`${h.url}/api/v1/photos?alt=${encodeURIComponent('Foto dari supervisor')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.tokens.supervisor}`, 'content-type': 'image/jpeg' },
    body: await photo(),
  });
  expect(loose.status).toBe(201);
  const photoId = ((await loose.json()) as { id: string }).id;
  const attached = await api(world.tokens.operator)('PATCH', `/api/v1/photos/${photoId}`, { postId: post.id });
  expect(attached.status).toBe(200);
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  const own = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: submitted.body.version });
  expect(own.status).toBe(403);
  expect(own.body.error.details.findings.map((f: { code: string }) => f.code)).toEqual(['approval.own_change']);
});

test('an admin cannot change their own role or unit: another admin does', async () => {
  const cookie = await signIn({ h, world }, 'admin');
  const adminPage = await (await fetch(`${h.url}/admin`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(adminPage)![1]!;
  const r = await fetch(`${h.url}/admin/users/${world.users.admin}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, role: 'supervisor', unitId: world.units.polda }).toString(),
  });
  expect(r.status).toBe(409);
  expect(await r.text()).toContain('Tidak dapat mengubah peran atau satuan akun sendiri');
  const row = await h.siaran.database.db.selectFrom('users').select('role').where('id', '=', world.users.admin).executeTakeFirstOrThrow();
  expect(row.role).toBe('admin');
});

test('a new unit watermark re-renders the photos of a post awaiting approval: a new version the supervisor must look at again', async () => {
  const post = await draft();
  expect((await upload(post.id, 'Patroli')).status).toBe(201);
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  const sharp = (await import('sharp')).default;
  const logo = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 1 } } }).png().toBuffer();
  const set = await fetch(`${h.url}/api/v1/units/${world.units.polres}/watermark`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${world.tokens.admin}`, 'content-type': 'image/png' },
    body: logo,
  });
  expect(set.status).toBe(200);
  const stale = await api(world.tokens.supervisor)('POST', `/api/v1/posts/${post.id}/approve`, { expectedVersion: submitted.body.version });
  expect(stale.status).toBe(409);
  expect(stale.body.error.code).toBe('post.version_conflict');
  await fetch(`${h.url}/api/v1/units/${world.units.polres}/watermark`, { method: 'DELETE', headers: { authorization: `Bearer ${world.tokens.admin}` } });
});

test('on the page, a reason of one keystroke does not override a warning', async () => {
  const post = await draft({ body: 'Pengaduan dapat dikirim ke humas@lampung.polri.go.id setiap hari kerja.' });
  const submitted = await api(world.tokens.operator)('POST', `/api/v1/posts/${post.id}/submit`);
  const cookie = await signIn({ h, world }, 'supervisor');
  const page = await (await fetch(`${h.url}/posts/${post.id}`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  const r = await fetch(`${h.url}/posts/${post.id}/approve`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, version: String(submitted.body.version), 'override:personal_data.email_official': 'x' }).toString(),
  });
  expect(r.status).toBe(422);
  expect(await r.text()).toContain('minimal 3 huruf');
  expect((await api(world.tokens.supervisor)('GET', `/api/v1/posts/${post.id}`)).body.status).toBe('pending_approval');
});
