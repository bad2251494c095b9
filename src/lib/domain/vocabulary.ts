/**
 * The product's words for what it records, each list spelled once: the database enums, the API's schemas, the
 * rule engine, the pages' labels and the demo all read them from here. A list's order is that of its database
 * enum (where it has one) and of the API's documented values, so reordering one changes the database (a
 * migration) and the OpenAPI document. The pathway's own words (statuses, event types, decisions, outcomes) are
 * in pathway.ts, roles in access.ts.
 */

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

export const DIABETES_TYPES = ['type1', 'type2', 'other', 'unknown'] as const;
export type DiabetesType = (typeof DIABETES_TYPES)[number];

/** Continuous subcutaneous insulin infusion (an insulin pump, NICE TA151) or hybrid closed loop (TA943). */
export const THERAPIES = ['csii', 'hcl'] as const;
export type Therapy = (typeof THERAPIES)[number];

/**
 * How a referral came to be recorded: through the pathway (referred, assessed, funded, started here), or as a
 * person already on therapy when the service began to use the product (or who transferred in).
 */
export const REFERRAL_ORIGINS = ['pathway', 'existing'] as const;
export type ReferralOrigin = (typeof REFERRAL_ORIGINS)[number];

/** Who pays for an existing therapy: the NHS, or someone else (self-funded, a charity, an insurer). */
export const FUNDING_KINDS = ['nhs', 'non_nhs'] as const;
export type FundingKind = (typeof FUNDING_KINDS)[number];

export const REFERRAL_SOURCES = ['gp', 'consultant', 'self', 'other_service'] as const;
export type ReferralSource = (typeof REFERRAL_SOURCES)[number];

export const PRIORITY_GROUPS = ['child', 'pregnancy', 'existing_pump_user', 'adult'] as const;
export type PriorityGroup = (typeof PRIORITY_GROUPS)[number];

/** What a person already uses when assessed: an insulin pump, real-time CGM, intermittently scanned CGM. */
export const CURRENT_TECHNOLOGIES = ['csii', 'rtcgm', 'iscgm'] as const;
export type CurrentTechnology = (typeof CURRENT_TECHNOLOGIES)[number];

export const FUNDING_ROUTES = ['routine', 'prior_approval', 'ifr', 'national_hcl'] as const;
export type FundingRoute = (typeof FUNDING_ROUTES)[number];

export const WITHDRAWAL_REASONS = ['patient_declined', 'did_not_attend', 'moved_away', 'died', 'other'] as const;
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];

export const DEVICE_KINDS = ['pump', 'cgm', 'algorithm'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Where an HbA1c result came from: typed in by a clinician, or imported from a FHIR server. */
export const OBSERVATION_SOURCES = ['manual', 'fhir'] as const;
export type ObservationSource = (typeof OBSERVATION_SOURCES)[number];

/** The conditions read from a FHIR server's records. */
export const CONDITION_KINDS = ['diabetes_type1', 'diabetes_type2', 'diabetes_other', 'hypoglycaemia'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/** Strongest first: the metrics group a site by the strongest mode it has received. */
export const FACILITATION_MODES = ['active', 'passive', 'none'] as const;
export type FacilitationMode = (typeof FACILITATION_MODES)[number];

export const FACILITATION_KINDS = ['site_visit', 'workshop', 'business_case_support', 'web_resource', 'peer_network', 'other'] as const;
export type FacilitationKind = (typeof FACILITATION_KINDS)[number];

export const BARRIER_CATEGORIES = ['funding', 'staffing', 'clinician_receptiveness', 'training_capacity', 'patient_education', 'it_data', 'other'] as const;
export type BarrierCategory = (typeof BARRIER_CATEGORIES)[number];

/** Where a site's type 1 population count came from: entered by an admin, or counted on the FHIR server. */
export const POPULATION_SOURCES = ['manual', 'fhir'] as const;
export type PopulationSource = (typeof POPULATION_SOURCES)[number];

/**
 * The NHS Data Dictionary's ethnic category letters (the 2001 census groups): A to H, J to N, P, R and S, and Z
 * for "not stated". I, O and Q are not used, being easily misread as 1 and 0.
 */
export const ETHNIC_CATEGORIES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'Z'] as const;
export type EthnicCategory = (typeof ETHNIC_CATEGORIES)[number];
