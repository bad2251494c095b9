import type { Db } from '../../src/lib/server/db/client';
import { facilitationActivities, sitePopulationCounts, sites } from '../../src/lib/server/db/schema';
import { generateHistory, type HistorySite } from '../../src/lib/server/demo/history.generator';
import { systemCtx } from '../../src/lib/server/context';
import { DemoHistoryService } from '../../src/lib/server/services/demo-history.service';

/**
 * The region the metrics must be fast for: 20 sites caring for 60,000 people with type 1 diabetes between them,
 * and five years of referrals (about 30,000) with every event and HbA1c result, from the demo generator. Used by
 * the scale test and the benchmark, so both measure the same data.
 */

export const REGION_TODAY = '2026-10-31';
export const REGION_YEARS = 5;
export const REGION_REFERRALS_PER_SITE_PER_YEAR = 300;

export const REGION_SITES: (HistorySite & { name: string; icb: string })[] = Array.from({ length: 20 }, (_, i) => ({
  id: `7c2a9e3f-4d5b-4c7a-8f1e-3a4b5c6d7e${String(i).padStart(2, '0')}`,
  odsCode: `SC${String(i).padStart(3, '0')}`,
  name: `Scale site SC${String(i).padStart(3, '0')}`,
  icb: `NHS Scale ICB ${i % 5}`,
  profile: (['active', 'passive', 'none'] as const)[i % 3]!,
  ...(i % 3 === 0 ? { facilitationStartsOn: '2024-04-01' } : {}),
  // 2,050 to 3,950 people: 60,000 in all.
  t1dPopulation: 2050 + 100 * i,
}));

export interface RegionCounts {
  referrals: number;
  events: number;
  observations: number;
}

/** Generates the region and loads it (sites, facilitation, history) into an empty, migrated database. */
export async function loadRegion(db: Db): Promise<RegionCounts> {
  const history = generateHistory({
    seed: 20,
    today: REGION_TODAY,
    years: REGION_YEARS,
    sites: REGION_SITES,
    referralsPerSitePerYear: REGION_REFERRALS_PER_SITE_PER_YEAR,
  });
  await db.insert(sites).values(
    REGION_SITES.map((s) => ({ id: s.id, odsCode: s.odsCode, name: s.name, icb: s.icb, t1dPopulation: s.t1dPopulation, t1dPopulationAsOf: '2026-01-01' })),
  );
  await db.insert(sitePopulationCounts).values(REGION_SITES.map((s) => ({ siteId: s.id, asOf: '2026-01-01', t1dPopulation: s.t1dPopulation, source: 'manual' as const })));
  await db
    .insert(facilitationActivities)
    .values(REGION_SITES.filter((s) => s.profile !== 'none').map((s) => ({ siteId: s.id, on: '2024-04-01', mode: s.profile, kind: 'other' as const })));
  await new DemoHistoryService(db).load(systemCtx('tests'), history);
  return { referrals: history.referrals.length, events: history.events.length, observations: history.observations.length };
}
