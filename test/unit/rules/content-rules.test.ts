import { type PostDraft, checkContent, checkSchedule } from '../../../shared/rules/content-rules';
import { blocks } from '../../../shared/rules/finding';

const NOW = new Date('2026-11-23T02:00:00Z');
const CH = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const X = '33333333-3333-4333-8333-333333333333';
const TG = '44444444-4444-4444-8444-444444444444';
const IG = '55555555-5555-4555-8555-555555555555';
const ctx = {
  now: NOW,
  minLeadSeconds: 300,
  zone: 'Asia/Jakarta' as const,
  unitChannels: new Map([
    [CH, { kind: 'news_page' as const, name: 'Halaman berita' }],
    [X, { kind: 'x' as const, name: 'X @polrestubaba' }],
    [TG, { kind: 'telegram' as const, name: 'Telegram Humas' }],
    [IG, { kind: 'instagram' as const, name: 'Instagram @humaspolrestubaba' }],
  ]),
};
const good: PostDraft = { title: 'Judul', body: 'Isi', channelIds: [CH], variants: {}, scheduledAt: new Date('2026-11-23T03:00:00Z') };
const codes = (p: Partial<PostDraft>) => checkContent({ ...good, ...p }, ctx).map((f) => f.code);

describe('content rules', () => {
  test('a complete post has no findings', () => {
    expect(checkContent(good, ctx)).toEqual([]);
  });
  test('title and text are required, blank counts as empty', () => {
    expect(codes({ title: '  ' })).toEqual(['title.required']);
    expect(codes({ body: '\n' })).toEqual(['body.required']);
  });
  test("at least one channel, of the post's own unit, each once", () => {
    expect(codes({ channelIds: [] })).toEqual(['channels.required']);
    expect(codes({ channelIds: [OTHER] })).toEqual(['channels.foreign']);
    expect(codes({ channelIds: [CH, CH] })).toEqual(['channels.duplicate']);
  });
  test('a variant for a channel not picked is a finding', () => {
    expect(codes({ variants: { [OTHER]: 'x' } })).toEqual(['variants.unknown_channel']);
  });
  test('personal data in variants is found too', () => {
    const f = checkContent({ ...good, variants: { [CH]: 'hubungi 081234567890' } }, ctx);
    expect(f.map((x) => [x.code, x.field])).toEqual([['personal_data.phone', `variants.${CH}`]]);
  });
  test('the lead time is enforced and the message shows the earliest time in the unit zone', () => {
    const f = checkSchedule(new Date(NOW.getTime() + 299_000), ctx);
    expect(f.map((x) => x.code)).toEqual(['schedule.too_soon']);
    expect(f[0]!.message.id).toContain('09.05 WIB');
    expect(checkSchedule(new Date(NOW.getTime() + 300_000), ctx)).toEqual([]);
    expect(checkSchedule(undefined, ctx).map((x) => x.code)).toEqual(['schedule.invalid']);
    const wit = checkSchedule(NOW, { ...ctx, zone: 'Asia/Jayapura' });
    expect(wit[0]!.message.en).toContain('11:05 WIT');
  });
  test('a post may be timed up to a year and a day ahead, not later; the message names the latest time', () => {
    const day = 86_400_000;
    expect(checkSchedule(new Date(NOW.getTime() + 366 * day), ctx)).toEqual([]);
    const far = checkSchedule(new Date(NOW.getTime() + 366 * day + 1), ctx);
    expect(far.map((x) => x.code)).toEqual(['schedule.too_far']);
    expect(far[0]!.message.id).toContain('24 Nov 2027 09.00 WIB');
    expect(far[0]!.message.en).toContain('a year and a day from now');
    expect(checkSchedule(new Date(Date.UTC(10000, 0, 1)), ctx).map((x) => x.code)).toEqual(['schedule.too_far']);
  });
  test('only blocking findings block', () => {
    const f = checkContent({ ...good, body: 'humas@polri.go.id' }, ctx);
    expect(f).toHaveLength(1);
    expect(blocks(f)).toEqual([]);
  });

});

