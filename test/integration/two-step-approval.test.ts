// Two approvals for a sensitive post, up the chain of command: the Polres' Kasi Humas, then the Polda's Kabid
// Humas. The first holds only for the version it saw; either may reject; both decisions are in the history.
import { type Harness, type World, client, inSeconds, seedWorld, startHarness, unitSlug } from '../support/harness';
import { createToken } from '../../services/users/token.repository';
import { addUser } from '../../services/users/user.repository';

let h: Harness;
let world: World;
let secondPolresSupervisor: string;

beforeAll(async () => {
  h = await startHarness();
  const db = h.siaran.database.db;
  world = await seedWorld(db);
  // The Polda asks it of its whole tree.
  await db.updateTable('units').set({ two_approvals_for_sensitive: true }).where('id', '=', world.units.polda).execute();
  const other = await addUser(db, { email: `wakasi-${world.units.polres}@test.siaran`, name: 'Wakasi Humas', unitSlug: await unitSlug(db, world.units.polres), role: 'supervisor' });
  secondPolresSupervisor = (await createToken(db, other.id, { label: 'test', days: 1 })).token;
});
afterAll(() => h.close());

const as = (token: string) => client(h.url, token);
const operator = () => as(world.tokens.operator);
const kasi = () => as(world.tokens.supervisor);
const kabid = () => as(world.tokens.poldaSupervisor);

async function submitted(opts: { sensitive: boolean; unitToken?: string; channel?: string } = { sensitive: true }): Promise<string> {
  const author = as(opts.unitToken ?? world.tokens.operator);
  const c = await author('POST', '/api/v1/posts', { title: 'Pengungkapan kasus', body: 'Polres mengungkap kasus peredaran narkoba.', channelIds: [opts.channel ?? world.newsPage.polres], scheduledAt: inSeconds(7200) });
  expect(c.status).toBe(201);
  if (opts.sensitive) expect((await author('POST', `/api/v1/posts/${c.body.id}/sensitivity`, { sensitive: true })).body.sensitive).toBe(true);
  expect((await author('POST', `/api/v1/posts/${c.body.id}/submit`)).status).toBe(200);
  return c.body.id as string;
}

async function approve(who: ReturnType<typeof as>, id: string, note?: string) {
  const v = (await who('GET', `/api/v1/posts/${id}`)).body.version as number;
  return who('POST', `/api/v1/posts/${id}/approve`, { expectedVersion: v, ...(note ? { note } : {}) });
}

test('the Kasi Humas gives the first approval, the Kabid Humas the second; both are in the history', async () => {
  const id = await submitted();
  const first = await approve(kasi(), id, 'Sudah dicek dengan Kasat Narkoba.');
  expect(first.status).toBe(200);
  expect(first.body.status).toBe('pending_approval');
  expect(first.body.firstApproval).toEqual({ by: world.users.supervisor, at: expect.any(String) });
  expect(first.body.reviewNote).toBe('Sudah dicek dengan Kasat Narkoba.');

  // Not the same person twice, and not a second supervisor of the same Polres.
  const again = await approve(kasi(), id);
  expect([again.status, again.body.error.details.findings.map((f: { code: string }) => f.code)]).toEqual([403, ['approval.second_same_person']]);
  const sibling = await approve(as(secondPolresSupervisor), id);
  expect([sibling.status, sibling.body.error.details.findings.map((f: { code: string }) => f.code)]).toEqual([403, ['approval.second_not_above']]);
  expect((await kabid()('GET', `/api/v1/posts/${id}`)).body.status).toBe('pending_approval');

  const second = await approve(kabid(), id);
  expect(second.status).toBe(200);
  expect(second.body.status).toBe('scheduled');
  expect(second.body.targets.map((t: { status: string }) => t.status)).toEqual(['scheduled']);

  const events = (await operator()('GET', `/api/v1/posts/${id}/history`)).body.events as Array<{ type: string; actor: { id: string } | null; data: Record<string, unknown> }>;
  const decisions = events.filter((e) => e.type.startsWith('approved'));
  expect(decisions.map((e) => [e.type, e.actor?.id])).toEqual([
    ['approved_first', world.users.supervisor],
    ['approved', world.users.poldaSupervisor],
  ]);
  expect(decisions[1]!.data.secondOf).toEqual({ by: world.users.supervisor, at: expect.any(String) });
});

test('a change after the first approval voids it: the post needs both again', async () => {
  const id = await submitted();
  expect((await approve(kasi(), id)).body.firstApproval).not.toBeNull();
  const v = (await operator()('GET', `/api/v1/posts/${id}`)).body.version;
  const edited = await operator()('PATCH', `/api/v1/posts/${id}`, { body: 'Polres mengungkap kasus peredaran narkoba di Kecamatan Tumijajar.', expectedVersion: v });
  expect(edited.status).toBe(200);
  expect(edited.body.firstApproval).toBeNull();
  // The Kabid Humas' approval of the changed post is now the first of two, not the last.
  const kabidFirst = await approve(kabid(), id);
  expect([kabidFirst.body.status, kabidFirst.body.firstApproval?.by]).toEqual(['pending_approval', world.users.poldaSupervisor]);
  // At the top of the tree there is no unit above: another supervisor of the Polda's own unit… none here, so the
  // Polres' Kasi Humas (below) cannot give the second.
  const kasiSecond = await approve(kasi(), id);
  expect(kasiSecond.status).toBe(403);
});

