// At most eight jobs of a process hold their photos' bytes at once; a ninth waits for a slot. What it read before
// the wait may be old when the slot frees: here its unit is paused meanwhile, and the job must see the pause, not
// publish on what it read before. Resumed, the post goes out once.
import pino from 'pino';
import { resumeUnitPublishing } from '../../../services/posts/schedule-post';
import { waitFor } from '../../support/harness';
import { type PlatformWorld, connectTelegram, photo, postOf, publishSoon, scheduledPost, settled, startWithPlatforms } from '../../support/platforms';

let p: PlatformWorld;
let channel: string;

beforeAll(async () => {
  // Telegram's answers wait up to 10 s here, so the eight held sends (6 s) leave the test time to pause the unit
  // while they are still in flight, however busy the machine (with 1.5 s against 2 s, a loaded run lost that race).
  p = await startWithPlatforms({ PLATFORM_TIMEOUT_MS: '10000' });
  channel = await connectTelegram(p);
});
afterAll(() => p.close());

const sentPhotos = () => p.tg.requests.filter((r) => r.path.endsWith('/sendPhoto')).length;

test('a job that waited for a photo slot reads its post again: a pause made meanwhile holds it', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 9; i++) {
    ids.push(await scheduledPost(p, { title: `Foto ${String(i)}`, body: `Kegiatan ke-${String(i)} Polres.`, channelIds: [channel], photos: [{ data: await photo(), alt: `Foto kegiatan ${String(i)}` }] }));
  }
  // The first eight sends are answered late (within the platform timeout): their jobs hold all eight slots meanwhile.
  p.tg.fault('POST /bot*/sendPhoto', { delayMs: 6000, times: 8 });
  for (const id of ids) await publishSoon(p, id, 2);
  await waitFor('eight photos on their way', () => Promise.resolve(sentPhotos() >= 8), 30_000);
  const db = p.h.siaran.database.db;
  await db.updateTable('units').set({ publishing_paused: true }).where('id', '=', p.world.units.polres).execute();

  const statuses = async () => Promise.all(ids.map(async (id) => (await postOf(p, id)).status as string));
  await waitFor('the eight published', async () => (await statuses()).filter((s) => s === 'published').length >= 8, 30_000);
  // The ninth's slot freed as the eight finished; it saw the pause.
  await new Promise((r) => setTimeout(r, 3000));
  expect(sentPhotos()).toBe(8);
  const after = await statuses();
  expect(after.filter((s) => s === 'published')).toHaveLength(8);
  const ninth = ids[after.findIndex((s) => s !== 'published')]!;
  expect((await postOf(p, ninth)).status).toBe('scheduled');

  await db.updateTable('units').set({ publishing_paused: false }).where('id', '=', p.world.units.polres).execute();
  await resumeUnitPublishing({ db, scheduler: p.h.siaran.queue, log: pino({ level: 'silent' }), now: () => new Date(), minLeadSeconds: 0 }, p.world.units.polres);
  expect((await settled(p, ninth)).status).toBe('published');
  expect(sentPhotos()).toBe(9);
});
