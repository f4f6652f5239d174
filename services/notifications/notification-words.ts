// What each kind of notification says, in Bahasa Indonesia and English: one place for the page and the e-mail.
import type { LocalizedText } from '../../shared/errors';
import type { NotificationKind } from './notification.repository';
import { TARGET_STATUS_LABELS } from '../../shared/words';
import { TargetStatus } from '../../shared/post';

export interface Link {
  kind: string;
  name: string;
  url: string | null;
  status: string;
  error: string | null;
}

export interface Told {
  /** One line: the page's entry and the e-mail's subject. */
  headline: LocalizedText;
  /** Further lines (a supervisor's note, the links that went out, the platform's answer), same in both languages where they are quoted. */
  details: LocalizedText[];
  /** Path of the page to open, from the site's root. */
  path: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * `where`: an e-mail leaves the installation, so it carries no text a platform or a receiver wrote (their error
 * answers may quote anything); the page in the app shows it to those who may see the post.
 */
export function describe(kind: NotificationKind, n: { postId: string | null; data: Record<string, unknown> }, where: 'page' | 'email' = 'page'): Told {
  const said = (text: string | null | undefined) => (where === 'page' && text ? text : undefined);
  const title = str(n.data.title);
  const post = n.postId ? `/posts/${n.postId}` : '/';
  const note = str(n.data.note);
  const noteLine = note ? [{ id: `Catatan supervisor: ${note}`, en: `Supervisor's note: ${note}` }] : [];
  const links = Array.isArray(n.data.links) ? (n.data.links as Link[]) : [];
  switch (kind) {
    case 'post.submitted':
      return { headline: { id: `Menunggu persetujuan Anda: "${title}"`, en: `Waiting for your approval: "${title}"` }, details: [], path: post };
    case 'post.expiring':
      return {
        headline: { id: `Segera kedaluwarsa tanpa persetujuan: "${title}"`, en: `About to expire unapproved: "${title}"` },
        details: [{ id: 'Pos ini masih menunggu persetujuan dan waktunya hampir tiba. Tanpa persetujuan, pos ini tidak akan terbit.', en: 'This post still waits for approval and its time is near. Unapproved, it will not be published.' }],
        path: post,
      };
    case 'post.approved':
      return { headline: { id: `Disetujui: "${title}"`, en: `Approved: "${title}"` }, details: noteLine, path: post };
    case 'post.rejected':
      return { headline: { id: `Ditolak: "${title}"`, en: `Rejected: "${title}"` }, details: noteLine, path: post };
    case 'post.published':
      return {
        headline: { id: `Terbit: "${title}"`, en: `Published: "${title}"` },
        details: links.filter((l) => l.url).map((l) => ({ id: `${l.name}: ${l.url ?? ''}`, en: `${l.name}: ${l.url ?? ''}` })),
        path: post,
      };
    case 'post.failed':
    case 'post.unconfirmed': {
      const troubled = links.filter((l) => l.status === 'failed' || l.status === 'unconfirmed');
      return {
        headline:
          kind === 'post.failed'
            ? { id: `Gagal terbit: "${title}"`, en: `Failed to publish: "${title}"` }
            : { id: `Belum pasti terbit, perlu dicek: "${title}"`, en: `Not confirmed as published, please check: "${title}"` },
        details: [
          ...troubled.map((l) => {
            const state = TargetStatus.safeParse(l.status).success ? TARGET_STATUS_LABELS[l.status as TargetStatus] : { id: 'perlu dicek', en: 'needs checking' };
            const why = said(l.error);
            return { id: `${l.name}: ${state.id}${why ? ` — ${why}` : ''}`, en: `${l.name}: ${state.en}${why ? ` — ${why}` : ''}` };
          }),
          ...links.filter((l) => l.url).map((l) => ({ id: `Terbit di ${l.name}: ${l.url ?? ''}`, en: `Went out on ${l.name}: ${l.url ?? ''}` })),
        ],
        path: post,
      };
    }
    case 'channel.needs_reconnect':
      return {
        headline: { id: `Kanal perlu disambungkan ulang: ${str(n.data.name)}`, en: `Channel needs reconnecting: ${str(n.data.name)}` },
        details: [
          { id: 'Platform menolak kredensial kanal ini; pos untuk kanal ini ditahan sampai disambungkan ulang.', en: 'The platform refused this channel\'s credentials; its posts are held until it is reconnected.' },
          ...(said(str(n.data.error)) ? [{ id: `Kata platform: ${str(n.data.error)}`, en: `The platform said: ${str(n.data.error)}` }] : []),
        ],
        path: '/admin',
      };
    case 'plan.imported':
      return {
        headline: { id: `Rencana diimpor: "${str(n.data.file)}", ${str(n.data.imported)} draf dibuat`, en: `Plan imported: "${str(n.data.file)}", ${str(n.data.imported)} drafts made` },
        details: [{ id: 'Buka impor ini untuk melihat drafnya; tambahkan foto pada masing-masing, lalu ajukan untuk disetujui.', en: 'Open this import to see its drafts; add photos to each, then submit it for approval.' }],
        path: `/plan/imports/${str(n.data.importId)}`,
      };
    case 'plan.refused':
      return {
        headline: { id: `Rencana tidak diimpor: "${str(n.data.file)}"`, en: `Plan not imported: "${str(n.data.file)}"` },
        details: [{ id: str((n.data.message as { id?: unknown } | undefined)?.id), en: str((n.data.message as { en?: unknown } | undefined)?.en) }],
        path: `/plan/imports/${str(n.data.importId)}`,
      };
    case 'account.invite_existing':
      // Told to the account's holder and to the admins over it; the inviting admin, who may not see the
      // account, was answered as for a new address.
      return {
        headline: {
          id: `Alamat ${str(n.data.email)} diundang sebagai akun baru di ${str(n.data.unit)}, padahal sudah punya akun`,
          en: `${str(n.data.email)} was invited as a new account in ${str(n.data.unit)}, but already has one`,
        },
        details: [
          {
            id: `Pengundang: ${str(n.data.by)}. Akun yang ada tidak diubah. Bila pemiliknya pindah satuan, admin satuannya dapat memindahkannya.`,
            en: `Invited by: ${str(n.data.by)}. The existing account was not changed. If its holder moves to another unit, an admin of their unit can move it.`,
          },
        ],
        path: '/account',
      };
  }
}
