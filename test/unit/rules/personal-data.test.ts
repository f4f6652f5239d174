import { findPersonalData } from '../../../shared/rules/personal-data';

const codes = (text: string) => findPersonalData('body', text).map((f) => `${f.code}:${f.severity}:${text.slice(f.span!.start, f.span!.end)}`);

describe('personal data guard', () => {
  test.each([
    ['NIK 1801234567890123 milik pelapor', 'personal_data.nik:block:1801234567890123'],
    ['NIK: 3201 0123 4567 8901', 'personal_data.nik:block:3201 0123 4567 8901'],
    ['nik 32.01.01.234567.8901', 'personal_data.nik:block:32.01.01.234567.8901'],
    ['hubungi 0812-3456-7890 segera', 'personal_data.phone:block:0812-3456-7890'],
    ['WA +62 812 3456 7890', 'personal_data.phone:block:+62 812 3456 7890'],
    ['nomor 6281234567890', 'personal_data.phone:block:6281234567890'],
    ['kirim ke budi.santoso@gmail.com', 'personal_data.email:block:budi.santoso@gmail.com'],
    ['pengaduan: humas@lampung.polri.go.id', 'personal_data.email_official:warn:humas@lampung.polri.go.id'],
  ])('%s', (text, expected) => {
    expect(codes(text)).toEqual([expected]);
  });

  test.each([
    ['Call center 110 siap melayani'],
    ['Tahun 2026 ada 1.250 personel'],
    ['Rekening 1234567890 (10 digit)'],
    // 16 digits but no province opens with 00: an order number, not a NIK.
    ['No. resi 0012345678901234'],
    ['pukul 08.30 WIB'],
  ])('%s is not personal data', (text) => {
    expect(codes(text)).toEqual([]);
  });

  test('spans point at each finding in order', () => {
    const text = 'a@b.co lalu 081234567890 lalu 1801234567890123';
    expect(codes(text)).toEqual([
      'personal_data.email:block:a@b.co',
      'personal_data.phone:block:081234567890',
      'personal_data.nik:block:1801234567890123',
    ]);
  });

  test('every finding speaks Indonesian and English', () => {
    for (const f of findPersonalData('title', '081234567890 x@y.com 1801234567890123')) {
      expect(f.message.id).toBeTruthy();
      expect(f.message.en).toBeTruthy();
      expect(f.field).toBe('title');
    }
  });
});
