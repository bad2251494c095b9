import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isDomainError, type DomainError } from '../../src/lib/domain/errors';
import { ageBandOf, ethnicGroupOf, EQUITY_SPLITS, imdQuintileOf, SPLIT_VALUES } from '../../src/lib/domain/equity';
import { auditLog, imdPostcodes, sitePopulationSplitCounts, sites } from '../../src/lib/server/db/schema';
import { generateDemoPopulation } from '../../src/lib/server/demo/fhir-demo.population';
import { createFhirClient } from '../../src/lib/server/fhir/fhir.client';
import { FhirImportService } from '../../src/lib/server/services/fhir-import.service';
import { todayIso } from '../../src/lib/server/clock';
import { startTestFhirServer } from '../support/fhir-server';
import { ctxFor, fhirTestKit } from './fhir-test-kit';

/** The t1dPopulation figure from the FHIR server, against the generator's own count of who should be in it. */

const population = generateDemoPopulation({ seed: 3, patientsPerSite: 80, today: '2025-06-01' });
// The server hands out at most 25 entries a page whatever the client asks: the count must follow every page.
const kit = await fhirTestKit({ resources: population.resources, maxPageSize: 25 });
const admin = ctxFor('admin', []);

async function fails(promise: Promise<unknown>): Promise<DomainError> {
  const e = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  if (!isDomainError(e)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}

describe('population count', () => {
  it('has the traps it is meant to step around', () => {
    const profiles = new Set(population.patients.map((p) => p.profile));
    for (const trap of ['type1-deceased', 'type1-inactive-record', 'type1-entered-in-error', 'type2', 'none'] as const) expect(profiles).toContain(trap);
  });

  it.each(['RDM01', 'RDM02', 'RDM03', 'RDM04'])('counts the living type 1 patients managed by %s', async (odsCode) => {
    const { count, asOf } = await kit.service.populationCount(odsCode);
    expect(count).toBe(population.activeType1ByOds[odsCode]);
    expect(count).toBeGreaterThan(0);
    expect(asOf).toBe(todayIso());
  });

  it('reads several pages of each search', () => {
    const pages = kit.server.requests.filter((r) => r.path === 'Condition' && Number(r.query.get('_offset') ?? 0) > 0);
    expect(pages.length).toBeGreaterThan(0);
  });

  it('answers not found for an ODS code the server does not know', async () => {
    expect((await fails(kit.service.populationCount('ZZZ99'))).kind).toBe('not_found');
  });
});

describe('population sync', () => {
  it('stores the figure with its date, bumps the version and audits it', async () => {
    const result = await kit.service.syncPopulation(admin, kit.site.id);
    expect(result).toEqual({ t1dPopulation: population.activeType1ByOds.RDM01, t1dPopulationAsOf: todayIso() });
    const [site] = await kit.db.select().from(sites).where(eq(sites.id, kit.site.id));
    expect(site).toMatchObject({ t1dPopulation: result.t1dPopulation, t1dPopulationAsOf: result.t1dPopulationAsOf, version: 2 });
    const [audit] = await kit.db.select().from(auditLog).where(and(eq(auditLog.entityId, kit.site.id), eq(auditLog.action, 'site.population_sync')));
    expect(audit).toMatchObject({ actorId: admin.actor.userId, before: { t1dPopulation: null, version: 1 }, after: { t1dPopulation: result.t1dPopulation, version: 2 } });
  });

  it('counts the population by age band on the day, sex, ethnic group and deprivation quintile, every value listed', async () => {
    // Half the demo's postcodes are in the table: the rest of their people are of unknown deprivation.
    const table = new Map<string, number>();
    for (const p of population.patients) if (p.postcode && p.postcode.endsWith('A') === false) table.set(p.postcode.replace(' ', ''), 1 + (p.postcode.charCodeAt(1) % 10));
    await kit.db.insert(imdPostcodes).values([...table].map(([postcode, imdDecile]) => ({ postcode, imdDecile })));
    const { t1dPopulationAsOf: asOf } = await kit.service.syncPopulation(admin, kit.site.id);

    const counted = population.patients.filter((p) => p.odsCode === 'RDM01' && p.countsAsActiveType1);
    const tally = (valueOf: (p: (typeof counted)[number]) => string) => {
      const n: Record<string, number> = {};
      for (const p of counted) n[valueOf(p)] = (n[valueOf(p)] ?? 0) + 1;
      return n;
    };
    const expected = {
      ageBand: tally((p) => ageBandOf(p.birthDate, asOf)),
      sex: tally((p) => p.sex),
      ethnicGroup: tally((p) => ethnicGroupOf(p.ethnicCategory)),
      imdQuintile: tally((p) => imdQuintileOf(p.postcode ? (table.get(p.postcode.replace(' ', '')) ?? null) : null)),
    };
    // The made-up register has people in every group the splits name, and some of each kind of unknown.
    expect(Object.keys(expected.ethnicGroup).length).toBeGreaterThan(3);
    expect(expected.imdQuintile.unknown).toBeGreaterThan(0);

    const rows = await kit.db.select().from(sitePopulationSplitCounts).where(and(eq(sitePopulationSplitCounts.siteId, kit.site.id), eq(sitePopulationSplitCounts.asOf, asOf)));
    for (const split of EQUITY_SPLITS) {
      const stored = rows.filter((r) => r.split === split);
      expect(stored.map((r) => r.value).sort(), split).toEqual([...SPLIT_VALUES[split]].sort());
      const nonZero = Object.fromEntries(stored.filter((r) => r.t1dPopulation > 0).map((r) => [r.value, r.t1dPopulation]));
      expect(nonZero, split).toEqual(expected[split]);
    }
  });

  it('is for admins only', async () => {
    expect((await fails(kit.service.syncPopulation(kit.nurse, kit.site.id))).kind).toBe('forbidden');
  });

  it('keeps the previous figure when the server fails part-way', async () => {
    const [before] = await kit.db.select().from(sites).where(eq(sites.id, kit.site.id));
    const counts = await kit.rowCounts();
    kit.server.fault({ path: 'Condition', when: (q) => Number(q.get('_offset') ?? 0) > 0, fault: { kind: 'status', status: 500 } });
    try {
      expect((await fails(kit.service.syncPopulation(admin, kit.site.id))).kind).toBe('upstream_failed');
    } finally {
      kit.server.clearFaults();
    }
    const [after] = await kit.db.select().from(sites).where(eq(sites.id, kit.site.id));
    expect(after).toEqual(before);
    expect(await kit.rowCounts()).toEqual(counts);
  });

  it('keeps the previous figure when the server does not know the site', async () => {
    const [unknown] = await kit.db.insert(sites).values({ odsCode: 'ZZZ99', name: 'Unknown', icb: 'Test ICB', t1dPopulation: 123, t1dPopulationAsOf: '2024-01-01' }).returning();
    expect((await fails(kit.service.syncPopulation(admin, unknown!.id))).kind).toBe('not_found');
    const [after] = await kit.db.select().from(sites).where(eq(sites.id, unknown!.id));
    expect(after).toMatchObject({ t1dPopulation: 123, t1dPopulationAsOf: '2024-01-01', version: 1 });
  });
});

describe('at scale', () => {
  it('counts a site of 2,500 patients among 10,000 (about 100,000 resources)', { timeout: 120_000 }, async () => {
    const big = generateDemoPopulation({ seed: 2018, patientsPerSite: 2500, today: '2025-06-01' });
    let started = performance.now();
    const server = await startTestFhirServer({ resources: big.resources });
    const loadMs = performance.now() - started;
    try {
      const service = new FhirImportService(kit.db, createFhirClient({ baseUrl: server.baseUrl, timeoutMs: 30_000 }), kit.patients);
      started = performance.now();
      const { count } = await service.populationCount('RDM01');
      const countMs = performance.now() - started;
      expect(count).toBe(big.activeType1ByOds.RDM01);
      started = performance.now();
      await service.populationCount('RDM02');
      const againMs = performance.now() - started;
      console.log(
        `population count at scale: ${big.resources.length} resources loaded in ${Math.round(loadMs)} ms; ` +
          `RDM01 (${count} of 2500) counted in ${Math.round(countMs)} ms, RDM02 in ${Math.round(againMs)} ms; ` +
          `${server.requests.length} requests`,
      );
    } finally {
      await server.close();
    }
  });
});
