import type { Db } from '../../src/lib/server/db/client';
import { facilitationActivities, sitePopulationCounts, sites } from '../../src/lib/server/db/schema';
import { generateHistory, type HistorySite } from '../../src/lib/server/demo/history.generator';
import { systemCtx } from '../../src/lib/server/context';
import { DemoHistoryService } from '../../src/lib/server/services/demo-history.service';

/**
 * The areas the metrics must be fast for, from the demo generator, so that the scale test and the benchmark measure
 * the same data: a region (20 sites caring for 60,000 people with type 1 diabetes, about 30,000 referrals over five
 * years) and a nation (42 ICBs of 5 sites, 210 sites caring for 300,000 people, about 150,000 referrals over five
 * years), each referral with every event and HbA1c result.
 */

export interface Area {
  seed: number;
  today: string;
  years: number;
  referralsPerSitePerYear: number;
  sites: (HistorySite & { name: string; icb: string })[];
}

export const REGION_TODAY = '2026-10-31';

export const REGION_SITES: Area['sites'] = Array.from({ length: 20 }, (_, i) => ({
  id: `7c2a9e3f-4d5b-4c7a-8f1e-3a4b5c6d7e${String(i).padStart(2, '0')}`,
  odsCode: `SC${String(i).padStart(3, '0')}`,
  name: `Scale site SC${String(i).padStart(3, '0')}`,
  icb: `NHS Scale ICB ${i % 5}`,
  profile: (['active', 'passive', 'none'] as const)[i % 3]!,
  ...(i % 3 === 0 ? { facilitationStartsOn: '2024-04-01' } : {}),
  // 2,050 to 3,950 people: 60,000 in all.
  t1dPopulation: 2050 + 100 * i,
}));

export const REGION: Area = { seed: 20, today: REGION_TODAY, years: 5, referralsPerSitePerYear: 300, sites: REGION_SITES };

// 210 sites of 500 to 2,357 people (a tenth of them each size, in turn), with the last taking the rounding:
// 300,000 in all.
const NATION_SIZES = Array.from({ length: 210 }, (_, i) => 500 + Math.round((1857 * (i % 10)) / 9));
NATION_SIZES[209]! += 300_000 - NATION_SIZES.reduce((a, b) => a + b, 0);

export const NATION: Area = {
  seed: 42,
  today: REGION_TODAY,
  years: 5,
  // 150,000 referrals over five years among 210 sites.
  referralsPerSitePerYear: 150_000 / 210 / 5,
  sites: NATION_SIZES.map((t1dPopulation, i) => ({
    id: `5e1b8c2d-3f4a-4b6c-9d7e-${String(i).padStart(12, '0')}`,
    odsCode: `NA${String(i).padStart(3, '0')}`,
    name: `Nation site NA${String(i).padStart(3, '0')}`,
    icb: `NHS Nation ICB ${String(Math.floor(i / 5)).padStart(2, '0')}`,
    profile: (['active', 'passive', 'none'] as const)[i % 3]!,
    ...(i % 3 === 0 ? { facilitationStartsOn: '2024-04-01' } : {}),
    t1dPopulation,
  })),
};

export interface AreaCounts {
  referrals: number;
  events: number;
  observations: number;
}

/** Generates the area and loads it (sites, population counts, facilitation, history) into an empty, migrated database. */
export async function loadArea(db: Db, area: Area): Promise<AreaCounts> {
  const history = generateHistory({ seed: area.seed, today: area.today, years: area.years, sites: area.sites, referralsPerSitePerYear: area.referralsPerSitePerYear });
  await db.insert(sites).values(area.sites.map((s) => ({ id: s.id, odsCode: s.odsCode, name: s.name, icb: s.icb, t1dPopulation: s.t1dPopulation, t1dPopulationAsOf: '2026-01-01' })));
  await db.insert(sitePopulationCounts).values(area.sites.map((s) => ({ siteId: s.id, asOf: '2026-01-01', t1dPopulation: s.t1dPopulation, source: 'manual' as const })));
  await db
    .insert(facilitationActivities)
    .values(area.sites.filter((s) => s.profile !== 'none').map((s) => ({ siteId: s.id, on: '2024-04-01', mode: s.profile, kind: 'other' as const })));
  await new DemoHistoryService(db).load(systemCtx('tests'), history);
  return { referrals: history.referrals.length, events: history.events.length, observations: history.observations.length };
}

/** The region (20 sites, 60,000 people, about 30,000 referrals). */
export const loadRegion = (db: Db): Promise<AreaCounts> => loadArea(db, REGION);
