import { isCalendarDate } from '../../domain/calendar-date';
import { simulateCaseload } from './history.caseload';
import { dayOf } from './history.days';
import type { SimPatient, SimReferral, SiteSim } from './history.model';
import { HCL_ROLLOUT_DAY } from './history.model';
import { nhsNumberSource, type NhsNumberSource } from './history.nhs-numbers';
import { statusOn, switchToClosedLoop, walkReferral } from './history.pathway';
import { newPatient, newReferral, therapyFor } from './history.people';
import { FALLBACK_ICBS } from './history.reference';
import { referralIntensity, type RegimeSite } from './history.regimes';
import { appendSiteRows } from './history.rows';
import type { GeneratedHistory, HistoryOptions } from './history.types';
import { createPrng, type Prng } from './prng';

export type { CaseloadOptions, GeneratedHistory, HistoryOptions, HistorySite, SiteClinicians, SiteProfile } from './history.types';

/**
 * A demo history of the pump pathway for a set of sites: patients with their HbA1c results, referrals and
 * every event on them, as rows ready to insert. Pure and deterministic: no clock, no I/O, and the same
 * options give the same rows, ids included. Each site runs on its own random stream (forked by ODS code),
 * so a site's story does not change when another site is added.
 *
 * The sites tell the story of Llewellyn et al. 2018 (see history.regimes.ts): an 'active' site speeds up once
 * hands-on facilitation begins, a 'passive' site's funding stalls, a 'none' site performs steadily. With a
 * `caseload`, each site begins with the people it already had on a pump or closed loop (history.caseload.ts),
 * as existing-therapy records, and some of its pump users are referred on for closed loop.
 */
export function generateHistory(options: HistoryOptions): GeneratedHistory {
  checkOptions(options);
  const today = dayOf(options.today);
  const firstDay = today - Math.round(options.years * 365.25);
  const root = createPrng(options.seed);
  const nhsNumbers = nhsNumberSource(root.fork('nhs-numbers').uint32());
  const totalPopulation = options.sites.reduce((sum, s) => sum + s.t1dPopulation, 0);
  const meanPopulation = totalPopulation > 0 ? totalPopulation / options.sites.length : 1;

  const history: GeneratedHistory = { patients: [], observations: [], referrals: [], events: [] };
  options.sites.forEach((site, index) => {
    const rng = root.fork(site.variant ? `site:${site.odsCode}:${site.variant}` : `site:${site.odsCode}`);
    const sim: SiteSim = {
      site,
      regimeSite: { profile: site.profile, facilitationDay: site.facilitationStartsOn ? dayOf(site.facilitationStartsOn) : null },
      icb: site.icb ?? FALLBACK_ICBS[index % FALLBACK_ICBS.length]!,
      clinicians: options.clinicians?.[site.id] ?? {},
      rng,
      today,
      latestStamp: options.now?.getTime() ?? Number.POSITIVE_INFINITY,
    };
    const ids = rng.fork('ids');
    const count = Math.round(options.referralsPerSitePerYear * options.years * (site.t1dPopulation / meanPopulation));
    // The caseload draws on streams of its own: its people, starts and reviews leave the pathway's draws alone.
    const caseloadSim: SiteSim = { ...sim, rng: rng.fork('caseload') };
    const caseloadIds = rng.fork('caseload-ids');
    const caseload = options.caseload ? simulateCaseload(caseloadSim, caseloadIds, nhsNumbers, firstDay, options.caseload) : { people: [], records: [] };
    const pumpUsers = caseload.records.filter((r) => r.therapy === 'csii');
    const { people, referrals } = simulateSite(sim, ids, nhsNumbers, receivedDays(rng, sim.regimeSite, firstDay, today, count), pumpUsers);
    // After the pathway, which may have switched some of the caseload's pumps to closed loop.
    appendSiteRows(history, caseloadSim, caseloadIds, caseload.people, caseload.records);
    appendSiteRows(history, sim, ids, people, referrals);
  });
  return history;
}

function checkOptions(options: HistoryOptions): void {
  if (!isCalendarDate(options.today)) throw new RangeError(`today must be YYYY-MM-DD, not ${JSON.stringify(options.today)}`);
  if (!(options.years > 0) || !Number.isFinite(options.years)) throw new RangeError('years must be a positive number');
  if (!(options.referralsPerSitePerYear >= 0) || !Number.isFinite(options.referralsPerSitePerYear)) {
    throw new RangeError('referralsPerSitePerYear must be zero or more');
  }
  const ids = new Set<string>();
  const codes = new Set<string>();
  for (const site of options.sites) {
    // Sites' random streams are forked by ODS code: two sites with one code would tell the same story.
    if (ids.has(site.id) || codes.has(site.odsCode)) throw new RangeError(`Site ${site.odsCode} is given twice`);
    ids.add(site.id);
    codes.add(site.odsCode);
    if (site.facilitationStartsOn !== undefined && !isCalendarDate(site.facilitationStartsOn)) {
      throw new RangeError(`facilitationStartsOn of ${site.odsCode} must be YYYY-MM-DD`);
    }
    if (!(site.t1dPopulation >= 0)) throw new RangeError(`t1dPopulation of ${site.odsCode} must be zero or more`);
    if (site.variant !== undefined && !(Number.isSafeInteger(site.variant) && site.variant >= 0)) throw new RangeError(`variant of ${site.odsCode} must be a whole number, zero or more`);
  }
}

