import { z } from 'zod';
import { HBA1C_MMOL_MOL_MAX, HBA1C_MMOL_MOL_MIN } from '../domain/hba1c';
import { ASSESSMENT_DECISIONS, EVENT_TYPES, FUNDING_OUTCOMES, RECORD_EVENT_TYPES, REFERRAL_STATUSES, REVIEW_DECISIONS } from '../domain/pathway';
import { RULE_IDS, SUGGESTIONS } from '../domain/eligibility';
import {
  CURRENT_TECHNOLOGIES,
  FUNDING_KINDS,
  FUNDING_ROUTES,
  PRIORITY_GROUPS,
  REFERRAL_ORIGINS,
  REFERRAL_SOURCES,
  THERAPIES,
  WITHDRAWAL_REASONS,
} from '../domain/vocabulary';
import { isoDate, listQuery, oneOf, trimmed, uuid, version } from './common.schema';

// Kept for the funding series service, which imports it from here.
export { FUNDING_ROUTES };

const hba1cMmolMol = z
  .int('HbA1c must be a whole number of mmol/mol')
  .min(HBA1C_MMOL_MOL_MIN, `HbA1c must be at least ${HBA1C_MMOL_MOL_MIN} mmol/mol`)
  .max(HBA1C_MMOL_MOL_MAX, `HbA1c must be at most ${HBA1C_MMOL_MOL_MAX} mmol/mol`);
const optionalText = (max: number, label: string) => trimmed(max, label).optional();

export const createPathwayReferralBody = z
  .object({
    patientId: uuid,
    therapy: oneOf('Therapy', THERAPIES),
    origin: z.literal('pathway').optional().describe('Absent or `pathway`: a referral starting the pathway.'),
    receivedOn: isoDate,
    source: oneOf('Source', REFERRAL_SOURCES),
    priorityGroup: oneOf('Priority group', PRIORITY_GROUPS).optional(),
  })
  .strict()
  .meta({ id: 'NewPathwayReferral' });

/** The earliest year a start can be recorded in: before pumps were in use, a year is a typing slip. */
export const EARLIEST_START_YEAR = 1970;

export const createExistingTherapyBody = z
  .object({
    patientId: uuid,
    therapy: oneOf('Therapy', THERAPIES),
    origin: z.literal('existing'),
    startedOn: isoDate.optional().describe('The start date, when known.'),
    startedYear: z
      .int('Year started must be a whole year, such as 2019')
      .min(EARLIEST_START_YEAR, `Year started must be ${EARLIEST_START_YEAR} or later`)
      .max(9999, 'Year started must be a four-digit year')
      .optional()
      .describe('The start year, when only that is known; must agree with startedOn when both are given. Both absent: the start is unknown.'),
    knownOn: isoDate.describe('The date the service knew the person to be on this therapy: no later than today, no earlier than startedOn.'),
    pump: trimmed(200, 'Pump'),
    cgm: optionalText(200, 'CGM'),
    algorithm: optionalText(200, 'Algorithm'),
    funding: oneOf('Funding', FUNDING_KINDS),
  })
  .strict()
  .meta({ id: 'NewExistingTherapy' });

export const createReferralBody = z.discriminatedUnion('origin', [createPathwayReferralBody, createExistingTherapyBody], {
  error: 'origin must be pathway (or absent) or existing',
});

/** One schema per event type: the payloads of the events table in docs/pathway.md. */
export const assessmentEvent = z
  .object({
    type: z.literal('assessment'),
    version,
    assessedOn: isoDate,
    hba1cMmolMol: hba1cMmolMol.optional().describe("The assessor's HbA1c; when absent the latest within 12 months before the assessment is used."),
    disablingHypoglycaemia: z.boolean('Say whether there is disabling hypoglycaemia'),
    mdiTried: z
      .boolean('Say whether multiple daily injections have been tried')
      .optional()
      .describe('Required for a CSII referral (NICE TA151); optional for HCL, whose rules (TA943) do not ask it.'),
    mdiImpractical: z.boolean().optional().describe('TA151-1.2, for children under 12 on a CSII referral.'),
    currentTechnology: z.array(z.enum(CURRENT_TECHNOLOGIES)).max(3).optional(),
    structuredEducation: z.boolean('Say whether structured education has been had or offered'),
    pregnancy: z.boolean().optional(),
    decision: oneOf('Decision', ASSESSMENT_DECISIONS),
    rationale: optionalText(4000, 'Rationale').describe('Required when the decision differs from the rule engine\'s suggestion.'),
    continuationTargetMmolMol: hba1cMmolMol.optional().describe('The HbA1c the patient and consultant agree to reach for therapy to continue (TA151-1.4).'),
    reassessOn: isoDate
      .optional()
      .describe('For a deferred decision: when the referral returns to the eligibility queue. Defaults to 90 days after assessedOn. Ignored for other decisions.'),
  })
  .strict();

export const fundingRequestedEvent = z
  .object({
    type: z.literal('funding_requested'),
    version,
    submittedOn: isoDate,
    commissioner: trimmed(200, 'Commissioner'),
    route: oneOf('Route', FUNDING_ROUTES),
  })
  .strict();

export const fundingDecisionEvent = z
  .object({
    type: z.literal('funding_decision'),
    version,
    decidedOn: isoDate,
    outcome: oneOf('Outcome', FUNDING_OUTCOMES),
    reference: optionalText(200, 'Reference'),
  })
  .strict();

export const deviceStartedEvent = z
  .object({
    type: z.literal('device_started'),
    version,
    startedOn: isoDate,
    pump: trimmed(200, 'Pump'),
    cgm: optionalText(200, 'CGM'),
    algorithm: optionalText(200, 'Algorithm'),
  })
  .strict();

