import { type PostDraft, checkContent, checkSchedule } from '../../../shared/rules/content-rules';
import { blocks } from '../../../shared/rules/finding';

const NOW = new Date('2026-11-23T02:00:00Z');
const CH = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const ctx = { now: NOW, minLeadSeconds: 300, zone: 'Asia/Jakarta' as const, unitChannelIds: new Set([CH]) };
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
  test('only blocking findings block', () => {
    const f = checkContent({ ...good, body: 'humas@polri.go.id' }, ctx);
    expect(f).toHaveLength(1);
    expect(blocks(f)).toEqual([]);
  });
});
