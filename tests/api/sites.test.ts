import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { systemCtx } from '../../src/lib/server/context';

const t = await createTestApp();
const { app } = t;
const admin = await t.as('admin');

const post = (body: unknown, cookie = admin.cookie) => app.inject({ method: 'POST', url: '/api/v1/sites', payload: body as object, headers: { cookie } });
const patch = (id: string, body: unknown, cookie = admin.cookie) =>
  app.inject({ method: 'PATCH', url: `/api/v1/sites/${id}`, payload: body as object, headers: { cookie } });
let n = 0;
const newSite = async () => (await post({ odsCode: `S${String(++n).padStart(4, '0')}`, name: `Site ${n}`, icb: 'NHS Test ICB' })).json();

describe('creating sites', () => {
  it('creates a site at version 1 with no population yet, upper-casing the ODS code', async () => {
    const res = await post({ odsCode: ' rxy12 ', name: '  Royal Example Hospital ', icb: 'NHS Example ICB' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      odsCode: 'RXY12',
      name: 'Royal Example Hospital',
      icb: 'NHS Example ICB',
      t1dPopulation: null,
      t1dPopulationAsOf: null,
      version: 1,
    });
  });

  it('refuses a duplicate ODS code with 409', async () => {
    await post({ odsCode: 'DUP01', name: 'One', icb: 'X' });
    const res = await post({ odsCode: 'dup01', name: 'Two', icb: 'X' });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('DUP01');
  });

  it.each([['AB'], ['ABCDEFG'], ['AB-12'], [''], [12345]])('refuses the ODS code %j', async (odsCode) => {
    const res = await post({ odsCode, name: 'X', icb: 'Y' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['odsCode']);
  });

  it('accepts ODS codes of 3 and of 6 characters', async () => {
    expect((await post({ odsCode: 'R1A', name: 'X', icb: 'Y' })).statusCode).toBe(201);
    expect((await post({ odsCode: 'R1A2B3', name: 'X', icb: 'Y' })).statusCode).toBe(201);
  });

  it('audits the creation', async () => {
    const site = await newSite();
    const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, site.id));
    expect(entry).toMatchObject({ action: 'site.create', actorId: admin.user.id, before: null, after: site });
  });

  it.each(['nurse', 'consultant', 'commissioner'] as const)('refuses a %s with 403', async (role) => {
    const other = await t.as(role);
    expect((await post({ odsCode: 'NOP01', name: 'X', icb: 'Y' }, other.cookie)).statusCode).toBe(403);
  });
});

describe('listing sites', () => {
  it.each(['nurse', 'consultant', 'commissioner', 'admin'] as const)('lists every site, by name, for a %s', async (role) => {
    const who = await t.as(role);
    const res = await app.inject({ method: 'GET', url: '/api/v1/sites?limit=500', headers: { cookie: who.cookie } });
    expect(res.statusCode).toBe(200);
    const names = res.json().items.map((s: { name: string }) => s.name);
    expect(names).toEqual([...names].sort());
    expect(res.json().nextCursor).toBeNull();
  });

  it('pages with a cursor without skipping or repeating a site', async () => {
    for (let i = 0; i < 5; i++) await newSite();
    const all = (await app.inject({ method: 'GET', url: '/api/v1/sites?limit=500', headers: { cookie: admin.cookie } })).json().items;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/sites?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await app.inject({ method: 'GET', url, headers: { cookie: admin.cookie } })).json();
      seen.push(...body.items.map((s: { id: string }) => s.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((s: { id: string }) => s.id));
  });

  it('answers 401 when not signed in', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites' })).statusCode).toBe(401);
  });
});

const population = async (id: string, cookie = admin.cookie) => {
  const res = await app.inject({ method: 'GET', url: `/api/v1/sites/${id}/population`, headers: { cookie } });
  expect(res.statusCode).toBe(200);
  return res.json().items as { asOf: string; t1dPopulation: number; source: string; recordedAt: string; recordedBy: string | null }[];
};

