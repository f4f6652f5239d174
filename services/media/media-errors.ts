// Every refusal of a photo, with the words an operator on a phone can act on.
import { AppError } from '../../shared/errors';
import type { Inspection } from '../../workers/media/image-processor';

const MB = 1024 * 1024;

export const mediaErrors = {
  empty: () =>
    new AppError('validation', 'media.empty', {
      id: 'Berkas kosong (0 byte). Pilih ulang fotonya lalu kirim lagi.',
      en: 'The file is empty (0 bytes). Pick the photo again and resend it.',
    }),
  tooLarge: (limit: number) =>
    new AppError(
      'too-large',
      'media.too_large',
      {
        id: `Foto terlalu besar. Batasnya ${formatMb(limit)} MB. Perkecil ukurannya (misalnya dengan fitur ubah ukuran di galeri ponsel), lalu kirim lagi.`,
        en: `The photo is too large. The limit is ${formatMb(limit)} MB. Make it smaller (for example with the resize feature of the phone's gallery) and send it again.`,
      },
      { limitBytes: limit },
    ),
  unsupportedType: (detected: string) =>
    new AppError(
      'validation',
      'media.unsupported_type',
      {
        id: `Berkas ini bukan foto yang didukung (terdeteksi: ${detected}). Kirim foto JPEG, PNG atau WebP.`,
        en: `This file is not a supported photo (detected: ${detected}). Send a JPEG, PNG or WebP photo.`,
      },
      { detected },
    ),
  heicUnsupported: () =>
    new AppError('validation', 'media.heic_unsupported', {
      id: 'Foto HEIC (format bawaan iPhone) belum dapat dibaca server ini. Ubah ke JPEG (Pengaturan › Kamera › Format › Paling Kompatibel) lalu kirim lagi.',
      en: 'HEIC photos (the iPhone default) cannot be read by this server. Send a JPEG instead (Settings › Camera › Formats › Most Compatible).',
    }),
  animated: (pages: number) =>
    new AppError(
      'validation',
      'media.animated',
      {
        id: 'Gambar bergerak (animasi) tidak didukung. Kirim foto diam JPEG, PNG atau WebP.',
        en: 'Animated images are not supported. Send a still JPEG, PNG or WebP photo.',
      },
      { frames: pages },
    ),
  tooManyPixels: (width: number, height: number, limit: number) =>
    new AppError(
      'validation',
      'media.too_many_pixels',
      {
        id: `Ukuran gambar ${width}×${height} piksel melebihi batas ${Math.round(limit / 1e6)} megapiksel.`,
        en: `The image is ${width}×${height} pixels, over the ${Math.round(limit / 1e6)}-megapixel limit.`,
      },
      { width, height, limitPixels: limit },
    ),
  tooMuchMemory: (i: Extract<Inspection, { reason: 'too_much_memory' }>) =>
    new AppError(
      'validation',
      'media.too_much_memory',
      {
        id: i.wholeImage
          ? `Foto ${i.width}×${i.height} piksel ini (JPEG progresif atau PNG interlaced) butuh memori terlalu besar untuk dibuka. Perkecil sisi terpanjangnya menjadi paling banyak ${i.longSide} piksel, lalu kirim lagi.`
          : `Foto ${i.width}×${i.height} piksel ini butuh memori terlalu besar untuk dibuka. Perkecil sisi terpanjangnya menjadi paling banyak ${i.longSide} piksel, lalu kirim lagi.`,
        en: i.wholeImage
          ? `This ${i.width}×${i.height}-pixel photo (a progressive JPEG or interlaced PNG) needs too much memory to open. Make its longest side at most ${i.longSide} pixels and send it again.`
          : `This ${i.width}×${i.height}-pixel photo needs too much memory to open. Make its longest side at most ${i.longSide} pixels and send it again.`,
      },
      { width: i.width, height: i.height, neededMb: Math.ceil(i.neededBytes / MB), limitMb: Math.floor(i.limitBytes / MB), longSide: i.longSide },
    ),
  busy: () =>
    new AppError('unavailable', 'media.busy', {
      id: 'Server sedang membuka banyak foto sekaligus. Coba kirim lagi sebentar lagi.',
      en: 'The server is opening many photos at once. Try sending it again in a moment.',
    }),
  corrupt: () =>
    new AppError('validation', 'media.corrupt', {
      id: 'Foto rusak atau terpotong (mungkin unggahan terputus). Kirim ulang fotonya.',
      en: 'The photo is damaged or cut short (perhaps the upload broke off). Send it again.',
    }),
  incomplete: (declared: number, received: number) =>
    new AppError(
      'validation',
      'media.incomplete',
      {
        id: 'Unggahan terputus sebelum selesai. Kirim ulang fotonya.',
        en: 'The upload stopped before it finished. Send the photo again.',
      },
      { declaredBytes: declared, receivedBytes: received },
    ),
  notFound: (id: string) =>
    new AppError('not-found', 'media.photo_not_found', {
      id: `Foto ${id} tidak ditemukan.`,
      en: `Photo ${id} not found.`,
    }),
  fileNotFound: () =>
    new AppError('not-found', 'media.file_not_found', {
      id: 'Berkas tidak ditemukan atau tautannya sudah kedaluwarsa.',
      en: 'File not found, or its link has expired.',
    }),
  notAuthor: () =>
    new AppError('forbidden', 'media.not_author', {
      id: 'Anda tidak berwenang mengubah foto satuan ini.',
      en: 'You may not change photos of this unit.',
    }),
  notAdmin: () =>
    new AppError('forbidden', 'media.not_admin', {
      id: 'Hanya admin satuan ini yang dapat mengatur tanda air.',
      en: 'Only an admin of this unit may set its watermark.',
    }),
  postLocked: (status: string) =>
    new AppError(
      'conflict',
      'media.post_locked',
      {
        id: 'Foto pos ini tidak dapat diubah lagi: pos sudah disetujui atau diterbitkan. Ubah pos dulu agar kembali menunggu persetujuan.',
        en: 'This post’s photos can no longer change: it is approved or published. Edit the post first so it goes back for approval.',
      },
      { status },
    ),
  unitMismatch: () =>
    new AppError('validation', 'media.unit_mismatch', {
      id: 'Foto dan pos harus milik satuan yang sama.',
      en: 'The photo and the post must belong to the same unit.',
    }),
};

function formatMb(bytes: number): string {
  return (bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1);
}