export const reviewEvent = z
  .object({
    type: z.literal('review'),
    version,
    reviewedOn: isoDate,
    hba1cMmolMol: hba1cMmolMol.optional(),
    severeHyposSinceStart: z.int().min(0).max(1000).optional(),
    decision: oneOf('Decision', REVIEW_DECISIONS),
    reason: optionalText(4000, 'Reason'),
  })
  .strict();

export const withdrawnEvent = z
  .object({
    type: z.literal('withdrawn'),
    version,
    on: isoDate,
    reason: oneOf('Reason', WITHDRAWAL_REASONS),
  })
  .strict();

export const eventBody = z.discriminatedUnion(
  'type',
  [assessmentEvent, fundingRequestedEvent, fundingDecisionEvent, deviceStartedEvent, reviewEvent, withdrawnEvent],
  `type must be one of ${EVENT_TYPES.join(', ')}`,
);

export type EventBody = z.infer<typeof eventBody>;
/** What is stored of an event: its payload without the type and the version it was sent with. */
export type EventPayload<T extends EventBody['type'] = EventBody['type']> = Omit<Extract<EventBody, { type: T }>, 'type' | 'version'>;

export const criteria = z
  .object({
    met: z.array(z.enum(RULE_IDS)),
    suggestion: z.enum(SUGGESTIONS),
    explanation: z.string(),
    missing: z
      .array(z.string())
      .optional()
      .describe('What eligibility still needs, in words, each naming its rules; empty when the suggestion is eligible.'),
  })
  .meta({ id: 'Criteria', description: "The rule engine's view (NICE TA151 for CSII, TA943 for HCL)." });

export const referralEvent = z
  .object({
    id: uuid,
    type: z.enum(RECORD_EVENT_TYPES),
    occurredOn: z.string().meta({ format: 'date' }),
    payload: z.record(z.string(), z.unknown()),
    criteria: criteria.optional(),
    statusAfter: z.enum(REFERRAL_STATUSES),
    recordedBy: uuid.nullable(),
    recordedByName: z.string().nullable(),
    recordedAt: z.date(),
  })
  .meta({ id: 'ReferralEvent' });

const referralFields = {
  id: uuid,
  patientId: uuid,
  siteId: uuid,
  therapy: z.enum(THERAPIES),
  status: z.enum(REFERRAL_STATUSES),
  origin: z.enum(REFERRAL_ORIGINS).describe('`pathway`: referred and started through the pathway; `existing`: already on therapy when recorded.'),
  receivedOn: z.string().meta({ format: 'date' }).nullable().describe('When the referral arrived; null for an existing-therapy record.'),
  source: z.enum(REFERRAL_SOURCES).nullable().describe('Null for an existing-therapy record.'),
  knownOn: z
    .string()
    .meta({ format: 'date' })
    .nullable()
    .describe('For an existing-therapy record, the date the service knew the person to be on therapy; null for a pathway referral.'),
  priorityGroup: z.enum(PRIORITY_GROUPS).nullable(),
  lastEventOn: z.string().meta({ format: 'date' }).describe('The date of the latest event, or receivedOn before any.'),
  version: z.int(),
};

export const referralSummary = z.object(referralFields).meta({ id: 'ReferralSummary' });

export const referralListItem = referralSummary
  .extend({
    patient: z
      .object({
        id: uuid,
        nhsNumber: z.string().nullable().describe('Ten digits, unspaced; null while not yet known.'),
        givenName: z.string(),
        familyName: z.string(),
      })
      .describe('Whose referral it is.'),
  })
  .meta({ id: 'ReferralListItem' });

export const referralQuery = listQuery.extend({
  siteId: uuid.optional(),
  status: oneOf('Status', REFERRAL_STATUSES).optional(),
  therapy: oneOf('Therapy', THERAPIES).optional().describe('Only referrals for this therapy.'),
  patientId: uuid.optional(),
});

export const queueQuery = listQuery.extend({ siteId: uuid.optional() });

export const queueItem = z
  .object({
    referral: referralSummary,
    patient: z.object({
      id: uuid,
      nhsNumber: z.string().nullable(),
      givenName: z.string(),
      familyName: z.string(),
      birthDate: z.string(),
      ageYears: z.int(),
      diabetesType: z.string(),
    }),
    waitingSince: z.string().meta({ format: 'date' }).describe('When the referral was received: deferral does not reset the wait.'),
    waitingDays: z.int().describe('Days from waitingSince to today.'),
    latestHba1c: z.object({ mmolMol: z.int(), effective: z.string() }).nullable(),
    criteria: criteria.describe(
      'Provisional: from the age, diabetes type and latest HbA1c within 12 months, assuming MDI tried, structured education offered and no disabling hypoglycaemia until the assessment says otherwise.',
    ),
  })
  .meta({ id: 'EligibilityQueueItem' });

export const referral = z
  .object({
    ...referralFields,
    events: z.array(referralEvent),
    criteria: criteria.optional().describe('Present on the response to an assessment event.'),
    allowedEvents: z.array(z.string()).describe('The event types the caller may record next.'),
  })
  .meta({ id: 'Referral' });

export type Referral = z.infer<typeof referral>;
export type ReferralSummary = z.infer<typeof referralSummary>;
export type ReferralListItem = z.infer<typeof referralListItem>;
export type ReferralEvent = z.infer<typeof referralEvent>;
export type CreateReferral = z.infer<typeof createReferralBody>;
export type CreatePathwayReferral = z.infer<typeof createPathwayReferralBody>;
export type CreateExistingTherapy = z.infer<typeof createExistingTherapyBody>;
export type QueueItem = z.infer<typeof queueItem>;
export type Criteria = z.infer<typeof criteria>;
