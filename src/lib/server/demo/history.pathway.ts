import { ageOnDate } from '../../domain/age';
import { evaluateEligibility, latestHba1cWithin12Months, type EligibilityResult } from '../../domain/eligibility';
import { applyEvent, PATHWAY, type EventType, type PathwayEvent, type ReferralStatus } from '../../domain/pathway';
import type { FundingRoute } from '../../domain/vocabulary';
import type { EventPayload } from '../../schemas/referrals.schema';
import { dayOf, isoOf } from './history.days';
import { applyDeviceEffect, hba1cResult, insertResult, latestResult, randomPercentUnit, recentResults } from './history.hba1c';
import type { ClinicalRole, SimEvent, SimReferral, SiteSim } from './history.model';
import { HCL_ROLLOUT_DAY } from './history.model';
import {
  CONTINUE_NOTES,
  CSII_PUMPS,
  type DeviceSet,
  DISCONTINUATION_REASONS,
  HCL_SYSTEMS,
  RATIONALE_DEFERRED,
  RATIONALE_ELIGIBLE_DESPITE,
  RATIONALE_ELIGIBLE_OTHER_TYPE,
  RATIONALE_NOT_ELIGIBLE_DESPITE,
  STANDALONE_CGMS,
} from './history.reference';
import { regimeOn, sampleWait, type Regime } from './history.regimes';
import type { SwitchPayload } from './history.types';

/**
 * Walks one referral along the pump pathway, one step at a time, the way a service would record it: each
 * step waits as long as the site's regime says, and the walk stops at today, leaving recent referrals open.
 * Every event goes through the pathway table's `applyEvent`, so a history this produces always replays.
 */

const MAX_DEFERRALS = 2;
const MAX_MORE_INFO = 3;
/** How often a consultant decides against the rule engine (with a rationale). */
const OVERRIDE_SHARE = 0.05;
const REVIEW_DISCONTINUE_SHARE = 0.05;
/** How often a device start is followed by the 6-month HbA1c that hba1cChange6m reads. */
const FOLLOW_UP_SHARE = 0.88;

/** Appends an event, moving the status on exactly as the service would; a refused step is a bug here. */
function record(
  sim: SiteSim,
  referral: SimReferral,
  day: number,
  step: PathwayEvent,
  payload: EventPayload,
  preferredRole: ClinicalRole,
  criteria: EligibilityResult | null = null,
): void {
  const { role, recordedBy } = recorder(sim, step.type, preferredRole);
  const result = applyEvent(referral.status, step, role);
  if (!result.ok) throw new Error(`Demo history bug: ${step.type} by ${role} refused (${result.reason}) in status ${referral.status}`);
  const last = referral.events[referral.events.length - 1];
  if (day > sim.today || day < referral.receivedDay || (last && day < last.day)) {
    throw new Error(`Demo history bug: ${step.type} dated ${isoOf(day)} out of order`);
  }
  const event: SimEvent = { type: step.type, day, payload, criteria, statusAfter: result.next, role, recordedBy };
  referral.events.push(event);
  referral.status = result.next;
}

/**
 * Who records a step: the preferred role when the pathway table lets it record this step and its user is
 * known; else another allowed role whose user is known; else the preferred allowed role, with no user.
 * (Assessments are only ever the consultant's and device starts the nurse's.)
 */
function recorder(sim: SiteSim, type: EventType, preferred: ClinicalRole): { role: ClinicalRole; recordedBy: string | null } {
  const allowed = (['nurse', 'consultant'] as const).filter((r) => PATHWAY[type].who.includes(r));
  const idOf = (r: ClinicalRole) => (r === 'nurse' ? sim.clinicians.nurseId : sim.clinicians.consultantId) ?? null;
  const ordered = allowed.includes(preferred) ? [preferred, ...allowed.filter((r) => r !== preferred)] : allowed;
  const known = ordered.find((r) => idOf(r) !== null);
  const role = known ?? ordered[0]!;
  return { role, recordedBy: idOf(role) };
}

