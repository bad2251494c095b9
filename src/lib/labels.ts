import type { Hba1cUnit } from './domain/hba1c';
import type { GroupBy, WaitName } from './domain/metrics';
import type { TimeBin } from './domain/metrics-series';
import type { FundingOutcome, RecordEventType, ReferralStatus } from './domain/pathway';
import type {
  BarrierCategory,
  CurrentTechnology,
  DiabetesType,
  EthnicCategory,
  FacilitationKind,
  FacilitationMode,
  FundingKind,
  FundingRoute,
  PopulationSource,
  PriorityGroup,
  ReferralSource,
  Sex,
  Therapy,
  WithdrawalReason,
} from './domain/vocabulary';

/** Words on screen for the pathway's codes. */
export const STATUS_LABEL: Record<ReferralStatus, string> = {
  awaiting_assessment: 'Awaiting assessment',
  deferred: 'Deferred',
  not_eligible: 'Not eligible',
  awaiting_funding_request: 'Awaiting funding request',
  awaiting_funding_decision: 'Awaiting funding decision',
  funding_more_info: 'Funding: more information asked',
  funding_declined: 'Funding declined',
  awaiting_start: 'Awaiting start',
  on_therapy: 'On therapy',
  discontinued: 'Discontinued',
  withdrawn: 'Withdrawn',
  switched: 'Switched to closed loop',
};

/** nhsuk tag colours: blue in progress, green on therapy, grey closed, red refused, yellow waiting on others. */
export const STATUS_TAG: Record<ReferralStatus, string> = {
  awaiting_assessment: 'nhsuk-tag--blue',
  deferred: 'nhsuk-tag--yellow',
  not_eligible: 'nhsuk-tag--red',
  awaiting_funding_request: 'nhsuk-tag--blue',
  awaiting_funding_decision: 'nhsuk-tag--yellow',
  funding_more_info: 'nhsuk-tag--yellow',
  funding_declined: 'nhsuk-tag--red',
  awaiting_start: 'nhsuk-tag--blue',
  on_therapy: 'nhsuk-tag--green',
  discontinued: 'nhsuk-tag--grey',
  withdrawn: 'nhsuk-tag--grey',
  switched: 'nhsuk-tag--grey',
};

export const EVENT_LABEL: Record<RecordEventType, string> = {
  assessment: 'Eligibility assessment',
  funding_requested: 'Funding requested',
  funding_decision: 'Funding decision',
  device_started: 'Device started',
  review: 'Review',
  withdrawn: 'Withdrawn',
  existing_therapy: 'Already on therapy',
  switched_to_hcl: 'Switched to closed loop',
};

export const THERAPY_LABEL: Record<Therapy, string> = { csii: 'Insulin pump (CSII)', hcl: 'Hybrid closed loop (HCL)' };
export const FUNDING_KIND_LABEL: Record<FundingKind, string> = { nhs: 'NHS funded', non_nhs: 'Not NHS funded' };
export const SOURCE_LABEL: Record<ReferralSource, string> = { gp: 'GP', consultant: 'Consultant', self: 'Self-referral', other_service: 'Another service' };
export const PRIORITY_LABEL: Record<PriorityGroup, string> = { child: 'Child or young person', pregnancy: 'Pregnancy', existing_pump_user: 'Existing pump user', adult: 'Adult' };
export const DIABETES_TYPE_LABEL: Record<DiabetesType, string> = { type1: 'Type 1', type2: 'Type 2', other: 'Other', unknown: 'Unknown' };
/** The NHS Data Dictionary's words for each ethnic category letter. */
export const ETHNIC_CATEGORY_LABEL: Record<EthnicCategory, string> = {
  A: 'White: British',
  B: 'White: Irish',
  C: 'White: any other White background',
  D: 'Mixed: White and Black Caribbean',
  E: 'Mixed: White and Black African',
  F: 'Mixed: White and Asian',
  G: 'Mixed: any other mixed background',
  H: 'Asian or Asian British: Indian',
  J: 'Asian or Asian British: Pakistani',
  K: 'Asian or Asian British: Bangladeshi',
  L: 'Asian or Asian British: any other Asian background',
  M: 'Black or Black British: Caribbean',
  N: 'Black or Black British: African',
  P: 'Black or Black British: any other Black background',
  R: 'Other ethnic groups: Chinese',
  S: 'Other ethnic groups: any other ethnic group',
  Z: 'Not stated',
};
export const SEX_LABEL: Record<Sex, string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };
export const ROUTE_LABEL: Record<FundingRoute, string> = { routine: 'Routine commissioning', prior_approval: 'Prior approval', ifr: 'Individual funding request', national_hcl: 'National HCL programme' };
export const OUTCOME_LABEL: Record<FundingOutcome, string> = { approved: 'Approved', declined: 'Declined', more_info: 'More information asked' };
export const WITHDRAWAL_LABEL: Record<WithdrawalReason, string> = { patient_declined: 'Patient declined', did_not_attend: 'Did not attend', moved_away: 'Moved away', died: 'Died', other: 'Other' };
export const TECHNOLOGY_LABEL: Record<CurrentTechnology, string> = { csii: 'Insulin pump', rtcgm: 'Real-time CGM', iscgm: 'Intermittently scanned CGM' };
export const FACILITATION_MODE_LABEL: Record<FacilitationMode, string> = { active: 'Active (hands-on)', passive: 'Passive (e.g. a web toolkit)', none: 'None' };
export const FACILITATION_KIND_LABEL: Record<FacilitationKind, string> = {
  site_visit: 'Site visit',
  workshop: 'Workshop',
  business_case_support: 'Business case support',
  web_resource: 'Web resource',
  peer_network: 'Peer network',
  other: 'Other',
};
export const BARRIER_LABEL: Record<BarrierCategory, string> = {
  funding: 'Funding',
  staffing: 'Staffing',
  clinician_receptiveness: 'Clinician receptiveness',
  training_capacity: 'Training capacity',
  patient_education: 'Patient education',
  it_data: 'IT and data',
  other: 'Other',
};

