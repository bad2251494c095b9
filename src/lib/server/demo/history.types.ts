import type { Role } from '../../domain/access';
import type { EligibilityResult } from '../../domain/eligibility';
import type { EventType, ReferralStatus } from '../../domain/pathway';
import type { DiabetesType, PriorityGroup, ReferralSource, Sex, Therapy } from '../../domain/vocabulary';
import type { EventPayload } from '../../schemas/referrals.schema';
import type { SiteProfile } from './history.regimes';

export type { SiteProfile } from './history.regimes';

/** Rows as they are loaded, with their ids already chosen, so referrals and events can point at them before loading. */
export interface PatientRow {
  id: string;
  siteId: string;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: Sex;
  diabetesType: DiabetesType;
  createdAt: Date;
  updatedAt: Date;
}

export interface ObservationRow {
  id: string;
  patientId: string;
  kind: 'hba1c';
  effective: string;
  effectiveAt: Date;
  mmolMol: number;
  originalValue: string;
  originalUnit: string;
  source: 'manual';
  enteredBy: string | null;
  createdAt: Date;
}

export interface ReferralRow {
  id: string;
  patientId: string;
  siteId: string;
  therapy: Therapy;
  status: ReferralStatus;
  receivedOn: string;
  source: ReferralSource;
  priorityGroup: PriorityGroup | null;
  lastEventOn: string;
  reassessOn: string | null;
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReferralEventRow {
  id: string;
  referralId: string;
  seq: number;
  type: EventType;
  occurredOn: string;
  payload: EventPayload;
  criteria: EligibilityResult | null;
  statusAfter: ReferralStatus;
  recordedBy: string | null;
  recordedRole: Role;
  recordedAt: Date;
}

export interface HistorySite {
  id: string;
  odsCode: string;
  profile: SiteProfile;
  /** For 'active' sites: the day hands-on facilitation began (YYYY-MM-DD); absent means facilitated throughout. */
  facilitationStartsOn?: string;
  /** Scales the site's share of referrals: a bigger service receives more. */
  t1dPopulation: number;
  /** The commissioner funding requests go to; a made-up ICB is chosen when absent. */
  icb?: string;
}

export interface SiteClinicians {
  nurseId?: string;
  consultantId?: string;
}

export interface HistoryOptions {
  seed: number;
  /** YYYY-MM-DD: nothing is dated after it. */
  today: string;
  /** How far back referrals go. */
  years: number;
  sites: readonly HistorySite[];
  /** Referrals per site per year for a site of average t1dPopulation among `sites`. */
  referralsPerSitePerYear: number;
  /**
   * The moment the history is made: no timestamp is later, so that nothing looks recorded in the future when it
   * is made early on `today`. Without it, `today`'s working hours are used as they are.
   */
  now?: Date;
  /** Who records events at each site (keyed by site id); without them recordedBy is null. */
  clinicians?: Readonly<Record<string, SiteClinicians>>;
}

export interface GeneratedHistory {
  patients: PatientRow[];
  observations: ObservationRow[];
  referrals: ReferralRow[];
  events: ReferralEventRow[];
}
