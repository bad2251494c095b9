import type { Prng } from './prng';

/**
 * How a site runs its pathway, after Llewellyn et al. 2018 (the demo sites in the README's "Quick start"): hands-on
 * facilitation helped receptive sites, a passive web toolkit did little, funding barriers persisted. Each
 * profile is a set of waits (in days) and odds; the simulation reads the regime in force on the day each step
 * begins, so a referral received before facilitation but assessed after it gets the faster service.
 */

export type SiteProfile = 'active' | 'passive' | 'none';

/** [shortest, longest] wait in days; most waits fall near the middle. */
export type DayRange = readonly [number, number];

export interface Regime {
  /** Referral (or due reassessment) to assessment. */
  assess: DayRange;
  /** Eligible assessment to the funding request. */
  request: DayRange;
  /** Funding request to the commissioner's decision. */
  decision: DayRange;
  /** A request for more information to the resubmission. */
  reply: DayRange;
  /** Funding approval to the device start. */
  start: DayRange;
  /** Odds of each funding outcome. */
  outcome: { approved: number; declined: number; more_info: number };
  /** Chance that a consultant defers an assessment. */
  deferral: number;
  /** Chance, at each step before therapy, that the person withdraws first. */
  withdrawal: number;
}

/** 'none': a receptive site that went ahead on its own: steady, good performance throughout. */
const STEADY: Regime = {
  assess: [21, 60],
  request: [0, 14],
  decision: [21, 56],
  reply: [10, 35],
  start: [28, 77],
  outcome: { approved: 0.84, declined: 0.05, more_info: 0.11 },
  deferral: 0.05,
  withdrawal: 0.025,
};

/** 'active' before its facilitation begins: willing but stuck. */
const UNFACILITATED: Regime = {
  assess: [42, 120],
  request: [7, 45],
  decision: [35, 100],
  reply: [30, 90],
  start: [42, 110],
  outcome: { approved: 0.62, declined: 0.14, more_info: 0.24 },
  deferral: 0.1,
  withdrawal: 0.045,
};

/** 'active' once hands-on facilitation has begun: assessments in 3-6 weeks, decisions in 4-8, starts in 4-10. */
const FACILITATED: Regime = {
  assess: [21, 42],
  request: [0, 10],
  decision: [28, 56],
  reply: [7, 28],
  start: [28, 70],
  outcome: { approved: 0.86, declined: 0.04, more_info: 0.1 },
  deferral: 0.04,
  withdrawal: 0.02,
};

/** 'passive': a web toolkit only. Clinics assess and apply, but funding stalls for months and often fails. */
const TOOLKIT_ONLY: Regime = {
  assess: [28, 75],
  request: [7, 45],
  decision: [100, 320],
  reply: [30, 120],
  start: [56, 120],
  outcome: { approved: 0.3, declined: 0.27, more_info: 0.43 },
  deferral: 0.06,
  withdrawal: 0.04,
};

export interface RegimeSite {
  profile: SiteProfile;
  /** Day number (days since 1970-01-01) on which hands-on facilitation began, for 'active' sites. */
  facilitationDay: number | null;
}

export function regimeOn(site: RegimeSite, day: number): Regime {
  switch (site.profile) {
    case 'none':
      return STEADY;
    case 'passive':
      return TOOLKIT_ONLY;
    case 'active':
      // An active site without a start date has been facilitated throughout.
      return site.facilitationDay === null || day >= site.facilitationDay ? FACILITATED : UNFACILITATED;
  }
}

/**
 * Referrals arriving per day relative to the site's usual rate: facilitation also raises awareness among
 * referrers, so an active site receives more once it has begun.
 */
export function referralIntensity(site: RegimeSite, day: number): number {
  return site.profile === 'active' && site.facilitationDay !== null && day >= site.facilitationDay ? 1.4 : 1;
}

/** A wait within the range, peaked in the middle (the mean of two uniform draws), with a rare long tail. */
export function sampleWait(rng: Prng, [low, high]: DayRange): number {
  const wait = low + Math.round(((rng.next() + rng.next()) / 2) * (high - low));
  return rng.chance(0.04) ? wait + rng.int(0, high - low) : wait;
}