/** The wait before the next step ends on a withdrawal instead, sometimes. Returns whether it did. */
function withdrawsFirst(sim: SiteSim, referral: SimReferral, from: number, wait: number, regime: Regime): boolean {
  const { rng } = sim;
  if (!rng.chance(regime.withdrawal)) return false;
  const on = from + rng.int(0, Math.max(0, wait));
  if (on > sim.today) return false;
  // A second referral's person stays in the service: leaving it would leave their first referral dangling.
  const reason = referral.isSecond
    ? rng.weighted({ patient_declined: 0.6, did_not_attend: 0.3, other: 0.1 })
    : rng.weighted({ patient_declined: 0.4, did_not_attend: 0.3, moved_away: 0.15, died: 0.03, other: 0.12 });
  record(sim, referral, on, { type: 'withdrawn' }, { on: isoOf(on), reason }, 'nurse');
  if (reason === 'moved_away' || reason === 'died') referral.patient.leftOn = on;
  return true;
}

function assess(sim: SiteSim, referral: SimReferral, day: number, defer: boolean): void {
  const { rng } = sim;
  const { patient, picture } = referral;
  const assessedOn = isoOf(day);
  // The rule's own window, read by the domain function, over the last few results only (367 days covers it).
  const latest = latestHba1cWithin12Months(recentResults(patient.hba1c, day, 367), assessedOn);
  const age = ageOnDate(patient.birthDate, assessedOn);
  const criteria = evaluateEligibility({
    therapy: referral.therapy,
    birthDate: patient.birthDate,
    assessedOn,
    diabetesType: patient.diabetesType,
    hba1cMmolMol: latest?.mmolMol ?? null,
    ...picture,
  });

  let decision: 'eligible' | 'not_eligible' | 'deferred' = criteria.suggestion;
  let rationale: string | undefined;
  if (defer) {
    decision = 'deferred';
    rationale = rng.pick(RATIONALE_DEFERRED);
  } else if (criteria.suggestion === 'not_eligible' && patient.diabetesType === 'other' && rng.chance(0.5)) {
    decision = 'eligible';
    rationale = RATIONALE_ELIGIBLE_OTHER_TYPE;
  } else if (rng.chance(patient.diabetesType === 'type2' ? 0.02 : OVERRIDE_SHARE)) {
    decision = criteria.suggestion === 'eligible' ? 'not_eligible' : 'eligible';
    rationale = rng.pick(decision === 'eligible' ? RATIONALE_ELIGIBLE_DESPITE : RATIONALE_NOT_ELIGIBLE_DESPITE);
  }

  const payload: EventPayload<'assessment'> = {
    assessedOn,
    ...(latest ? { hba1cMmolMol: latest.mmolMol } : {}),
    disablingHypoglycaemia: picture.disablingHypoglycaemia,
    mdiTried: picture.mdiTried,
    ...(picture.mdiImpractical !== undefined ? { mdiImpractical: picture.mdiImpractical } : {}),
    ...(picture.currentTechnology.length > 0 ? { currentTechnology: [...picture.currentTechnology] } : {}),
    structuredEducation: picture.structuredEducation,
    ...(picture.pregnancy !== undefined ? { pregnancy: picture.pregnancy } : {}),
    decision,
    ...(rationale ? { rationale } : {}),
    // TA151-1.4: continuing CSII from 12 needs a sustained fall, against a target agreed at the start.
    ...(decision === 'eligible' && referral.therapy === 'csii' && age >= 12
      ? { continuationTargetMmolMol: Math.max(48, (latest?.mmolMol ?? Math.round(patient.meanLevel)) - rng.int(5, 11)) }
      : {}),
    ...(decision === 'deferred' ? { reassessOn: isoOf(day + rng.int(60, 120)) } : {}),
  };
  record(sim, referral, day, { type: 'assessment', decision }, payload, 'consultant', criteria);
}

function fundingRoute(sim: SiteSim, referral: SimReferral, day: number): FundingRoute {
  const { rng } = sim;
  if (referral.therapy === 'csii') return rng.weighted({ routine: 0.5, prior_approval: 0.4, ifr: 0.1 });
  // Before the national rollout a closed loop needed local approval or an individual funding request.
  if (day < HCL_ROLLOUT_DAY) return rng.weighted({ prior_approval: 0.6, ifr: 0.4 });
  return rng.weighted({ national_hcl: 0.88, prior_approval: 0.08, ifr: 0.04 });
}

