import type { GroupBy, WaitName } from './domain/metrics';
import type { TimeBin } from './domain/metrics-series';
import type { EventType, ReferralStatus } from './domain/pathway';

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
};

export const EVENT_LABEL: Record<EventType, string> = {
  assessment: 'Eligibility assessment',
  funding_requested: 'Funding requested',
  funding_decision: 'Funding decision',
  device_started: 'Device started',
  review: 'Review',
  withdrawn: 'Withdrawn',
};

export const THERAPY_LABEL = { csii: 'Insulin pump (CSII)', hcl: 'Hybrid closed loop (HCL)' } as const;
export const SOURCE_LABEL = { gp: 'GP', consultant: 'Consultant', self: 'Self-referral', other_service: 'Another service' } as const;
export const PRIORITY_LABEL = { child: 'Child or young person', pregnancy: 'Pregnancy', existing_pump_user: 'Existing pump user', adult: 'Adult' } as const;
export const DIABETES_TYPE_LABEL = { type1: 'Type 1', type2: 'Type 2', other: 'Other', unknown: 'Unknown' } as const;
export const SEX_LABEL = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' } as const;
export const ROUTE_LABEL = { routine: 'Routine commissioning', prior_approval: 'Prior approval', ifr: 'Individual funding request', national_hcl: 'National HCL programme' } as const;
export const OUTCOME_LABEL = { approved: 'Approved', declined: 'Declined', more_info: 'More information asked' } as const;
export const WITHDRAWAL_LABEL = { patient_declined: 'Patient declined', did_not_attend: 'Did not attend', moved_away: 'Moved away', died: 'Died', other: 'Other' } as const;
export const TECHNOLOGY_LABEL = { csii: 'Insulin pump', rtcgm: 'Real-time CGM', iscgm: 'Intermittently scanned CGM' } as const;
export const FACILITATION_MODE_LABEL = { active: 'Active (hands-on)', passive: 'Passive (e.g. a web toolkit)', none: 'None' } as const;
export const FACILITATION_KIND_LABEL = {
  site_visit: 'Site visit',
  workshop: 'Workshop',
  business_case_support: 'Business case support',
  web_resource: 'Web resource',
  peer_network: 'Peer network',
  other: 'Other',
} as const;
export const BARRIER_LABEL = {
  funding: 'Funding',
  staffing: 'Staffing',
  clinician_receptiveness: 'Clinician receptiveness',
  training_capacity: 'Training capacity',
  patient_education: 'Patient education',
  it_data: 'IT and data',
  other: 'Other',
} as const;

/** The metrics' groups, named as a comparison of them: "Sites compared". */
export const GROUP_BY_LABEL: Record<GroupBy, string> = { site: 'Sites', icb: 'ICBs', facilitation: 'Facilitation modes' };
export const TIME_BIN_LABEL: Record<TimeBin, string> = { month: 'Month', quarter: 'Quarter' };
export const WAIT_LABEL: Record<WaitName, string> = {
  referralToAssessment: 'Referral to assessment',
  assessmentToFundingDecision: 'Assessment to funding decision',
  fundingApprovalToStart: 'Funding approval to start',
  referralToStart: 'Referral to start',
};
