import type { Actor } from '../../../shared/post';
import { checkApprover, inReach, mayAuthor } from '../../../shared/rules/permissions';

// mabes › polda › polres › polsek
const path = ['mabes', 'polda', 'polres'];
const actor = (role: Actor['role'], unitId: string, id = `${role}@${unitId}`): Actor => ({ id, role, unitId });
const codes = (a: Actor, authorId = 'author') => checkApprover(a, { authorId }, path).map((f) => f.code);

describe('reach', () => {
  test('an operator sees their own unit only', () => {
    expect(inReach(actor('operator', 'polres'), path)).toBe(true);
    expect(inReach(actor('operator', 'polda'), path)).toBe(false);
    expect(inReach(actor('operator', 'polsek'), path)).toBe(false);
  });
  test('a supervisor sees their unit and the units below', () => {
    expect(inReach(actor('supervisor', 'polres'), path)).toBe(true);
    expect(inReach(actor('supervisor', 'mabes'), path)).toBe(true);
    expect(inReach(actor('supervisor', 'polsek'), path)).toBe(false);
    expect(inReach(actor('supervisor', 'polda-other'), path)).toBe(false);
  });
  test('admins see but do not write', () => {
    expect(inReach(actor('admin', 'polda'), path)).toBe(true);
    expect(mayAuthor(actor('admin', 'polda'), path)).toBe(false);
    expect(mayAuthor(actor('operator', 'polres'), path)).toBe(true);
    expect(mayAuthor(actor('supervisor', 'polda'), path)).toBe(true);
  });
});

describe('approval: four eyes and the chain of command', () => {
  test('a supervisor of the unit or above may approve another person’s post', () => {
    expect(codes(actor('supervisor', 'polres'))).toEqual([]);
    expect(codes(actor('supervisor', 'polda'))).toEqual([]);
  });
  test('nobody approves their own post', () => {
    expect(codes(actor('supervisor', 'polres', 'author'))).toEqual(['approval.own_post']);
  });
  test('operators and admins never approve', () => {
    expect(codes(actor('operator', 'polres'))).toEqual(['approval.not_supervisor']);
    expect(codes(actor('admin', 'polda'))).toEqual(['approval.not_supervisor']);
  });
  test('a supervisor of a unit below or beside cannot approve', () => {
    expect(codes(actor('supervisor', 'polsek'))).toEqual(['approval.out_of_reach']);
    expect(codes(actor('supervisor', 'polda-other'))).toEqual(['approval.out_of_reach']);
  });
});