function fundingReference(sim: SiteSim, route: FundingRoute, decidedOn: string): string | undefined {
  const { rng } = sim;
  const serial = String(rng.int(1, 1999)).padStart(4, '0');
  const year = decidedOn.slice(0, 4);
  if (route === 'ifr') return rng.chance(0.9) ? `IFR-${year}-${serial}` : undefined;
  if (route === 'prior_approval') return rng.chance(0.7) ? `PA-${year}-${serial}` : undefined;
  if (route === 'national_hcl') return rng.chance(0.3) ? `HCL-${sim.site.odsCode}-${serial}` : undefined;
  return undefined;
}

function startDevice(sim: SiteSim, referral: SimReferral, day: number): void {
  const { rng } = sim;
  const { patient } = referral;
  let devices: DeviceSet;
  if (referral.therapy === 'hcl') {
    const system = rng.pick(HCL_SYSTEMS);
    devices = { pump: system.pump, cgm: rng.pick(system.cgms), algorithm: system.algorithm };
  } else {
    devices = { pump: rng.pick(CSII_PUMPS), ...(rng.chance(0.5) ? { cgm: rng.pick(STANDALONE_CGMS) } : {}) };
  }
  record(sim, referral, day, { type: 'device_started' }, { startedOn: isoOf(day), ...devices }, 'nurse');
  referral.startedDay = day;

  // Closed loop helps most; moving to it from a pump alone helps a little less.
  const meanFall = referral.therapy === 'csii' ? 9 : patient.pumpUser ? 7 : 11;
  const fall = Math.min(30, Math.max(-4, rng.normal(meanFall, 5)));
  const baseline = latestResult(patient.hba1c, day, 365);
  applyDeviceEffect(patient.hba1c, day, fall);
  const followUpDay = day + rng.int(150, 210);
  if (followUpDay <= sim.today && rng.chance(FOLLOW_UP_SHARE)) {
    const level = (baseline?.level ?? patient.meanLevel) - fall + rng.normal(0, 3);
    insertResult(patient.hba1c, hba1cResult(followUpDay, level, randomPercentUnit(rng)));
  }
  patient.pumpUser = true;
}

export function review(sim: SiteSim, referral: SimReferral, day: number, discontinue: boolean, reason?: string): void {
  const { rng } = sim;
  const latest = latestResult(referral.patient.hba1c, day, 120);
  const note = reason ?? (discontinue ? rng.pick(DISCONTINUATION_REASONS) : rng.chance(0.3) ? rng.pick(CONTINUE_NOTES) : undefined);
  const payload: EventPayload<'review'> = {
    reviewedOn: isoOf(day),
    ...(latest ? { hba1cMmolMol: latest.mmolMol } : {}),
    ...(rng.chance(0.8) ? { severeHyposSinceStart: rng.chance(0.75) ? 0 : rng.int(1, 4) } : {}),
    decision: discontinue ? 'discontinue' : 'continue',
    ...(note ? { reason: note } : {}),
  };
  record(sim, referral, day, { type: 'review', decision: payload.decision }, payload, rng.chance(0.6) ? 'nurse' : 'consultant');
}

/** Reviews every 6 to 12 months while on therapy, from `from` (the start); a few people stop. */
export function reviewsUntilToday(sim: SiteSim, referral: SimReferral, from = referral.startedDay!): void {
  const { rng } = sim;
  let day = from;
  for (;;) {
    day += rng.int(180, 365);
    if (day > sim.today) return;
    const discontinue = rng.chance(REVIEW_DISCONTINUE_SHARE);
    review(sim, referral, day, discontinue);
    if (discontinue) return;
  }
}

/**
 * The person's pump record (a referral or an existing record) when their closed loop starts: the pump alone stops
 * that day. Reviews simulated beyond it are dropped (they would not have happened), and, if the pump was still on
 * therapy, the system's switched_to_hcl event ends it, as the referral service does in the start's transaction.
 */
