// The score units are ranked on in the monthly report: what the Presisi programme asks of a Humas section —
// positive content published steadily and on time, and spread by its people. Documented here and on the page,
// so that a unit can tell why it ranks where it does. No I/O.
import type { LocalizedText } from '../errors';

export interface ScoreFigures {
  /** Posts of the period with at least one channel published. */
  published: number;
  /** Targets published within ON_TIME_MINUTES of their time, and later. */
  onTime: number;
  late: number;
  /** Shares by personnel (to WhatsApp, text copied, photo taken) of the period's posts. */
  shares: number;
  /** Visits of their permalinks. */
  visits: number;
}

/** A target out within this many minutes of its time is on time. */
export const ON_TIME_MINUTES = 10;

/**
 * 10 points a published post, of which half only when its channels went out on time (in the share of targets on
 * time); 1 point a share by personnel; 1 point every 10 visits. Rounded to one decimal.
 */
export function unitScore(f: ScoreFigures): number {
  const delivered = f.onTime + f.late;
  const punctual = delivered === 0 ? 1 : f.onTime / delivered;
  return Math.round((10 * f.published * (0.5 + 0.5 * punctual) + f.shares + f.visits / 10) * 10) / 10;
}

export const SCORE_RULE: LocalizedText = {
  id: `Skor: 10 poin per pos yang terbit (separuhnya sesuai bagian kanal yang terbit tepat waktu, paling lambat ${ON_TIME_MINUTES} menit dari jadwal), 1 poin per kali dibagikan personel, 1 poin per 10 kunjungan. Peringkat membandingkan satuan setingkat di bawah satuan yang sama.`,
  en: `Score: 10 points a published post (half of them in the share of its channels out on time, within ${ON_TIME_MINUTES} minutes of its time), 1 point a share by personnel, 1 point every 10 visits. The ranking compares units of one level under the same unit.`,
};

/** What the platform figures beside the score are, and why they are not in it. */
export const PLATFORM_FIGURES_NOTE: LocalizedText = {
  id: 'Angka platform (tayangan, reaksi, komentar, jumlah dibagikan ulang di platform) adalah bacaan terakhir yang dilaporkan Facebook, Instagram, dan X (X hanya bila paket aplikasinya membayar pembacaan), dibaca berkala selama 30 hari setelah terbit; "terbaca" menyebut berapa kiriman ke platform itu yang sudah punya bacaan. Telegram tidak memberi jumlah tayangan kepada bot. Pengikut kanal adalah jumlah pengikut atau pelanggan semua kanal satuan saat ini, bukan pada bulan laporan. Kosong atau "—": tidak ada angka (tidak ada kanal platform itu, belum dibaca, atau platform tidak melaporkannya). Angka platform tidak masuk skor: tiap platform menghitungnya dengan caranya sendiri.',
  en: 'Platform figures (views, reactions, comments, reshares on the platforms) are the latest reading Facebook, Instagram and X report (X only when the app\'s plan pays for reads), read regularly for 30 days after a post goes out; "read" says how many posts to those platforms have a reading. Telegram gives bots no view counts. Channel followers are the followers or subscribers of all the unit\'s channels now, not in the report\'s month. Empty or "—": no figure (no channel on that platform, not read yet, or the platform did not report it). Platform figures are not in the score: each platform counts them its own way.',
};