/** The metrics' groups, named as a comparison of them: "Sites compared". */
export const GROUP_BY_LABEL: Record<GroupBy, string> = { site: 'Sites', icb: 'ICBs', facilitation: 'Facilitation modes' };
export const TIME_BIN_LABEL: Record<TimeBin, string> = { month: 'Month', quarter: 'Quarter' };
export const WAIT_LABEL: Record<WaitName, string> = {
  referralToAssessment: 'Referral to assessment',
  assessmentToFundingDecision: 'Assessment to funding decision',
  fundingApprovalToStart: 'Funding approval to start',
  referralToStart: 'Referral to start',
};

export const POPULATION_SOURCE_LABEL: Record<PopulationSource, string> = { manual: 'Entered by hand', fhir: 'Counted on the FHIR server' };

/** What each audited action did, in words; a referral's pathway step reads as its event. */
export const AUDIT_ACTION_LABEL: Record<string, string> = {
  'auth.login': 'Signed in',
  'auth.logout': 'Signed out',
  'auth.login_failed': 'Sign-in failed',
  'patient.create': 'Patient added',
  'patient.import': 'Patient imported from the hospital record (FHIR)',
  'patient.update': 'Patient details changed',
  'observation.create': 'HbA1c result added',
  'referral.create': 'Referral added',
  'referral.existing_therapy': 'Existing therapy recorded',
  'referral.switched_to_hcl': 'Switched to closed loop',
  'site.create': 'Site added',
  'site.update': 'Site details changed',
  'site.population_count': 'Type 1 population entered',
  'site.population_sync': 'Type 1 population counted on the FHIR server',
  'facilitation.create': 'Facilitation activity logged',
  'barrier.create': 'Barrier recorded',
  'barrier.update': 'Barrier resolved or reopened',
  'device.create': 'Device added to the catalogue',
  'device.update': 'Device changed',
  'user.create': 'User added',
  'user.close': 'Account closed',
  'user.reopen': 'Account opened again',
  'user.sso_linked': 'Linked to single sign-on',
  'user.totp_started': 'Authenticator app being added',
  'user.totp_enabled': 'Authenticator app turned on',
  'user.totp_disabled': 'Authenticator app removed',
  'user.totp_reset': 'Authenticator app reset by an administrator',
  'import.caseload': 'Caseload imported',
  'export.national_hcl': 'National HCL return exported',
  'demo.seed': 'Demo data loaded',
};

/** Why a sign-in was refused, as the audit trail says it (the `reason` an `auth.login_failed` entry records). */
export const SIGN_IN_REFUSAL_LABEL: Record<string, string> = {
  credentials: 'Email or password not right',
  wrong_code: 'Authenticator or recovery code not right',
  account_inactive: 'Account closed',
  password_sign_in_off: 'Password sign-in is turned off',
  unknown_person: 'No account for this person',
  email_not_verified: 'Email not confirmed by the identity provider',
  linked_to_another_identity: 'Account linked to another person at the identity provider',
  state_mismatch: 'Sign-in link out of date or not started here',
  provider_refused: 'The identity provider refused',
  invalid_response: "The identity provider's answer failed a check",
  provider_unreachable: 'The identity provider could not be reached',
  provider_timeout: 'The identity provider did not answer in time',
};

export function auditActionLabel(action: string): string {
  const known = AUDIT_ACTION_LABEL[action];
  if (known) return known;
  const step = action.startsWith('referral.') ? EVENT_LABEL[action.slice('referral.'.length) as RecordEventType] : undefined;
  return step ? `${step} recorded` : action;
}

/** HbA1c units as forms offer them: the UK's IFCC unit first, DCCT % as older and imported results give it. */
export const HBA1C_UNIT_LABEL: Record<Hba1cUnit, string> = { 'mmol/mol': 'mmol/mol (IFCC)', '%': '% (DCCT)' };