describe('updating sites', () => {
  it('changes the fields sent, bumps the version and audits before and after', async () => {
    const site = await newSite();
    const res = await patch(site.id, { version: 1, name: 'Renamed', t1dPopulation: 1500, t1dPopulationAsOf: '2026-01-31' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...site, name: 'Renamed', t1dPopulation: 1500, t1dPopulationAsOf: '2026-01-31', version: 2 });
    const entries = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, site.id)).orderBy(auditLog.id);
    expect(entries.map((e) => e.action)).toEqual(['site.create', 'site.population_count', 'site.update']);
    expect(entries[2]).toMatchObject({ before: site, after: res.json() });
  });

  it('refuses a stale version with 409 and changes nothing', async () => {
    const site = await newSite();
    expect((await patch(site.id, { version: 1, name: 'First' })).statusCode).toBe(200);
    const stale = await patch(site.id, { version: 1, name: 'Second' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().type).toBe('/api/problems/conflict');
    expect((await t.services.sites.all(systemCtx('tests'))).find((s) => s.id === site.id)).toMatchObject({ name: 'First', version: 2 });
  });

  it('needs the population count and its date together', async () => {
    const site = await newSite();
    const res = await patch(site.id, { version: 1, t1dPopulation: 100 });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 't1dPopulationAsOf', message: 'Enter the date this count refers to' }]);
  });

  it('never removes a count: null is refused and nothing changes', async () => {
    const site = await newSite();
    await patch(site.id, { version: 1, t1dPopulation: 10, t1dPopulationAsOf: '2026-01-01' });
    const res = await patch(site.id, { version: 2, t1dPopulation: null, t1dPopulationAsOf: null });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['t1dPopulation', 't1dPopulationAsOf']);
    expect((await population(site.id)).map((c) => c.t1dPopulation)).toEqual([10]);
  });

  it.each([
    [{ version: 1, t1dPopulation: -1, t1dPopulationAsOf: '2026-01-01' }, 't1dPopulation'],
    [{ version: 1, t1dPopulation: 1.5, t1dPopulationAsOf: '2026-01-01' }, 't1dPopulation'],
    [{ version: 1, t1dPopulation: 5, t1dPopulationAsOf: '2025-02-30' }, 't1dPopulationAsOf'],
    [{ version: 1, t1dPopulation: 5, t1dPopulationAsOf: '3026-01-01' }, 't1dPopulationAsOf'],
    [{ version: 0 }, 'version'],
    [{ name: 'No version' }, 'version'],
    [{ version: 1, odsCode: 'NEW01' }, 'odsCode'],
  ])('refuses %j naming %s', async (body, path) => {
    const site = await newSite();
    const res = await patch(site.id, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await t.services.sites.all(systemCtx('tests'))).find((s) => s.id === site.id)!.version).toBe(1);
  });

  it('answers 404 for a site that does not exist and 400 for an id that is not a UUID', async () => {
    expect((await patch('00000000-0000-4000-8000-000000000000', { version: 1, name: 'X' })).statusCode).toBe(404);
    const bad = await patch('not-a-uuid', { version: 1, name: 'X' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('id');
  });

  it.each(['nurse', 'consultant', 'commissioner'] as const)('refuses a %s with 403', async (role) => {
    const site = await newSite();
    const other = await t.as(role, [site.id]);
    expect((await patch(site.id, { version: 1, name: 'X' }, other.cookie)).statusCode).toBe(403);
  });
});

describe("a site's population history", () => {
  it('keeps every count with its date and source, newest date first, and shows the newest on the site', async () => {
    const site = await newSite();
    await patch(site.id, { version: 1, t1dPopulation: 900, t1dPopulationAsOf: '2025-04-01' });
    const res = await patch(site.id, { version: 2, t1dPopulation: 950, t1dPopulationAsOf: '2026-04-01' });
    expect(res.json()).toMatchObject({ t1dPopulation: 950, t1dPopulationAsOf: '2026-04-01', version: 3 });
    expect(await population(site.id)).toEqual([
      { asOf: '2026-04-01', t1dPopulation: 950, source: 'manual', recordedAt: expect.any(String), recordedBy: admin.user.id },
      { asOf: '2025-04-01', t1dPopulation: 900, source: 'manual', recordedAt: expect.any(String), recordedBy: admin.user.id },
    ]);
  });

  it('takes a late count for an earlier date into the history without changing what the site shows', async () => {
    const site = await newSite();
    await patch(site.id, { version: 1, t1dPopulation: 950, t1dPopulationAsOf: '2026-04-01' });
    const res = await patch(site.id, { version: 2, t1dPopulation: 880, t1dPopulationAsOf: '2024-04-01' });
    expect(res.json()).toMatchObject({ t1dPopulation: 950, t1dPopulationAsOf: '2026-04-01' });
    expect((await population(site.id)).map((c) => c.asOf)).toEqual(['2026-04-01', '2024-04-01']);
  });

  it("replaces a date's count with a corrected one, and audits what it replaced", async () => {
    const site = await newSite();
    await patch(site.id, { version: 1, t1dPopulation: 950, t1dPopulationAsOf: '2026-04-01' });
    await patch(site.id, { version: 2, t1dPopulation: 955, t1dPopulationAsOf: '2026-04-01' });
    expect((await population(site.id)).map((c) => c.t1dPopulation)).toEqual([955]);
    const entries = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, site.id)).orderBy(auditLog.id);
    const counts = entries.filter((e) => e.action === 'site.population_count');
    expect(counts.map((e) => [e.before && (e.before as { t1dPopulation: number }).t1dPopulation, (e.after as { t1dPopulation: number }).t1dPopulation])).toEqual([
      [null, 950],
      [950, 955],
    ]);
  });

  it("divides each period's uptake by the latest count on or before its end, so last year's uptake stays when this year's count arrives", async () => {
    const site = await newSite();
    await patch(site.id, { version: 1, t1dPopulation: 1000, t1dPopulationAsOf: '2025-04-01' });
    const populationFor = async (to: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/metrics?from=2024-01-01&to=${to}&groupBy=site`, headers: { cookie: admin.cookie } });
      return res.json().rows.find((r: { key: string }) => r.key === site.id).t1dPopulation;
    };
    expect(await populationFor('2025-12-31')).toBe(1000);
    await patch(site.id, { version: 2, t1dPopulation: 2000, t1dPopulationAsOf: '2026-04-01' });
    expect(await populationFor('2025-12-31')).toBe(1000);
    expect(await populationFor('2026-06-30')).toBe(2000);
    expect(await populationFor('2025-03-31')).toBeNull();
  });

  it('is readable by every role, commissioners included, and 404 for an unknown site', async () => {
    const site = await newSite();
    const commissioner = await t.as('commissioner');
    expect(await population(site.id, commissioner.cookie)).toEqual([]);
    const res = await app.inject({ method: 'GET', url: '/api/v1/sites/00000000-0000-4000-8000-000000000000/population', headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(404);
  });
});
