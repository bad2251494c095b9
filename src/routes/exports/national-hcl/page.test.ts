import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserActor } from '$lib/domain/access';
import { load } from './+page.server';

const SITE = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const nurse: UserActor = { kind: 'user', userId: 'u', email: 'nurse@example.org', name: 'A Nurse', role: 'nurse', siteIds: [SITE] };

const asked: unknown[] = [];
const services = {
  sites: { list: async () => ({ items: [{ id: OTHER, name: 'Elsewhere' }, { id: SITE, name: 'Riverside' }] }) },
  nationalReturns: {
    hcl: async (_ctx: unknown, query: { siteId: string; quarter: string }) => {
      asked.push(query);
      return { ...query, from: '2026-07-01', to: '2026-09-30', rows: [], problems: [] };
    },
  },
};
const run = (actor: UserActor, search = '') =>
  load({ locals: { actor, ctx: { actor, requestId: 'test', clientAddress: null }, services }, url: new URL(`http://localhost/exports/national-hcl${search}`) } as never) as Promise<
    Record<string, any>
  >;

describe('the national return page', () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // 00:30 on 1 October in London (BST), still 30 September in UTC: the quarter to 30 September is complete.
    vi.setSystemTime(new Date('2026-09-30T23:30:00Z'));
  });
  afterAll(() => vi.useRealTimers());

  it("shows the user's own site and the last complete quarter by London's date, with the file's link", async () => {
    const data = await run(nurse);
    expect(data.sites.map((s: { id: string }) => s.id)).toEqual([SITE]);
    expect(data.chosen).toEqual({ siteId: SITE, quarter: '2026-Q2' });
    expect(data.quarters[0]).toBe('2026-Q2');
    expect(data.csvUrl).toBe(`/api/v1/exports/national-hcl.csv?siteId=${SITE}&quarter=2026-Q2`);
  });

  it('asks for nothing when the quarter is not one', async () => {
    asked.length = 0;
    expect((await run(nurse, '?quarter=2026-Q9')).report).toBeNull();
    expect(asked).toEqual([]);
  });

  it('is not for commissioners', async () => {
    await expect(run({ ...nurse, role: 'commissioner', siteIds: [] })).rejects.toMatchObject({ status: 403 });
  });
});
