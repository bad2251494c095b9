import type { Services } from '../services';
import { systemCtx, type Ctx } from '../context';
import { addDays } from '../../domain/calendar-date';
import { demoPostcodeFile } from './demo.demographics';
import { DEMO_FHIR_SERVER_ID } from './fhir-demo.id';
import { demoFacilitationStart, demoHistorySites } from './history.demo-sites';
import { historyTellingTheStory } from './history.story';

export const DEMO_PASSWORD = 'insulin-pump-demo';

/**
 * Four sites modelled on the study this product grew from (Llewellyn et al. 2018): two given hands-on
 * facilitation, one offered only a passive web toolkit, one that went ahead without outside help. Populations
 * are sized so that uptake starts where English services' did before the national closed loop rollout (about an
 * eighth on a pump or closed loop) and four years of the demo history take it up from there.
 */
export const DEMO_SITES = [
  { odsCode: 'RDM01', name: 'Riverside Diabetes Centre', icb: 'NHS North Riverside ICB', t1dPopulation: 620 },
  { odsCode: 'RDM02', name: 'Hillcrest Hospital Diabetes Service', icb: 'NHS North Riverside ICB', t1dPopulation: 480 },
  { odsCode: 'RDM03', name: 'Moorside General Diabetes Clinic', icb: 'NHS Moorside and Vale ICB', t1dPopulation: 560 },
  { odsCode: 'RDM04', name: 'Valley Community Diabetes Team', icb: 'NHS Moorside and Vale ICB', t1dPopulation: 350 },
] as const;

/** How many yearly population counts before today's each demo site has. */
const DEMO_POPULATION_YEARS = 5;

export const DEMO_ACCOUNTS = ['nurse', 'consultant', 'commissioner', 'admin'].map((role) => `${role}@example.org`);

/**
 * The demo's history: four years at about 60 referrals a site a year, the same on every machine for the same day,
 * after a caseload of people already on a pump or closed loop (about 12% of each site's type 1 population) entered on
 * the first day. Four years, because the dashboard's improvement charts show the last two, and the toolkit site's
 * pathway (funding decisions take up to ten months) needs more than a year to fill before its starts are steady.
 * One closed loop user a site came in from the demo FHIR server without an NHS number: a problem for the return.
 */
export const DEMO_HISTORY = {
  seed: 2018,
  years: 4,
  referralsPerSitePerYear: 60,
  caseload: { share: 0.12, fhirServerId: DEMO_FHIR_SERVER_ID },
} as const;

/**
 * Fills an empty embedded database with the demo sites, the four demo accounts of the API contract, each site's
 * existing caseload and a four-year history of patients, referrals and events that tells the study's story.
 */
export async function seedDemo(services: Services, asOf: string): Promise<void> {
  // The sites and accounts are audited under the start-up's request id, the history and its context under the seed's.
  const startUp = systemCtx('demo seed');
  const seeding = systemCtx('demo seed', 'demo-seed');
  const sites = [];
  for (const s of DEMO_SITES) {
    let site = await services.sites.create(startUp, { ...s, t1dPopulationAsOf: asOf });
    // A count each year before this one, a little smaller, as a service's register grows: a period ending in an
    // earlier year divides by that year's count.
    for (let yearsAgo = 1; yearsAgo <= DEMO_POPULATION_YEARS; yearsAgo++) {
      const t1dPopulation = Math.round(s.t1dPopulation * (1 - 0.03 * yearsAgo));
      site = await services.sites.update(startUp, site.id, { version: site.version, t1dPopulation, t1dPopulationAsOf: addDays(asOf, -365 * yearsAgo) });
    }
    sites.push(site);
  }
  const [riverside, hillcrest] = sites.map((s) => s.id);
  const accounts = [
    { email: 'nurse@example.org', name: 'Demo Nurse', role: 'nurse', siteIds: [riverside!] },
    { email: 'consultant@example.org', name: 'Demo Consultant', role: 'consultant', siteIds: [riverside!, hillcrest!] },
    { email: 'commissioner@example.org', name: 'Demo Commissioner', role: 'commissioner', siteIds: [] },
    { email: 'admin@example.org', name: 'Demo Admin', role: 'admin', siteIds: [] },
  ] as const;
  const ids: Record<string, string> = {};
  for (const a of accounts) {
    ids[a.role] = (await services.users.create(startUp, { ...a, siteIds: [...a.siteIds], password: DEMO_PASSWORD })).id;
  }
  const history = historyTellingTheStory({
    ...DEMO_HISTORY,
    today: asOf,
    now: new Date(),
    sites: demoHistorySites(sites, asOf),
    clinicians: { [riverside!]: { nurseId: ids.nurse, consultantId: ids.consultant }, [hillcrest!]: { consultantId: ids.consultant } },
  });
  await services.demoHistory.load(seeding, history);
  await seedImplementation(services, seeding, sites, asOf);
  // The postcode table for the demo's areas, loaded as an admin loads the national file.
  await services.reference.replaceImd(seeding, (async function* () { yield new TextEncoder().encode(demoPostcodeFile()); })());
}

