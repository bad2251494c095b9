import { addDays } from '../../domain/calendar-date';
import type { HistorySite, SiteProfile } from './history.types';

/**
 * The part each demo site (demo.seed.ts's DEMO_SITES, by ODS code) plays in the story of Llewellyn et al.
 * 2018: Riverside and Hillcrest get hands-on facilitation, Moorside a web toolkit only, Valley goes ahead
 * on its own. A site not named here performs steadily.
 */
export const DEMO_SITE_PROFILES: Readonly<Record<string, SiteProfile>> = {
  RDM01: 'active',
  RDM02: 'active',
  RDM03: 'passive',
  RDM04: 'none',
};

/**
 * The day facilitation began at the demo sites: about a year before `today`, so that the dashboard's improvement
 * charts (the last 24 months) show a year before it and a year after, with the history's first year, while the
 * pathway fills up, before them. Two weeks inside the dashboard's default year (which starts 364 days before
 * `today`), so that the first visit, and the toolkit site's only activity, fall in the period it shows first.
 */
export function demoFacilitationStart(today: string): string {
  return addDays(today, -350);
}

/** The demo sites as the generator wants them, from the rows just created. */
export function demoHistorySites(sites: readonly { id: string; odsCode: string; icb: string; t1dPopulation: number | null }[], today: string): HistorySite[] {
  const facilitationStartsOn = demoFacilitationStart(today);
  return sites.map((site) => {
    const profile = DEMO_SITE_PROFILES[site.odsCode] ?? 'none';
    return {
      id: site.id,
      odsCode: site.odsCode,
      icb: site.icb,
      t1dPopulation: site.t1dPopulation ?? 0,
      profile,
      ...(profile === 'active' ? { facilitationStartsOn } : {}),
    };
  });
}
