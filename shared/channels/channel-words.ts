// What people read about a channel that holds its posts: why a post waits, and what an admin does about it
// (the names of kinds and states are in shared/words.ts).
// No zod here: page scripts may import it.
import type { LocalizedText } from '../errors';
import type { ChannelKind } from '../post';
import type { ChannelState } from './channel-schemas';




/** Why a target is held, by the code stored with it. */
export const HOLD_REASONS = {
  'channel.rate_limited': {
    id: 'Platform membatasi jumlah kiriman akun ini; pos terbit otomatis setelah batas dibuka.',
    en: 'The platform is rate-limiting this account; the post goes out by itself when the limit resets.',
  },
  'channel.usage_cap': {
    id: 'Kuota atau kredit API akun ini habis; pos terbit otomatis setelah kuota pulih.',
    en: "The account's API quota or credits are used up; the post goes out by itself when they return.",
  },
  'channel.pacing': {
    id: 'Diberi jarak agar akun tidak melampaui batas kiriman platform.',
    en: "Spaced out so the account stays under the platform's posting limit.",
  },
  'channel.publishing_limit': {
    id: 'Batas harian terbit akun ini di platform sudah tercapai; pos terbit otomatis setelah batas dibuka.',
    en: "The account's daily publishing limit on the platform is reached; the post goes out by itself when it opens again.",
  },
  'channel.needs_reconnect': {
    id: 'Akses ke akun ini ditolak platform. Admin perlu menyambungkan ulang kanal; pos terbit setelah itu.',
    en: 'The platform refused access to this account. An admin must reconnect the channel; the post goes out then.',
  },
  'post.late': {
    id: 'Tidak sempat terbit mendekati waktunya (satuan ditahan, gangguan, atau kanal tertahan). Supervisor perlu melepasnya untuk terbit terlambat, atau menjadwalkan ulang.',
    en: 'It could not go out near its time (a paused unit, an outage, or a held channel). A supervisor must release it to go out late, or reschedule it.',
  },
  'channel.disabled': {
    id: 'Kanal dinonaktifkan admin; pos terbit setelah kanal diaktifkan lagi.',
    en: 'An admin disabled the channel; the post goes out once it is enabled again.',
  },
} as const satisfies Record<string, LocalizedText>;
export type HoldReason = keyof typeof HOLD_REASONS;

export function holdReasonText(code: string | null): LocalizedText | undefined {
  return code !== null && code in HOLD_REASONS ? HOLD_REASONS[code as HoldReason] : undefined;
}

/** What an admin does about a channel that holds its posts, by kind and state. */
export function remedy(kind: ChannelKind, state: ChannelState): LocalizedText | undefined {
  if (state === 'disabled') return { id: 'Aktifkan kanal di halaman Admin.', en: 'Enable the channel on the Admin page.' };
  if (state !== 'needs_reconnect') return undefined;
  switch (kind) {
    case 'x':
      return { id: 'Sambungkan ulang akun X di halaman Admin.', en: 'Reconnect the X account on the Admin page.' };
    case 'telegram':
      return {
        id: 'Pastikan bot masih admin kanal yang boleh mengirim pesan lalu tekan "Uji koneksi", atau masukkan token bot baru.',
        en: 'Make sure the bot is still an admin of the channel allowed to post, then press "Test connection", or enter a new bot token.',
      };
    case 'facebook':
      return {
        id: 'Token Halaman tidak berlaku lagi (kata sandi diganti, admin dicabut, atau izin aplikasi dicabut). Sambungkan lagi lewat "Sambungkan dengan Facebook", atau masukkan token Halaman yang baru ("Sambungkan ulang dengan token").',
        en: 'The Page token no longer works (a changed password, a removed admin, or revoked app permissions). Connect again with "Connect with Facebook", or enter a new Page token ("Reconnect with a token").',
      };
    case 'instagram':
      return {
        id: 'Akses ke akun Instagram tidak berlaku lagi. Akun yang tertaut Halaman: sambungkan lagi lewat "Sambungkan dengan Facebook". Akun tanpa Halaman: tekan "Sambungkan ulang" pada kanal ini. Atau masukkan token baru ("Sambungkan ulang dengan token").',
        en: 'Access to the Instagram account no longer works. An account linked to a Page: connect again with "Connect with Facebook". An account with no Page: press "Reconnect" on this channel. Or enter a new token ("Reconnect with a token").',
      };
    case 'webhook':
      return { id: 'Periksa rahasia webhook dengan penerima, lalu masukkan yang benar ("Sambungkan ulang").', en: 'Check the webhook secret with the receiver and enter the right one ("Reconnect").' };
    case 'news_page':
      return undefined;
  }
}