/**
 * Today's population count of each demo site from the demo FHIR server, as an admin's sync makes it: the count, and
 * the count by age band, sex, ethnic group and deprivation that the "Who is reached" figures divide by. Run once the
 * server is answering, so that the first start is not held up by it; until it ends, those figures have no
 * population. Without the demo FHIR server (DEMO_FHIR=false) the sites keep their manual counts, which have no split.
 */
export async function syncDemoPopulations(services: Services): Promise<number> {
  if (!services.fhir) return 0;
  const ctx = systemCtx('demo seed', 'demo-population-sync');
  const sites = (await services.sites.list(ctx, { limit: 500 })).items.filter((s) => DEMO_SITES.some((d) => d.odsCode === s.odsCode));
  for (const site of sites) await services.fhir.syncPopulation(ctx, site.id);
  return sites.length;
}

/** The help each demo site had and what held it back, dated to match the history's story. */
async function seedImplementation(services: Services, ctx: Ctx, sites: { id: string; odsCode: string }[], asOf: string) {
  const byCode = Object.fromEntries(sites.map((s) => [s.odsCode, s.id]));
  const facilitationStarts = demoFacilitationStart(asOf);
  const day = (offset: number) => addDays(facilitationStarts, offset);
  const team = 'National diabetes technology implementation team';
  for (const code of ['RDM01', 'RDM02']) {
    await services.implementation.logFacilitation(ctx, byCode[code]!, { on: day(0), mode: 'active', kind: 'site_visit', facilitator: team, notes: 'Clinic redesign and pump start pathway' });
    await services.implementation.logFacilitation(ctx, byCode[code]!, { on: day(45), mode: 'active', kind: 'business_case_support', facilitator: team, notes: 'Business case for the ICB' });
    await services.implementation.logFacilitation(ctx, byCode[code]!, { on: day(120), mode: 'active', kind: 'workshop', facilitator: team, notes: 'Hybrid closed loop training for the DSN team' });
  }
  await services.implementation.logFacilitation(ctx, byCode.RDM03!, { on: day(0), mode: 'passive', kind: 'web_resource', facilitator: team, notes: 'Online implementation toolkit shared' });
  await services.implementation.raiseBarrier(ctx, byCode.RDM03!, { raisedOn: day(-200), category: 'funding', description: 'Funding decisions for pumps wait for the ICB panel, which meets rarely' });
  await services.implementation.raiseBarrier(ctx, byCode.RDM03!, { raisedOn: day(30), category: 'clinician_receptiveness', description: 'Clinicians unsure that pumps are worth the team time' });
  await services.implementation.raiseBarrier(ctx, byCode.RDM02!, { raisedOn: day(-150), category: 'staffing', description: 'No pump-trained specialist nurse', resolvedOn: day(90) });
  await services.implementation.raiseBarrier(ctx, byCode.RDM01!, { raisedOn: day(-100), category: 'funding', description: 'Prior approval needed for every pump', resolvedOn: day(60) });
}
