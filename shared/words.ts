// Every code a person may meet on a screen or in an e-mail, in words, in Indonesian and English: one table, so
// that a status, a channel kind, an event or a target's state reads the same everywhere, and a test can tell
// a page that shows a code instead. No zod and no I/O: page scripts import it too.
import type { LocalizedText } from './errors';
import type { ChannelKind, PostStatus, Role, TargetStatus } from './post';
import type { PostAction } from './status-machine';
import type { ChannelState } from './channels/channel-schemas';

export const POST_STATUS_LABELS: Record<PostStatus, LocalizedText> = {
  draft: { id: 'Draf', en: 'Draft' },
  pending_approval: { id: 'Menunggu persetujuan', en: 'Awaiting approval' },
  scheduled: { id: 'Disetujui · Dijadwalkan', en: 'Approved · Scheduled' },
  publishing: { id: 'Sedang diterbitkan', en: 'Publishing' },
  published: { id: 'Terbit', en: 'Published' },
  failed: { id: 'Gagal', en: 'Failed' },
  unconfirmed: { id: 'Belum pasti — periksa', en: 'Unconfirmed — check' },
  rejected: { id: 'Ditolak', en: 'Rejected' },
  cancelled: { id: 'Dibatalkan', en: 'Cancelled' },
  expired: { id: 'Kedaluwarsa', en: 'Expired' },
  retracted: { id: 'Ditarik', en: 'Retracted' },
};

export const TARGET_STATUS_LABELS: Record<TargetStatus, LocalizedText> = {
  pending: { id: 'Belum disetujui', en: 'Not approved yet' },
  scheduled: { id: 'Dijadwalkan', en: 'Scheduled' },
  held: { id: 'Tertahan', en: 'Held' },
  publishing: { id: 'Sedang diterbitkan', en: 'Publishing' },
  published: { id: 'Terbit', en: 'Published' },
  failed: { id: 'Gagal', en: 'Failed' },
  unconfirmed: { id: 'Belum pasti — periksa', en: 'Unconfirmed — check' },
  cancelled: { id: 'Dibatalkan', en: 'Cancelled' },
};

export const CHANNEL_KIND_LABELS: Record<ChannelKind, LocalizedText> = {
  news_page: { id: 'Halaman berita', en: 'News page' },
  webhook: { id: 'Webhook', en: 'Webhook' },
  x: { id: 'X', en: 'X' },
  telegram: { id: 'Kanal Telegram', en: 'Telegram channel' },
  facebook: { id: 'Halaman Facebook', en: 'Facebook Page' },
  instagram: { id: 'Instagram', en: 'Instagram' },
};

export const CHANNEL_STATE_LABELS: Record<ChannelState, LocalizedText> = {
  connected: { id: 'Tersambung', en: 'Connected' },
  needs_reconnect: { id: 'Perlu disambungkan ulang', en: 'Needs re-connection' },
  rate_limited: { id: 'Dibatasi platform', en: 'Rate-limited' },
  disabled: { id: 'Nonaktif', en: 'Disabled' },
};

/** What a person tried to do to a post, for a message that says it cannot be done now. */
export const ACTION_LABELS: Record<PostAction, LocalizedText> = {
  edit: { id: 'Mengubah pos', en: 'Editing the post' },
  submit: { id: 'Mengajukan pos', en: 'Submitting the post' },
  approve: { id: 'Menyetujui pos', en: 'Approving the post' },
  reject: { id: 'Menolak pos', en: 'Rejecting the post' },
  cancel: { id: 'Membatalkan pos', en: 'Cancelling the post' },
  reschedule: { id: 'Menjadwalkan ulang pos', en: 'Rescheduling the post' },
  expire: { id: 'Menandai pos kedaluwarsa', en: 'Expiring the post' },
  'start-publishing': { id: 'Memulai penerbitan', en: 'Starting to publish' },
};

export const ROLE_LABELS: Record<Role, LocalizedText> = {
  operator: { id: 'Operator', en: 'Operator' },
  supervisor: { id: 'Supervisor', en: 'Supervisor' },
  admin: { id: 'Admin', en: 'Admin' },
};