/** The days referrals arrive, oldest first: uniform, busier where the site's intensity is higher. */
function receivedDays(rng: Prng, site: RegimeSite, firstDay: number, today: number, count: number): number[] {
  const days: number[] = [];
  const peak = 1.4;
  while (days.length < count) {
    const day = rng.int(firstDay, today);
    if (rng.next() * peak < referralIntensity(site, day)) days.push(day);
  }
  return days.sort((a, b) => a - b);
}

/** Share of referral slots given to someone already known (a pump user moving to closed loop, or a re-referral). */
const SECOND_REFERRAL_SHARE = 0.08;
/** Share of referral slots, once closed loop is rolled out, given to a pump user of the caseload (NHS England's third priority group). */
const CASELOAD_PUMP_USER_SHARE = 0.08;

interface Candidate {
  patient: SimPatient;
  previous: SimReferral;
}

/**
 * Fills the site's referral slots in date order. Most go to new people; a few go to someone whose earlier
 * referral makes a second plausible: on a pump for a year or more (then referred for closed loop), or declined
 * or found not eligible a while ago (then referred again). Candidates wait in weekly buckets until their day
 * comes, so the work stays linear in the number of referrals. Once closed loop is rolled out, a few slots go to
 * the caseload's pump users (`pumpUsers`), whose closed loop start ends their pump record as switched.
 */
function simulateSite(
  sim: SiteSim,
  ids: Prng,
  nhsNumbers: NhsNumberSource,
  days: readonly number[],
  pumpUsers: readonly SimReferral[],
): { people: SimPatient[]; referrals: SimReferral[] } {
  const { rng } = sim;
  const caseloadPumps = [...pumpUsers];
  const people: SimPatient[] = [];
  const referrals: SimReferral[] = [];
  const waiting = new Map<number, Candidate[]>();
  const available: Candidate[] = [];
  let releasedUpToWeek = Number.NEGATIVE_INFINITY;

  const offerSecondReferral = (referral: SimReferral): void => {
    const { patient } = referral;
    if (patient.referralCount > 1 || patient.leftOn !== null) return;
    let from: number | null = null;
    if (referral.therapy === 'csii' && referral.startedDay !== null) from = Math.max(referral.startedDay + 365, HCL_ROLLOUT_DAY);
    else if (referral.status === 'not_eligible' || referral.status === 'funding_declined') {
      from = referral.events[referral.events.length - 1]!.day + rng.int(180, 420);
    }
    if (from === null || from > sim.today) return;
    const week = Math.floor(from / 7) + 1; // the first whole week on or after `from`
    const bucket = waiting.get(week);
    if (bucket) bucket.push({ patient, previous: referral });
    else waiting.set(week, [{ patient, previous: referral }]);
  };

  const release = (day: number): void => {
    const week = Math.floor(day / 7);
    if (releasedUpToWeek === Number.NEGATIVE_INFINITY) releasedUpToWeek = week - 1;
    for (let w = releasedUpToWeek + 1; w <= week; w++) {
      const bucket = waiting.get(w);
      if (bucket) {
        available.push(...bucket);
        waiting.delete(w);
      }
    }
    releasedUpToWeek = Math.max(releasedUpToWeek, week);
  };

  for (const day of days) {
    release(day);
    // Drawn only when there is a caseload: without one, the story is the one it always was.
    if (caseloadPumps.length > 0 && day >= HCL_ROLLOUT_DAY && rng.chance(CASELOAD_PUMP_USER_SHARE)) {
      const pump = takeRandom(rng, caseloadPumps);
      if (statusOn(pump, day) === 'on_therapy') {
        const referral = newReferral(sim, ids, pump.patient, day, 'hcl');
        walkReferral(sim, referral);
        if (referral.startedDay !== null) switchToClosedLoop(pump, referral.startedDay, referral.id);
        referrals.push(referral);
        continue;
      }
    }
    const candidate = available.length > 0 && rng.chance(SECOND_REFERRAL_SHARE) ? takeRandom(rng, available) : null;
    const upgrade = candidate?.previous.startedDay !== null && candidate?.previous.startedDay !== undefined;
    if (candidate && (!upgrade || statusOn(candidate.previous, day) === 'on_therapy')) {
      const therapy = upgrade ? 'hcl' : day >= HCL_ROLLOUT_DAY && rng.chance(0.7) ? 'hcl' : candidate.previous.therapy;
      const referral = newReferral(sim, ids, candidate.patient, day, therapy);
      walkReferral(sim, referral);
      if (upgrade && referral.startedDay !== null) switchToClosedLoop(candidate.previous, referral.startedDay, referral.id);
      referrals.push(referral);
      continue;
    }
    const patient = newPatient(sim, ids, nhsNumbers, day);
    const referral = newReferral(sim, ids, patient, day, therapyFor(rng, patient, day));
    walkReferral(sim, referral);
    people.push(patient);
    referrals.push(referral);
    offerSecondReferral(referral);
  }
  return { people, referrals };
}

/** Removes and returns a random element in O(1): order in the pool does not matter. */
function takeRandom<T>(rng: Prng, items: T[]): T {
  const index = rng.int(0, items.length - 1);
  const item = items[index]!;
  items[index] = items[items.length - 1]!;
  items.pop();
  return item;
}
