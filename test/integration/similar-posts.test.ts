// Posts nearly the same across two Polres of one Polda: a press release copied with its unit's name changed,
// and the same photo re-saved smaller. The author of the second and the approvers are warned, with links as far
// as each may see; another Polda's copy, and a post that merely shares a few words, are not named.
import sharp from 'sharp';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, waitFor } from '../support/harness';
import { signIn } from '../support/web-session';
import { addUnit } from '../../services/units/unit.repository';
import { createToken } from '../../services/users/token.repository';
import { addUser } from '../../services/users/user.repository';
import { channelsOfUnit } from '../../services/channels/channel.repository';

let h: Harness;
let world: World;
/** A second Polres of Polda Lampung, with its own operator and Kasi Humas. */
let lambar: { unitId: string; operator: string; supervisor: string; newsPage: string };

const RELEASE = (unit: string) =>
  `${unit} melaksanakan kegiatan Jumat Curhat bersama warga di balai desa. Dalam kegiatan tersebut Kapolres mendengarkan keluhan masyarakat ` +
  'terkait keamanan lingkungan, peredaran narkoba dan balap liar, serta mengajak warga aktif melapor melalui layanan 110 yang gratis dan siaga 24 jam.';

beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  const polda = await db.selectFrom('units').select('slug').where('id', '=', world.units.polda).executeTakeFirstOrThrow();
  const unit = await addUnit(db, { slug: `polres-lambar-${world.units.polda.slice(0, 6)}`, name: 'Polres Lampung Barat', parentSlug: polda.slug, timeZone: 'Asia/Jakarta' });
  const mk = async (name: string, role: 'operator' | 'supervisor') => {
    const user = await addUser(db, { email: `${name}.${unit.id.slice(0, 6)}@test.siaran`, name, unitSlug: unit.slug, role });
    return (await createToken(db, user.id, { label: 'test', days: 1 })).token;
  };
  lambar = {
    unitId: unit.id,
    operator: await mk('operator-lambar', 'operator'),
    supervisor: await mk('kasihumas-lambar', 'supervisor'),
    newsPage: (await channelsOfUnit(db, unit.id)).find((c) => c.kind === 'news_page')!.id,
  };
});
afterAll(() => h.close());

/** A photo with some structure (a difference hash of a flat colour says nothing): gradients and blocks from `seed`. */
async function scene(seed: number, width = 1600, height = 1000): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const block = ((Math.floor(x / (200 + seed * 37)) + Math.floor(y / (150 + seed * 23))) % 2) * 90;
      raw[i] = (x * 255) / width / 2 + block;
      raw[i + 1] = ((y * 255) / height + seed * 40) % 200;
      raw[i + 2] = block + seed * 20;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

