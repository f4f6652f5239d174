// What people read about a target whose last attempt went wrong: what happened and the one thing to do, in their
// language. The words the platform or the worker recorded stay beside it as a technical detail.
// No zod here: page scripts may import it.
import type { LocalizedText } from '../errors';
import type { TargetStatus } from '../post';

/** The platform adapters' error kinds, and two of Siaran's own: a photo that could not be prepared, a supervisor's word. */
export const DELIVERY_ERROR_KINDS = ['transient', 'rate-limited', 'auth-expired', 'rejected', 'unknown-outcome', 'photo', 'supervisor'] as const;
export type DeliveryErrorKind = (typeof DELIVERY_ERROR_KINDS)[number];

const RETRYING: LocalizedText = {
  id: 'Percobaan terakhir tidak berhasil karena gangguan sementara di platform atau jaringan. Siaran mencoba lagi sendiri; tidak ada yang perlu dilakukan.',
  en: 'The last attempt did not succeed because of a passing problem at the platform or on the network. Siaran tries again by itself; there is nothing to do.',
};
const GAVE_UP: LocalizedText = {
  id: 'Platform tidak dapat dijangkau atau terus bermasalah, dan Siaran sudah berhenti mencoba. Periksa kanal ini di halaman Admin ("Uji koneksi"), lalu tekan "Coba lagi".',
  en: 'The platform could not be reached or kept failing, and Siaran stopped trying. Check this channel on the Admin page ("Test connection"), then press "Retry".',
};
const REFUSED: LocalizedText = {
  id: 'Platform atau penerima menolak kiriman ini; mengirim ulang tanpa perbaikan akan ditolak lagi. Baca rinciannya di bawah. Setelah pos, kanal, atau penerimanya diperbaiki, supervisor dapat menekan "Coba lagi".',
  en: 'The platform or the receiver refused this post; sending it again unchanged will be refused again. Read the detail below. Once the post, the channel or the receiver is put right, a supervisor can press "Retry".',
};
const PHOTO: LocalizedText = {
  id: 'Salah satu foto pos ini tidak dapat disiapkan untuk kanal ini. Ganti foto itu (pos lalu perlu disetujui lagi).',
  en: 'One of the photos of this post could not be prepared for this channel. Replace that photo (the post then needs approving again).',
};
const SUPERVISOR: LocalizedText = {
  id: 'Supervisor memastikan kiriman ini tidak terbit. Tekan "Coba lagi" untuk mengirimnya.',
  en: 'A supervisor confirmed this did not go out. Press "Retry" to send it.',
};
const UNSURE: LocalizedText = {
  id: 'Belum pasti apakah kiriman ini sudah terbit: hubungan dengan platform terputus saat mengirim, dan Siaran tidak mengirim ulang agar tidak terbit dua kali. Periksa akun satuan di platform (untuk webhook: tanyakan ke pengelola penerimanya), lalu supervisor menekan "Pastikan: sudah terbit" atau "Pastikan: tidak terbit".',
  en: 'It is not certain whether this went out: the connection to the platform broke while sending, and Siaran does not send again so it never goes out twice. Check the unit\'s account on the platform (for a webhook: ask whoever runs the receiver), then a supervisor presses "Confirm published" or "Confirm not published".',
};

/**
 * The explanation of a target's last error by its state and the kind of that error; none where the state says it
 * already (a held target's reason) or there is nothing wrong.
 */
export function deliveryProblemText(status: TargetStatus, kind: string | null): LocalizedText | undefined {
  switch (status) {
    case 'scheduled':
      return RETRYING;
    case 'unconfirmed':
      return UNSURE;
    case 'failed':
      // A refusal is also what an older row, stored before kinds were, most likely holds.
      return kind === 'transient' ? GAVE_UP : kind === 'photo' ? PHOTO : kind === 'supervisor' ? SUPERVISOR : REFUSED;
    case 'pending':
    case 'held':
    case 'publishing':
    case 'published':
    case 'cancelled':
      return undefined;
  }
}