test('a rejection at the second step sends it back; resubmitted, it needs both approvals again', async () => {
  const id = await submitted();
  await approve(kasi(), id);
  const rejected = await kabid()('POST', `/api/v1/posts/${id}/reject`, { note: 'Jangan sebut nama tersangka.' });
  expect([rejected.status, rejected.body.status, rejected.body.firstApproval]).toEqual([200, 'rejected', null]);
  expect((await operator()('POST', `/api/v1/posts/${id}/submit`)).status).toBe(200);
  expect((await approve(kabid(), id)).body.status).toBe('pending_approval');
});

test('posts not marked sensitive, or in a tree that does not ask for it, need one approval', async () => {
  const plain = await submitted({ sensitive: false });
  expect((await approve(kasi(), plain)).body.status).toBe('scheduled');
  const elsewhere = await submitted({ sensitive: true, unitToken: world.tokens.otherOperator, channel: world.newsPage.other });
  expect((await approve(as(world.tokens.otherSupervisor), elsewhere)).body.status).toBe('scheduled');
});

test('the mark is lifted only by a supervisor above the unit, before approval, and a new time needs both approvals again', async () => {
  const id = await submitted();
  const byOperator = await operator()('POST', `/api/v1/posts/${id}/sensitivity`, { sensitive: false });
  expect([byOperator.status, byOperator.body.error.code]).toEqual([403, 'post.sensitivity_unmark_forbidden']);
  expect((await kasi()('POST', `/api/v1/posts/${id}/sensitivity`, { sensitive: false })).status).toBe(403);
  const lifted = await kabid()('POST', `/api/v1/posts/${id}/sensitivity`, { sensitive: false });
  expect([lifted.status, lifted.body.sensitive]).toEqual([200, false]);
  expect((await operator()('GET', `/api/v1/posts/${id}/history`)).body.events.map((e: { type: string }) => e.type)).toContain('unmarked_sensitive');

  const twice = await submitted();
  await approve(kasi(), twice);
  expect((await approve(kabid(), twice)).body.status).toBe('scheduled');
  const late = await kabid()('POST', `/api/v1/posts/${twice}/sensitivity`, { sensitive: false });
  expect([late.status, late.body.error.code]).toEqual([409, 'post.sensitivity_settled']);
  // Even the Kabid Humas moving the time sends it back through both approvals.
  const moved = await kabid()('POST', `/api/v1/posts/${twice}/reschedule`, { scheduledAt: inSeconds(10_800) });
  expect([moved.status, moved.body.status]).toEqual([200, 'pending_approval']);
});

test('the mark cannot be lifted over a first approval, and whoever lifts it cannot approve alone', async () => {
  const id = await submitted();
  await approve(kasi(), id);
  const over = await kabid()('POST', `/api/v1/posts/${id}/sensitivity`, { sensitive: false });
  expect([over.status, over.body.error.code]).toEqual([409, 'post.sensitivity_first_approved']);

  const fresh = await submitted();
  expect((await kabid()('POST', `/api/v1/posts/${fresh}/sensitivity`, { sensitive: false })).status).toBe(200);
  const alone = await approve(kabid(), fresh);
  expect([alone.status, alone.body.error.details.findings.map((f: { code: string }) => f.code)]).toEqual([403, ['approval.own_change']]);
  expect((await approve(kasi(), fresh)).body.status).toBe('scheduled');
});

test('the first approval is judged by where its giver sat then, and lapses when they may no longer approve', async () => {
  const db = h.siaran.database.db;
  const id = await submitted();
  await approve(kasi(), id);
  // Moved down to the Polsek after approving: a peer of the Polres still is not "above".
  await db.updateTable('users').set({ unit_id: world.units.polsek }).where('id', '=', world.users.supervisor).execute();
  try {
    const sibling = await approve(as(secondPolresSupervisor), id);
    expect([sibling.status, sibling.body.error.details.findings.map((f: { code: string }) => f.code)]).toEqual([403, ['approval.second_not_above']]);
  } finally {
    await db.updateTable('users').set({ unit_id: world.units.polres }).where('id', '=', world.users.supervisor).execute();
  }
  // Disabled since: the approval no longer stands, and the next one is a first again.
  await db.updateTable('users').set({ disabled: true }).where('id', '=', world.users.supervisor).execute();
  try {
    const next = await approve(kabid(), id);
    expect([next.body.status, next.body.firstApproval?.by]).toEqual(['pending_approval', world.users.poldaSupervisor]);
  } finally {
    await db.updateTable('users').set({ disabled: false }).where('id', '=', world.users.supervisor).execute();
  }
});

test('a post approved twice is not released late by one supervisor: a new time goes through both again', async () => {
  const id = await submitted();
  await approve(kasi(), id);
  const scheduled = await approve(kabid(), id);
  const targetId = scheduled.body.targets[0].id as string;
  // As the publisher leaves a post that missed its moment (a paused unit, an outage).
  await h.siaran.database.db.updateTable('post_targets').set({ status: 'held', held_reason: 'post.late' }).where('id', '=', targetId).execute();
  const release = await kabid()('POST', `/api/v1/posts/${id}/targets/${targetId}/release`);
  expect([release.status, release.body.error.code]).toEqual([409, 'target.release_needs_two_approvals']);
});