async function submitted(token: string, channel: string, post: { title: string; body: string }, photo?: Buffer): Promise<{ id: string; similar: Array<Record<string, unknown>> }> {
  const author = client(h.url, token);
  const created = await author('POST', '/api/v1/posts', { ...post, channelIds: [channel], scheduledAt: inSeconds(7200) });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  if (photo) {
    const up = await fetch(`${h.url}/api/v1/photos?postId=${id}&alt=${encodeURIComponent('Kegiatan bersama warga')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
      body: photo,
    });
    expect(up.status).toBe(201);
    await waitFor('renditions', async () => (await author('GET', `/api/v1/photos?postId=${id}`)).body.photos.every((x: { status: string }) => x.status === 'ready'), 30_000);
  }
  const done = await author('POST', `/api/v1/posts/${id}/submit`);
  expect(done.status).toBe(200);
  return { id, similar: done.body.similar };
}

test('a press release copied by a second Polres is named to its author (unit and state only) and to the Polda (with its link)', async () => {
  const first = await submitted(world.tokens.operator, world.newsPage.polres, { title: 'Jumat Curhat Polres Tulangbawang Barat', body: RELEASE('Polres Tulangbawang Barat') });
  expect(first.similar).toEqual([]);
  // The other Polda's copy, and a post of this Polda that shares a few words only, are not "nearly the same".
  await submitted(world.tokens.otherOperator, (await channelsOfUnit(h.siaran.database.db, world.units.other)).find((c) => c.kind === 'news_page')!.id, {
    title: 'Jumat Curhat Polres Halmahera Utara',
    body: RELEASE('Polres Halmahera Utara'),
  });
  const unrelated = await submitted(world.tokens.operator, world.newsPage.polres, {
    title: 'Patroli malam',
    body: 'Polres Tulangbawang Barat melaksanakan patroli malam di pasar dan terminal untuk mencegah balap liar, sekaligus membagikan masker kepada pedagang.',
  });
  expect(unrelated.similar.map((s) => s.postId)).not.toContain(first.id);

  const copy = await submitted(lambar.operator, lambar.newsPage, { title: 'Jumat Curhat Polres Lampung Barat', body: RELEASE('Polres Lampung Barat') });
  // Another Polres' post waiting for approval is not this operator's to read: named by its unit alone, with no id,
  // title, time or measure (a measure would let one probe its text by submitting variations of a guess).
  expect(copy.similar).toEqual([{ unitName: 'Polres Tulangbawang Barat', postId: null, status: null, statusLabel: null, title: null, href: null, submittedAt: null, textSimilarity: null, samePhoto: null }]);

  // The Kabid Humas of the Polda sees both, each with its link, from either side.
  const kabid = client(h.url, world.tokens.poldaSupervisor);
  const fromCopy = (await kabid('GET', `/api/v1/posts/${copy.id}/similar`)).body.similar;
  expect(fromCopy).toEqual([expect.objectContaining({ postId: first.id, title: 'Jumat Curhat Polres Tulangbawang Barat', href: `/posts/${first.id}`, status: 'pending_approval', samePhoto: false })]);
  expect(fromCopy[0].textSimilarity).toBeGreaterThanOrEqual(0.5);
  expect(fromCopy[0].textSimilarity).toBeLessThan(1);
  const fromFirst = (await kabid('GET', `/api/v1/posts/${first.id}/similar`)).body.similar;
  expect(fromFirst).toEqual([expect.objectContaining({ postId: copy.id, title: 'Jumat Curhat Polres Lampung Barat', href: `/posts/${copy.id}` })]);
  // A post changed while it waits is compared as it now reads: the unrelated one, edited into a copy, is named.
  const edited = await client(h.url, world.tokens.operator)('PATCH', `/api/v1/posts/${unrelated.id}`, { body: RELEASE('Polres Tulangbawang Barat') });
  expect(edited.status).toBe(200);
  expect(edited.body.status).toBe('pending_approval');
  expect((await kabid('GET', `/api/v1/posts/${unrelated.id}/similar`)).body.similar.map((s: { postId: string }) => s.postId)).toEqual(expect.arrayContaining([first.id, copy.id]));
  // The other Polda's Kasi Humas may not ask about a post out of reach.
  expect((await client(h.url, world.tokens.otherSupervisor)('GET', `/api/v1/posts/${copy.id}/similar`)).status).toBe(404);

  // On the page the Kabid Humas approves from, the warning links to the first post.
  const page = await (await fetch(`${h.url}/posts/${copy.id}`, { headers: { cookie: await signIn({ h, world }, 'poldaSupervisor') } })).text();
  expect(page).toMatch(/<div class="finding warn" role="note" data-similar><strong>Mirip dengan pos lain di Polda ini \(30 hari terakhir\)\.<\/strong>/);
  expect(page).toMatch(new RegExp(`<li data-similar-post="${first.id}"><a href="/posts/${first.id}">Jumat Curhat Polres Tulangbawang Barat</a> — Polres Tulangbawang Barat · Menunggu persetujuan · diajukan [^<]+ · <strong>teks \\d+% sama</strong></li>`));
}, 60_000);

test('the same photo, re-saved smaller and brighter, is named though the texts differ; another photo is not', async () => {
  const original = await scene(1);
  // Smaller, a little brighter, compressed harder: as a second unit's operator would receive it over WhatsApp.
  const resaved = await sharp(original).resize({ width: 1100 }).modulate({ brightness: 1.1 }).jpeg({ quality: 60 }).toBuffer();
  const first = await submitted(world.tokens.operator, world.newsPage.polres, { title: 'Bakti sosial', body: 'Polres membagikan sembako.' }, original);
  const other = await submitted(world.tokens.operator, world.newsPage.polres, { title: 'Olahraga bersama', body: 'Senam pagi bersama warga.' }, await scene(4));
  const copy = await submitted(lambar.operator, lambar.newsPage, { title: 'Kegiatan Polres Lampung Barat', body: 'Berbagi dengan warga yang membutuhkan.' }, resaved);
  // Its author is told a post of Polres Tulangbawang Barat is nearly the same; the Kabid Humas sees which and why.
  expect(copy.similar).toEqual([expect.objectContaining({ unitName: 'Polres Tulangbawang Barat', postId: null })]);
  const seen = (await client(h.url, world.tokens.poldaSupervisor)('GET', `/api/v1/posts/${copy.id}/similar`)).body.similar as Array<{ postId: string }>;
  const named = seen.map((s) => s.postId);
  expect(named).toContain(first.id);
  expect(named).not.toContain(other.id);
  expect(seen.find((s) => s.postId === first.id)).toMatchObject({ samePhoto: true, textSimilarity: null, unitName: 'Polres Tulangbawang Barat' });
}, 60_000);
