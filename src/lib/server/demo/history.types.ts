import type { Role } from '../../domain/access';
import type { EligibilityResult } from '../../domain/eligibility';
import type { RecordEventType, ReferralStatus } from '../../domain/pathway';
import type { DiabetesType, EthnicCategory, PriorityGroup, ReferralOrigin, ReferralSource, Sex, Therapy } from '../../domain/vocabulary';
import type { ExistingTherapyPayload } from '../../domain/existing-therapy';
import type { EventPayload } from '../../schemas/referrals.schema';
import type { SiteProfile } from './history.regimes';

export type { SiteProfile } from './history.regimes';

/** What the system records when a closed loop start ends a pump record. */
export interface SwitchPayload {
  on: string;
  hclReferralId: string;
}

/** An event's payload: a recorded step's, an existing record's first event's, or the system's switch. */
export type SimPayload = EventPayload | ExistingTherapyPayload | SwitchPayload;

/** Rows as they are loaded, with their ids already chosen, so referrals and events can point at them before loading. */
export interface PatientRow {
  id: string;
  siteId: string;
  nhsNumber: string | null;
  fhirId: string | null;
  fhirServer: string | null;
  fhirFetchedAt: Date | null;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: Sex;
  diabetesType: DiabetesType;
  ethnicCategory: EthnicCategory | null;
  postcode: string | null;
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
  origin: ReferralOrigin;
  receivedOn: string | null;
  source: ReferralSource | null;
  knownOn: string | null;
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
  type: RecordEventType;
  occurredOn: string;
  payload: SimPayload;
  criteria: EligibilityResult | null;
  statusAfter: ReferralStatus;
  recordedBy: string | null;
  recordedRole: Role | null;
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
  /** Which of the site's possible histories to simulate: each number its own random stream; 0 (the default) the one its ODS code names. */
  variant?: number;
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
  /** People already on a pump or closed loop on the history's first day; without it, none. */
  caseload?: CaseloadOptions;
}

export interface CaseloadOptions {
  /** Their share of each site's type 1 population (each site a little either side of it). */
  share: number;
  /** The FHIR server one closed loop user per site was imported from, without an NHS number; without it, none is. */
  fhirServerId?: string;
}

export interface GeneratedHistory {
  patients: PatientRow[];
  observations: ObservationRow[];
  referrals: ReferralRow[];
  events: ReferralEventRow[];
}
