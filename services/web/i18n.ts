// Interface words in Bahasa Indonesia (default) and English.
import type { Request } from 'express';
import type { LocalizedText } from '../../shared/errors';
import { LANG_COOKIE, readCookies } from './session-auth';

export type Lang = 'id' | 'en';

const M = {
  appTagline: { id: 'Penjadwal konten Humas', en: 'Humas content scheduler' },
  signIn: { id: 'Masuk', en: 'Sign in' },
  signOut: { id: 'Keluar', en: 'Sign out' },
  email: { id: 'E-mail', en: 'E-mail' },
  password: { id: 'Kata sandi', en: 'Password' },
  badLogin: { id: 'E-mail atau kata sandi salah.', en: 'Wrong e-mail or password.' },
  throttled: { id: 'Terlalu banyak percobaan masuk. Coba lagi nanti.', en: 'Too many sign-in attempts. Try again later.' },
  newPassword: { id: 'Kata sandi baru', en: 'New password' },
  confirmPassword: { id: 'Ulangi kata sandi baru', en: 'Repeat the new password' },
  passwordMustChange: {
    id: 'Kata sandi ini diberikan admin dan hanya berlaku sekali. Pilih kata sandi Anda sendiri.',
    en: 'This password was handed to you by an admin and works once. Choose your own.',
  },
  passwordTooShort: { id: 'Kata sandi minimal 10 karakter.', en: 'A password has at least 10 characters.' },
  passwordMismatch: { id: 'Kedua kata sandi tidak sama.', en: 'The two passwords differ.' },
  totpCode: { id: 'Kode 6 angka dari aplikasi autentikator', en: '6-digit code from your authenticator app' },
  totpCurrentCode: { id: 'Kode 6 angka dari autentikator yang sekarang dipakai', en: '6-digit code from the authenticator in use now' },
  totpTitle: { id: 'Verifikasi dua langkah', en: 'Two-step verification' },
  badTotp: { id: 'Kode salah atau sudah dipakai.', en: 'Wrong or already used code.' },
  totpSetup: { id: 'Aktifkan verifikasi dua langkah', en: 'Turn on two-step verification' },
  totpSetupHelp: {
    id: 'Masukkan kunci ini ke aplikasi autentikator (Google Authenticator, Aegis, dsb.), lalu ketik kode yang muncul.',
    en: 'Enter this key in an authenticator app (Google Authenticator, Aegis, …), then type the code it shows.',
  },
  totpRequired: { id: 'Admin mewajibkan verifikasi dua langkah untuk peran Anda.', en: 'An admin requires two-step verification for your role.' },
  totpOn: { id: 'Verifikasi dua langkah aktif.', en: 'Two-step verification is on.' },
  confirm: { id: 'Konfirmasi', en: 'Confirm' },
  compose: { id: 'Tulis', en: 'Compose' },
  inbox: { id: 'Persetujuan', en: 'Approvals' },
  calendar: { id: 'Kalender', en: 'Calendar' },
  admin: { id: 'Admin', en: 'Admin' },
  account: { id: 'Akun', en: 'Account' },
  title: { id: 'Judul', en: 'Title' },
  text: { id: 'Isi berita', en: 'Text' },
  channels: { id: 'Kanal', en: 'Channels' },
  variantFor: { id: 'Teks khusus untuk kanal ini (opsional)', en: 'Text for this channel only (optional)' },
  photos: { id: 'Foto', en: 'Photos' },
  addPhoto: { id: 'Tambah foto', en: 'Add photo' },
  altText: { id: 'Teks alternatif (deskripsi foto)', en: 'Alt text (photo description)' },
  moveUp: { id: 'Naik', en: 'Up' },
  remove: { id: 'Hapus', en: 'Remove' },
  publishAt: { id: 'Waktu terbit', en: 'Publish time' },
  saveDraft: { id: 'Simpan draf', en: 'Save draft' },
  submit: { id: 'Ajukan persetujuan', en: 'Submit for approval' },
  saved: { id: 'Tersimpan', en: 'Saved' },
  saving: { id: 'Menyimpan…', en: 'Saving…' },
  offline: { id: 'Tidak tersambung — disimpan di perangkat ini', en: 'Offline — kept on this device' },
  findings: { id: 'Pemeriksaan', en: 'Checks' },
  noFindings: { id: 'Tidak ada masalah.', en: 'No problems.' },
  preview: { id: 'Pratinjau', en: 'Preview' },
  inboxEmpty: { id: 'Tidak ada pos yang menunggu persetujuan.', en: 'No posts awaiting approval.' },
  approve: { id: 'Setujui', en: 'Approve' },
  reject: { id: 'Tolak', en: 'Reject' },
  note: { id: 'Catatan', en: 'Note' },
  rejectNoteHelp: { id: 'Catatan wajib saat menolak; operator akan membacanya.', en: 'A note is required to reject; the operator reads it.' },
  deadline: { id: 'Tenggat', en: 'Deadline' },
  changedSince: { id: 'Berubah sejak pemeriksaan terakhir', en: 'Changed since the last review' },
  firstReview: { id: 'Belum pernah diperiksa.', en: 'Not reviewed before.' },
  author: { id: 'Penulis', en: 'Author' },
  unit: { id: 'Satuan', en: 'Unit' },
  status: { id: 'Status', en: 'Status' },
  targets: { id: 'Tujuan terbit', en: 'Publish targets' },
  history: { id: 'Riwayat', en: 'History' },
  openLink: { id: 'Lihat terbitan', en: 'Open published item' },
  retry: { id: 'Coba lagi', en: 'Retry' },
  retract: { id: 'Tarik pos', en: 'Take the post back' },
  retractHelp: {
    id: 'Halaman berita akan menjawab "ditarik", pos hilang dari feed, webhook diberi tahu, dan pos dihapus dari X dan Telegram.',
    en: 'The news page will say it was taken back, the post leaves the feed, webhooks are told, and it is deleted from X and Telegram.',
  },
  retractReason: { id: 'Alasan (tercatat di riwayat)', en: 'Reason (kept in the history)' },
  overrideReason: { id: 'Alasan tetap menyetujui', en: 'Reason to approve anyway' },
  releaseLate: { id: 'Lepas untuk terbit (terlambat)', en: 'Release to go out (late)' },
  confirmPublished: { id: 'Pastikan: sudah terbit', en: 'Confirm published' },
  confirmNotPublished: { id: 'Pastikan: tidak terbit', en: 'Confirm not published' },
  reschedule: { id: 'Jadwalkan ulang', en: 'Reschedule' },
  edit: { id: 'Ubah', en: 'Edit' },
  cancelPost: { id: 'Batalkan pos', en: 'Cancel post' },
  reviewNote: { id: 'Catatan pemeriksa', en: 'Reviewer note' },
  week: { id: 'Minggu', en: 'Week' },
  month: { id: 'Bulan', en: 'Month' },
  prev: { id: '‹ Sebelumnya', en: '‹ Previous' },
  next: { id: 'Berikutnya ›', en: 'Next ›' },
  allUnits: { id: 'Semua satuan', en: 'All units' },
  allChannels: { id: 'Semua kanal', en: 'All channels' },
  filter: { id: 'Saring', en: 'Filter' },
  dragHint: { id: 'Seret pos ke hari lain untuk menjadwalkan ulang (jam tetap).', en: 'Drag a post to another day to reschedule it (same time of day).' },
  notFound: { id: 'Halaman tidak ditemukan atau di luar wewenang Anda.', en: 'Page not found or outside your reach.' },
  forbidden: { id: 'Anda tidak berwenang membuka halaman ini.', en: 'You may not open this page.' },
  error: { id: 'Terjadi kesalahan', en: 'Something went wrong' },
  back: { id: 'Kembali', en: 'Back' },
  users: { id: 'Pengguna', en: 'Users' },
  units: { id: 'Satuan', en: 'Units' },
  name: { id: 'Nama', en: 'Name' },
  role: { id: 'Peran', en: 'Role' },
  invite: { id: 'Undang pengguna', en: 'Invite user' },
  resetPassword: { id: 'Atur ulang kata sandi', en: 'Reset password' },
  disable: { id: 'Nonaktifkan', en: 'Disable' },
  enable: { id: 'Aktifkan', en: 'Enable' },
  disabled: { id: 'nonaktif', en: 'disabled' },
  save: { id: 'Simpan', en: 'Save' },
  zone: { id: 'Zona waktu', en: 'Time zone' },
  setupTitle: { id: 'Menyiapkan Siaran', en: 'Setting up Siaran' },
  setupHelp: {
    id: 'Buat satuan teratas dan akun admin pertama. Admin lalu mengundang operator dan supervisor dari halaman Admin.',
    en: 'Create the top unit and the first admin account. The admin then invites operators and supervisors from the Admin page.',
  },
  setupUnit: { id: 'Satuan teratas', en: 'Top unit' },
  setupUnitName: { id: 'Nama satuan', en: 'Unit name' },
  setupAdmin: { id: 'Admin pertama', en: 'First admin' },
  setupSubmit: { id: 'Siapkan dan masuk', en: 'Set up and sign in' },
  notSetUp: { id: 'Siaran belum disiapkan', en: 'Siaran is not set up yet' },
  setupOpen: { id: 'Buka halaman penyiapan', en: 'Open the set-up page' },
  setupLinkInLog: {
    id: 'Tautan penyiapan dicetak di keluaran server saat dijalankan. Mintalah kepada orang yang menjalankan server.',
    en: 'The set-up link is printed in the server output when it starts. Ask the person who runs the server.',
  },
  pausePublishing: { id: 'Tahan penerbitan', en: 'Pause publishing' },
  resumePublishing: { id: 'Lanjutkan penerbitan', en: 'Resume publishing' },
  paused: { id: 'DITAHAN', en: 'PAUSED' },
  addWebhook: { id: 'Tambah kanal webhook', en: 'Add webhook channel' },
  secret: { id: 'Rahasia (tidak akan ditampilkan lagi)', en: 'Secret (never shown again)' },
  testConnection: { id: 'Uji koneksi', en: 'Test connection' },
  oneTimePassword: { id: 'Kata sandi sementara — berikan kepada pengguna, tidak akan ditampilkan lagi:', en: 'Temporary password — hand it to the user, it is not shown again:' },
  requireTotp: { id: 'Wajibkan verifikasi dua langkah untuk supervisor dan admin', en: 'Require two-step verification for supervisors and admins' },
  language: { id: 'English', en: 'Bahasa Indonesia' },
  roleOperator: { id: 'Operator', en: 'Operator' },
  roleSupervisor: { id: 'Supervisor', en: 'Supervisor' },
  roleAdmin: { id: 'Admin', en: 'Admin' },
  newPost: { id: 'Pos baru', en: 'New post' },
  myPosts: { id: 'Pos terakhir', en: 'Recent posts' },
  chars: { id: 'karakter', en: 'characters' },
  photoProcessing: { id: 'diproses…', en: 'processing…' },
  done: { id: 'Selesai.', en: 'Done.' },
  channelsOfUnit: { id: 'Kanal', en: 'Channels' },
  state: { id: 'Keadaan', en: 'State' },
  tokenExpires: { id: 'Token berakhir', en: 'Token expires' },
  renewedAutomatically: { id: 'diperbarui otomatis', en: 'renewed automatically' },
  lastError: { id: 'Galat terakhir', en: 'Last error' },
  heldPosts: { id: 'pos tertahan', en: 'posts held' },
  until: { id: 'sampai', en: 'until' },
  reconnect: { id: 'Sambungkan ulang', en: 'Reconnect' },
  addTelegram: { id: 'Tambah kanal Telegram', en: 'Add Telegram channel' },
  botToken: { id: 'Token bot (dari @BotFather; tidak akan ditampilkan lagi)', en: 'Bot token (from @BotFather; never shown again)' },
  telegramChat: { id: 'Kanal (@nama atau -100…)', en: 'Channel (@name or -100…)' },
  telegramHelp: {
    id: 'Tambahkan bot sebagai admin kanal dengan izin mengirim pesan, lalu isi di sini.',
    en: 'Add the bot as an admin of the channel with the right to post messages, then fill this in.',
  },
  connectX: { id: 'Sambungkan akun X', en: 'Connect X account' },
  addXTokens: { id: 'Tambah akun X dengan token akses (OAuth 1.0a)', en: 'Add X account with access tokens (OAuth 1.0a)' },
  accessToken: { id: 'Access token', en: 'Access token' },
  accessSecret: { id: 'Access token secret (tidak akan ditampilkan lagi)', en: 'Access token secret (never shown again)' },
  xNotConfigured: {
    id: 'Aplikasi X belum dikonfigurasi di server (X_CLIENT_ID atau X_CONSUMER_KEY).',
    en: 'The X app is not configured on this server (X_CLIENT_ID or X_CONSUMER_KEY).',
  },
  newSecret: { id: 'Rahasia baru (minimal 16 karakter)', en: 'New secret (at least 16 characters)' },
  connected: { id: 'Tersambung', en: 'Connected' },
  channelEnabled: { id: 'Kanal diaktifkan', en: 'Channel enabled' },
  channelDisabled: { id: 'Kanal dinonaktifkan; posnya tertahan sampai diaktifkan lagi', en: 'Channel disabled; its posts wait until it is enabled again' },
  released: { id: 'pos tertahan dilepas untuk terbit', en: 'held posts released to go out' },
  channelTrouble: { id: 'Kanal bermasalah', en: 'Channels needing attention' },
  channelTroubleHelp: {
    id: 'Pos ke kanal ini tertahan sampai admin membereskannya; setelah itu pos terbit sendiri.',
    en: 'Posts to these channels are held until an admin puts them right; they go out by themselves then.',
  },
  platformSaid: { id: 'Kata platform', en: 'The platform said' },
  threadParts: { id: 'bagian utas', en: 'thread parts' },
  ownText: { id: 'teks khusus', en: 'own text' },
  noAltText: { id: '(tanpa teks alternatif)', en: '(no alt text)' },
  sendAsThread: { id: 'Kirim sebagai utas jika terlalu panjang', en: 'Send as a thread when too long' },
} satisfies Record<string, LocalizedText>;

export type MessageKey = keyof typeof M;

export function t(lang: Lang, key: MessageKey): string {
  return M[key][lang];
}

export function pick(lang: Lang, text: LocalizedText): string {
  return text[lang];
}

/** `?lang=` wins, then the remembered choice, then Bahasa Indonesia. */
export function langOf(req: Request): Lang {
  const q = req.query.lang;
  if (q === 'en' || q === 'id') return q;
  const c = readCookies(req)[LANG_COOKIE];
  return c === 'en' ? 'en' : 'id';
}

/** The words a page script needs, handed over as JSON. */
export function messages(lang: Lang, keys: readonly MessageKey[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, M[k][lang]]));
}
