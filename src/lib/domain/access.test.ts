import { describe, expect, it } from 'vitest';
import { actingUserId, authorize, can, personActing, siteScope, systemActor, type Role, type UserActor } from './access';
import { isDomainError } from './errors';

const person = (role: Role, siteIds: string[] = ['riverside']): UserActor => ({ kind: 'user', userId: `${role}-id`, email: `${role}@example.org`, name: role, role, siteIds });
const refusal = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return isDomainError(e) ? e.kind : 'not a domain error';
  }
  return 'allowed';
};

describe('who may do what', () => {
  it('lets a nurse write patients at her own sites only', () => {
    expect(can(person('nurse'), 'patients:write', 'riverside')).toBe(true);
    expect(can(person('nurse'), 'patients:write', 'hillcrest')).toBe(false);
  });

  it('never lets a commissioner near a patient, at any site', () => {
    expect(can(person('commissioner', []), 'patients:read')).toBe(false);
    expect(refusal(() => authorize(person('commissioner', []), 'patients:read'))).toBe('forbidden');
  });

  it('reports a record at a site out of reach as not found, so its existence is not revealed', () => {
    expect(refusal(() => authorize(person('consultant'), 'referrals:read', 'hillcrest'))).toBe('not_found');
  });

  it('lets an admin reach every site but not record pathway steps', () => {
    expect(siteScope(person('admin', []))).toBeUndefined();
    expect(can(person('admin', []), 'patients:read', 'hillcrest')).toBe(true);
    expect(can(person('admin', []), 'referrals:write', 'hillcrest')).toBe(false);
  });
});

describe('the system acting on its own behalf', () => {
  const system = systemActor('demo seed');

  it('holds every permission and reaches every site', () => {
    expect(refusal(() => authorize(system, 'sites:manage'))).toBe('allowed');
    expect(can(system, 'referrals:write', 'anywhere')).toBe(true);
    expect(siteScope(system)).toBeUndefined();
  });

  it('is recorded as no user, and cannot act as a person', () => {
    expect(actingUserId(system)).toBeNull();
    expect(actingUserId(person('nurse'))).toBe('nurse-id');
    expect(refusal(() => personActing(system))).toBe('forbidden');
  });
});