/** What happened to a post, as its history says it: "<who> <words>". */
export const EVENT_LABELS: Record<string, LocalizedText> = {
  approved_second: { id: 'memberi persetujuan kedua (tahap 2 dari 2)', en: 'gave the second approval (step 2 of 2)' },
  approved_first: { id: 'memberi persetujuan pertama (tahap 1 dari 2)', en: 'gave the first approval (step 1 of 2)' },
  marked_sensitive: { id: 'menandai pos sensitif', en: 'marked the post sensitive' },
  unmarked_sensitive: { id: 'mencabut tanda sensitif', en: 'lifted the sensitive mark' },
  created: { id: 'menulis', en: 'wrote' },
  edited: { id: 'mengubah', en: 'edited' },
  submitted: { id: 'mengajukan', en: 'submitted' },
  approved: { id: 'menyetujui', en: 'approved' },
  rejected: { id: 'menolak', en: 'rejected' },
  cancelled: { id: 'membatalkan', en: 'cancelled' },
  rescheduled: { id: 'menjadwalkan ulang', en: 'rescheduled' },
  expired: { id: 'kedaluwarsa', en: 'expired' },
  'target.published': { id: 'terbit', en: 'published' },
  'target.failed': { id: 'gagal terbit', en: 'failed to publish' },
  'target.unconfirmed': { id: 'belum pasti terbit', en: 'unconfirmed' },
  'target.retry': { id: 'meminta coba lagi', en: 'asked for a retry' },
  'target.release': { id: 'melepas pos terlambat untuk terbit', en: 'released the late post to go out' },
  retracted: { id: 'menarik pos yang sudah terbit', en: 'took the published post back' },
  'target.retracted': { id: 'menarik pos dari kanal', en: 'took the post back from a channel' },
  'target.retraction_failed': { id: 'gagal menarik pos dari kanal', en: 'could not take the post back from a channel' },
  'post.retracted': { id: 'mencatat pos ditarik', en: 'recorded the post as retracted' },
  'target.confirm-published': { id: 'memastikan sudah terbit', en: 'confirmed published' },
  'target.confirm-not-published': { id: 'memastikan tidak terbit', en: 'confirmed not published' },
  'post.published': { id: 'menyelesaikan penerbitan ke semua kanal', en: 'finished publishing to every channel' },
  'post.failed': { id: 'menyelesaikan penerbitan; ada kanal yang gagal', en: 'finished publishing; some channel failed' },
  'post.unconfirmed': { id: 'menyelesaikan penerbitan; ada kanal yang belum pasti', en: 'finished publishing; some channel is unconfirmed' },
  'post.cancelled': { id: 'mencatat pos batal', en: 'recorded the post as cancelled' },
  photo_added: { id: 'menambah foto', en: 'added a photo' },
  photo_changed: { id: 'mengubah foto', en: 'changed a photo' },
  photo_removed: { id: 'menghapus foto', en: 'removed a photo' },
};

/** Where taking a published post back from a channel stands. */
export const RETRACTION_LABELS: Record<string, LocalizedText> = {
  pending: { id: 'Sedang ditarik', en: 'Being taken back' },
  retracting: { id: 'Sedang ditarik', en: 'Being taken back' },
  done: { id: 'Sudah ditarik', en: 'Taken back' },
  failed: { id: 'Gagal ditarik', en: 'Could not be taken back' },
  unconfirmed: { id: 'Belum pasti ditarik — periksa', en: 'Not sure it was taken back — check' },
  unsupported: { id: 'Platform ini tidak bisa menarik pos; hapus manual', en: 'This platform cannot take a post back; remove it by hand' },
};

/** A post's fields, as a list of changes names them. */
export const FIELD_LABELS: Record<string, LocalizedText> = {
  title: { id: 'Judul', en: 'Title' },
  body: { id: 'Isi berita', en: 'Text' },
  variants: { id: 'Teks khusus kanal', en: 'Channel texts' },
  channelOptions: { id: 'Pilihan kanal (utas)', en: 'Channel choices (thread)' },
  channelIds: { id: 'Kanal', en: 'Channels' },
  scheduledAt: { id: 'Waktu terbit', en: 'Publish time' },
  photo: { id: 'Foto', en: 'Photo' },
  'photo.altText': { id: 'Teks alternatif foto', en: 'Photo alt text' },
  'photo.position': { id: 'Urutan foto', en: 'Photo order' },
  'photo.fit': { id: 'Potongan foto (crop/pad)', en: 'Photo fit (crop/pad)' },
  'photo.postId': { id: 'Foto dipindah', en: 'Photo moved' },
};

/** Words for a code of a table that may grow (events, retraction states, fields): a plain fallback, never the code. */
export function wordsFor(table: Readonly<Record<string, LocalizedText>>, code: string, fallback: LocalizedText): LocalizedText {
  return Object.hasOwn(table, code) ? table[code]! : fallback;
}

/** A count as its reader writes it: "1.000" in Indonesian, "1,000" in English. */
export function numberIn(lang: 'id' | 'en', n: number): string {
  return n.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB');
}

/** A figure that may be unknown (a platform that reported nothing): the count, or "—". */
export function figureIn(lang: 'id' | 'en', n: number | null): string {
  return n === null ? '—' : numberIn(lang, n);
}
