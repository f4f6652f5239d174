// Whatever strings a client puts in a post's fields (NUL, half of a UTF-16 pair, quotes, emoji, any time at
// all), creating or editing a post answers below 500: the client's mistakes are the client's, in words.
import fc from 'fast-check';
import { type Harness, type World, client, inSeconds, seedWorld, startHarness } from '../support/harness';

let h: Harness;
let world: World;
let draftId: string;
beforeAll(async () => {
  h = await startHarness();
  world = await seedWorld(h.siaran.database.db);
  const r = await client(h.url, world.tokens.operator)('POST', '/api/v1/posts', { title: 'Judul', body: 'Isi', channelIds: [world.newsPage.polres], scheduledAt: inSeconds(3600) });
  draftId = r.body.id;
});
afterAll(() => h.close());

const piece = fc.oneof(
  fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '😀', '"', '\\', '\u2028', 'NIK 3201234567890001'),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const text = fc.array(piece, { maxLength: 10 }).map((p) => p.join(''));
const time = fc.oneof(
  text,
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -800, max: 800 }).map((days) => inSeconds(days * 86_400)),
  fc.constantFrom('9999-12-31T23:59-12:00', '0000-01-01T00:00+14:00', '275760-09-13T00:00:00Z', '2026-02-30T09:00', '2027-01-01T24:00'),
);
const fields = () =>
  fc.record(
    {
      title: text,
      body: text,
      channelIds: fc.oneof(fc.constant([world.newsPage.polres]), fc.array(text, { maxLength: 2 })),
      variants: fc.dictionary(fc.oneof(fc.constant(world.newsPage.polres), text), text, { maxKeys: 2 }),
      channelOptions: fc.dictionary(fc.oneof(fc.constant(world.newsPage.polres), text), fc.record({ thread: fc.boolean() }), { maxKeys: 2 }),
      scheduledAt: time,
    },
    { requiredKeys: [] },
  );

test('creating a post with any strings answers below 500', async () => {
  const api = client(h.url, world.tokens.operator);
  await fc.assert(
    fc.asyncProperty(fields(), async (body) => {
      const r = await api('POST', '/api/v1/posts', body);
      expect({ status: r.status < 500 ? 'below 500' : r.status, body }).toEqual({ status: 'below 500', body });
    }),
    { numRuns: 150 },
  );
});

test('editing a post with any strings answers below 500', async () => {
  const api = client(h.url, world.tokens.operator);
  await fc.assert(
    fc.asyncProperty(fields(), async (body) => {
      const r = await api('PATCH', `/api/v1/posts/${draftId}`, body);
      expect({ status: r.status < 500 ? 'below 500' : r.status, body }).toEqual({ status: 'below 500', body });
    }),
    { numRuns: 150 },
  );
});