export function switchToClosedLoop(pumpReferral: SimReferral, day: number, hclReferralId: string): void {
  while (pumpReferral.events.length > 0 && pumpReferral.events[pumpReferral.events.length - 1]!.day > day) pumpReferral.events.pop();
  const last = pumpReferral.events[pumpReferral.events.length - 1];
  pumpReferral.status = last ? last.statusAfter : 'awaiting_assessment';
  if (pumpReferral.status !== 'on_therapy') return;
  const payload: SwitchPayload = { on: isoOf(day), hclReferralId };
  pumpReferral.events.push({ type: 'switched_to_hcl', day, payload, criteria: null, statusAfter: 'switched', role: null, recordedBy: null });
  pumpReferral.status = 'switched';
}

/** The status the referral had at the end of `day`. */
export function statusOn(referral: SimReferral, day: number): ReferralStatus {
  let status: ReferralStatus = 'awaiting_assessment';
  for (const event of referral.events) {
    if (event.day > day) break;
    status = event.statusAfter;
  }
  return status;
}

/** Runs the referral from its receipt until it ends or today comes, then its reviews once on therapy. */
export function walkReferral(sim: SiteSim, referral: SimReferral): void {
  const { rng } = sim;
  let day = referral.receivedDay;
  let dueDay = day;
  let deferrals = 0;
  let moreInfo = 0;
  let route: FundingRoute | null = null;

  for (;;) {
    const regime = regimeOn(sim.regimeSite, day);
    switch (referral.status) {
      case 'awaiting_assessment':
      case 'deferred': {
        const next = dueDay + sampleWait(rng, referral.status === 'deferred' ? [0, 28] : regime.assess);
        if (withdrawsFirst(sim, referral, day, next - day, regime) || next > sim.today) return;
        assess(sim, referral, next, deferrals < MAX_DEFERRALS && rng.chance(regime.deferral));
        day = next;
        if (referral.status === 'deferred') {
          deferrals++;
          const payload = referral.events[referral.events.length - 1]!.payload as EventPayload<'assessment'>;
          dueDay = dayOf(payload.reassessOn!);
          // Deferrals are mostly for structured education, which is then done.
          if (!referral.picture.structuredEducation && rng.chance(0.8)) referral.picture.structuredEducation = true;
        }
        break;
      }
      case 'awaiting_funding_request':
      case 'funding_more_info': {
        const wait = sampleWait(rng, referral.status === 'funding_more_info' ? regime.reply : regime.request);
        if (withdrawsFirst(sim, referral, day, wait, regime) || day + wait > sim.today) return;
        day += wait;
        route ??= fundingRoute(sim, referral, day);
        record(sim, referral, day, { type: 'funding_requested' }, { submittedOn: isoOf(day), commissioner: sim.icb, route }, rng.chance(0.8) ? 'nurse' : 'consultant');
        break;
      }
      case 'awaiting_funding_decision': {
        const wait = sampleWait(rng, regime.decision);
        if (withdrawsFirst(sim, referral, day, wait, regime) || day + wait > sim.today) return;
        day += wait;
        const odds = moreInfo >= MAX_MORE_INFO ? { ...regime.outcome, more_info: 0 } : regime.outcome;
        const outcome = rng.weighted(odds);
        if (outcome === 'more_info') moreInfo++;
        const decidedOn = isoOf(day);
        const reference = outcome === 'more_info' ? undefined : fundingReference(sim, route!, decidedOn);
        record(sim, referral, day, { type: 'funding_decision', outcome }, { decidedOn, outcome, ...(reference ? { reference } : {}) }, rng.chance(0.8) ? 'nurse' : 'consultant');
        break;
      }
      case 'awaiting_start': {
        const wait = sampleWait(rng, regime.start);
        if (withdrawsFirst(sim, referral, day, wait, regime) || day + wait > sim.today) return;
        day += wait;
        startDevice(sim, referral, day);
        reviewsUntilToday(sim, referral);
        return;
      }
      default:
        // not_eligible, funding_declined, withdrawn: the referral's story is over.
        return;
    }
  }
}
