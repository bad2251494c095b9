import type { Role } from '../../domain/access';
import { dayNumber } from '../../domain/calendar-date';
import type { EligibilityResult } from '../../domain/eligibility';
import type { EventType, ReferralStatus } from '../../domain/pathway';
import type { CurrentTechnology, DiabetesType, PriorityGroup, ReferralSource, Sex, Therapy } from '../../domain/vocabulary';
import type { EventPayload } from '../../schemas/referrals.schema';
import type { SimHba1c } from './history.hba1c';
import type { RegimeSite } from './history.regimes';
import type { HistorySite, SiteClinicians } from './history.types';
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
  nhsNumber: string;
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
  type: EventType;
  day: number;
  payload: EventPayload;
  criteria: EligibilityResult | null;
  statusAfter: ReferralStatus;
  role: ClinicalRole;
  recordedBy: string | null;
}

export interface SimReferral {
  id: string;
  patient: SimPatient;
  therapy: Therapy;
  receivedDay: number;
  source: ReferralSource;
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
