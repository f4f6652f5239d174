// The chain of command: who may see, write and approve which unit's posts.
import type { Actor } from '../post';
import type { Finding } from './finding';

/** Ids of the post's unit and its ancestors, root first. */
export type UnitPath = readonly string[];

export function inReach(actor: Actor, unitPath: UnitPath): boolean {
  switch (actor.role) {
    case 'operator':
      return unitPath[unitPath.length - 1] === actor.unitId;
    case 'supervisor':
    case 'admin':
      return unitPath.includes(actor.unitId);
  }
}

/**
 * Who sees a channel's whole address (a webhook URL may carry the receiver's token in its path or query): those
 * who manage channels, the admins. Everyone else sees its host. The unit's reach is checked by whoever lists them.
 */
export function maySeeChannelAddress(reader: Pick<Actor, 'role'>): boolean {
  return reader.role === 'admin';
}

/** Who may write or edit a post of that unit: operators of the unit, supervisors of it or above. */
export function mayAuthor(actor: Actor, unitPath: UnitPath): boolean {
  return actor.role !== 'admin' && inReach(actor, unitPath);
}

/**
 * Four eyes, and a supervisor of the post's unit or of a unit above it. `contributors` are everyone who wrote
 * or changed any part of what goes out (text, channel texts, photos, alt texts, channels, time): none of them
 * may approve it.
 */
export function checkApprover(actor: Actor, post: { authorId: string; contributors?: readonly string[] }, unitPath: UnitPath): Finding[] {
  const findings: Finding[] = [];
  if (actor.role !== 'supervisor') {
    findings.push({
      code: 'approval.not_supervisor',
      severity: 'block',
      message: {
        id: 'Hanya supervisor yang dapat menyetujui atau menolak.',
        en: 'Only a supervisor may approve or reject.',
      },
    });
  } else if (!unitPath.includes(actor.unitId)) {
    findings.push({
      code: 'approval.out_of_reach',
      severity: 'block',
      message: {
        id: 'Pos ini milik satuan di luar wewenang Anda.',
        en: 'This post belongs to a unit outside your reach.',
      },
    });
  }
  if (actor.id === post.authorId) {
    findings.push({
      code: 'approval.own_post',
      severity: 'block',
      message: {
        id: 'Anda tidak dapat menyetujui pos Anda sendiri (prinsip empat mata).',
        en: 'You cannot approve your own post (four-eyes principle).',
      },
    });
  } else if (post.contributors?.includes(actor.id)) {
    findings.push({
      code: 'approval.own_change',
      severity: 'block',
      message: {
        id: 'Anda ikut mengubah isi pos ini, jadi tidak dapat menyetujuinya (prinsip empat mata). Minta supervisor lain.',
        en: 'You changed part of this post, so you cannot approve it (four-eyes principle). Ask another supervisor.',
      },
    });
  }
  return findings;
}

/**
 * The second of two approvals of a sensitive post: another person than the first approver, a supervisor of a unit
 * above the first approver's unit (the Polda's Kabid Humas after the Polres' Kasi Humas). When the first approver's
 * unit has none above it, another supervisor of that unit.
 */
export function checkSecondApprover(actor: Actor, first: { by: string; unitPath: UnitPath }): Finding[] {
  if (actor.id === first.by) {
    return [
      {
        code: 'approval.second_same_person',
        severity: 'block',
        message: {
          id: 'Anda sudah memberi persetujuan pertama; persetujuan kedua harus dari supervisor satuan di atas.',
          en: 'You gave the first approval; the second must come from a supervisor of a unit above.',
        },
      },
    ];
  }
  const above = first.unitPath.slice(0, -1);
  const allowed = above.length > 0 ? above : first.unitPath;
  if (!allowed.includes(actor.unitId)) {
    return [
      {
        code: 'approval.second_not_above',
        severity: 'block',
        message: {
          id: 'Pos sensitif ini sudah disetujui tahap pertama; persetujuan kedua harus dari supervisor satuan di atas penyetuju pertama.',
          en: 'This sensitive post has its first approval; the second must come from a supervisor of a unit above the first approver.',
        },
      },
    ];
  }
  return [];
}
