import type { Role } from '../../domain/access';
import { dayNumber } from '../../domain/calendar-date';
import type { EligibilityResult } from '../../domain/eligibility';
import type { RecordEventType, ReferralStatus } from '../../domain/pathway';
import type { CurrentTechnology, DiabetesType, PriorityGroup, ReferralOrigin, ReferralSource, Sex, Therapy } from '../../domain/vocabulary';
import type { SimHba1c } from './history.hba1c';
import type { RegimeSite } from './history.regimes';
import type { HistorySite, SimPayload, SiteClinicians } from './history.types';
import type { Prng } from './prng';

/**
 * The simulation's working state: people, referrals and events before they become rows. Days are integers
 * (see history.days.ts); ids are chosen when a person or referral is created, so rows can point at each other.
 */

export type ClinicalRole = Extract<Role, 'nurse' | 'consultant'>;

/** NHS England's phased rollout of hybrid closed loop under NICE TA943 began in April 2024. */
export const HCL_ROLLOUT_DAY = dayNumber('2024-04-01');

export interface SimPatient {
  id: string;
  siteId: string;
  /** Null only for someone imported from a FHIR record that carries none. */
  nhsNumber: string | null;
  /** The FHIR record the person was imported from, if any. */
  fhir: { server: string; id: string } | null;
  givenName: string;
  familyName: string;
  sex: Sex;
  birthDate: string;
  diabetesType: DiabetesType;
  /** The person's usual HbA1c before any device, in mmol/mol. */
  meanLevel: number;
  hba1c: SimHba1c[];
  /** Already on a pump (before the history, or since a CSII start in it). */
  pumpUser: boolean;
  cgm: Extract<CurrentTechnology, 'rtcgm' | 'iscgm'> | null;
  /** The day the person left the service's care (moved away, died): no results after it. */
  leftOn: number | null;
  createdDay: number;
  referralCount: number;
}

/** What the assessing consultant finds; fixed per referral, except what changes while it is deferred. */
export interface ClinicalPicture {
  disablingHypoglycaemia: boolean;
  mdiTried: boolean;
  mdiImpractical?: boolean;
  currentTechnology: CurrentTechnology[];
  structuredEducation: boolean;
  pregnancy?: boolean;
}

export interface SimEvent {
  type: RecordEventType;
  day: number;
  payload: SimPayload;
  criteria: EligibilityResult | null;
  statusAfter: ReferralStatus;
  /** Null for the system's own event (the switch to closed loop). */
  role: ClinicalRole | null;
  recordedBy: string | null;
}

export interface SimReferral {
  id: string;
  patient: SimPatient;
  therapy: Therapy;
  /** A pathway referral, or an existing-therapy record (someone on therapy before the service used the product). */
  origin: ReferralOrigin;
  /** The day it was received; for an existing record, the day the service knew the person to be on therapy. */
  receivedDay: number;
  /** Null for an existing record, which was never received as a referral. */
  source: ReferralSource | null;
  priorityGroup: PriorityGroup | null;
  picture: ClinicalPicture;
  /** A second referral may not end with the person leaving the service: their first one would then need closing too. */
  isSecond: boolean;
  events: SimEvent[];
  status: ReferralStatus;
  startedDay: number | null;
}

/** Everything the simulation of one site needs. */
export interface SiteSim {
  site: HistorySite;
  regimeSite: RegimeSite;
  icb: string;
  clinicians: SiteClinicians;
  rng: Prng;
  today: number;
  /** The latest instant a row may be stamped with (HistoryOptions.now), in ms since the epoch. */
  latestStamp: number;
}
