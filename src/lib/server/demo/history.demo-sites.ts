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
 * The demo sites as the generator wants them, from the rows just created. Facilitation begins halfway
 * through the history, so the demo shows both the slow years before it and the faster ones after.
 */
export function demoHistorySites(
  sites: readonly { id: string; odsCode: string; icb: string; t1dPopulation: number | null }[],
  today: string,
  years: number,
): HistorySite[] {
  const facilitationStartsOn = addDays(today, -Math.round((years * 365.25) / 2));
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