describe('what each platform accepts', () => {
  const long = 'Personel Polres Tulangbawang Barat melaksanakan patroli dialogis bersama warga di pasar. '.repeat(5);
  test('an X text over 280 weighted characters is blocked, naming the channel, its limit and the count', () => {
    const f = checkContent({ ...good, body: long, channelIds: [CH, X] }, ctx);
    expect(f.map((x) => x.code)).toEqual(['channel.text_too_long']);
    expect(f[0]!.severity).toBe('block');
    expect(f[0]!.field).toBe('body');
    expect(f[0]!.message.en).toContain('X @polrestubaba');
    expect(f[0]!.message.en).toContain('the limit is 280');
    expect(f[0]!.message.en).toContain(`is ${long.length} characters`);
  });
  test('X counts a link as 23 whatever its length', () => {
    const url = `https://polri.go.id/${'a'.repeat(300)}`;
    expect(codes({ body: `Baca selengkapnya ${url}`, channelIds: [X] })).toEqual([]);
  });
  test('the same text as a thread passes, and a variant is counted in place of the body', () => {
    expect(codes({ body: long, channelIds: [X], channelOptions: { [X]: { thread: true } } })).toEqual([]);
    const f = checkContent({ ...good, body: 'pendek', channelIds: [X], variants: { [X]: long } }, ctx);
    expect(f.map((x) => [x.code, x.field])).toEqual([['channel.text_too_long', `variants.${X}`]]);
  });
  test('Telegram takes 4,096 characters; a long text with photos is no error (it goes after them)', () => {
    expect(codes({ body: 'a'.repeat(4096), channelIds: [TG], photos: [{ altText: '' }] })).toEqual([]);
    expect(codes({ body: 'a'.repeat(4097), channelIds: [TG] })).toEqual(['channel.text_too_long']);
  });
  test('photos beyond the platform maximum and over-long X alt text are blocked', () => {
    const five = Array.from({ length: 5 }, () => ({ altText: 'Kapolres menyapa warga' }));
    expect(codes({ channelIds: [X], photos: five })).toEqual(['channel.too_many_photos']);
    expect(codes({ channelIds: [TG], photos: five })).toEqual([]);
    const f = checkContent({ ...good, channelIds: [X], photos: [{ altText: 'a'.repeat(1001) }] }, ctx);
    expect(f.map((x) => [x.code, x.field])).toEqual([['photo.alt_too_long', 'photos.0.altText']]);
  });
});

describe('alt text is checked like the text', () => {
  test('a NIK and a phone number in a photo description are blocked, with the photo named', () => {
    const f = checkContent({ ...good, photos: [{ altText: 'Kapolres menyapa warga' }, { altText: 'Tersangka Budi, NIK 1871012345678901, HP 0812-3456-7890' }] }, ctx);
    expect(f.map((x) => [x.code, x.field])).toEqual([
      ['personal_data.nik', 'photos.1.altText'],
      ['personal_data.phone', 'photos.1.altText'],
    ]);
  });
  test('Instagram needs a photo, and photo links Meta can download', () => {
    expect(codes({ channelIds: [IG] })).toEqual(['channel.photo_required']);
    expect(codes({ channelIds: [IG], photos: [{ altText: 'Foto' }] })).toEqual([]);
    const why = { id: 'PUBLIC_BASE_URL bukan HTTPS.', en: 'PUBLIC_BASE_URL is not HTTPS.' };
    const unreachable = checkContent({ ...good, channelIds: [IG, CH], photos: [{ altText: '' }] }, { ...ctx, photosUnreachable: why });
    expect(unreachable.map((f) => [f.code, f.severity])).toEqual([['channel.photos_not_public', 'block']]);
    expect(unreachable[0]!.message.en).toBe(
      "Instagram @humaspolrestubaba cannot take posts yet: Instagram downloads the photos itself from Siaran's server, and this server's address cannot be reached from the internet. Untick this channel and tell an admin. (For the server operator: PUBLIC_BASE_URL is not HTTPS.)",
    );
    // Other channels fetch nothing themselves.
    expect(checkContent({ ...good, channelIds: [X, TG], photos: [{ altText: '' }] }, { ...ctx, photosUnreachable: why })).toEqual([]);
  });
});
