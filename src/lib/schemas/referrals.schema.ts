import { z } from 'zod';
import { HBA1C_MMOL_MOL_MAX, HBA1C_MMOL_MOL_MIN } from '../domain/hba1c';
import { REFERRAL_STATUSES } from '../domain/pathway';
import { RULE_IDS } from '../domain/eligibility';
import { isoDate, listQuery, trimmed, uuid, version } from './common.schema';

export const THERAPIES = ['csii', 'hcl'] as const;
export const REFERRAL_SOURCES = ['gp', 'consultant', 'self', 'other_service'] as const;
export const PRIORITY_GROUPS = ['child', 'pregnancy', 'existing_pump_user', 'adult'] as const;
export const TECHNOLOGIES = ['csii', 'rtcgm', 'iscgm'] as const;
export const FUNDING_ROUTES = ['routine', 'prior_approval', 'ifr', 'national_hcl'] as const;
export const WITHDRAWAL_REASONS = ['patient_declined', 'did_not_attend', 'moved_away', 'died', 'other'] as const;

const hba1cMmolMol = z
  .int('HbA1c must be a whole number of mmol/mol')
  .min(HBA1C_MMOL_MOL_MIN, `HbA1c must be at least ${HBA1C_MMOL_MOL_MIN} mmol/mol`)
  .max(HBA1C_MMOL_MOL_MAX, `HbA1c must be at most ${HBA1C_MMOL_MOL_MAX} mmol/mol`);
const optionalText = (max: number, label: string) => trimmed(max, label).optional();

export const createReferralBody = z
  .object({
    patientId: uuid,
    therapy: z.enum(THERAPIES, 'Therapy must be csii or hcl'),
    receivedOn: isoDate,
    source: z.enum(REFERRAL_SOURCES, 'Source must be one of gp, consultant, self, other_service'),
    priorityGroup: z.enum(PRIORITY_GROUPS, 'Priority group must be one of child, pregnancy, existing_pump_user, adult').optional(),
  })
  .strict();

/** One schema per event type: the payloads of api.md's events table. */
export const assessmentEvent = z
  .object({
    type: z.literal('assessment'),
    version,
    assessedOn: isoDate,
    hba1cMmolMol: hba1cMmolMol.optional().describe("The assessor's HbA1c; when absent the latest within 12 months before the assessment is used."),
    disablingHypoglycaemia: z.boolean('Say whether there is disabling hypoglycaemia'),
    mdiTried: z.boolean('Say whether multiple daily injections have been tried'),
    mdiImpractical: z.boolean().optional(),
    currentTechnology: z.array(z.enum(TECHNOLOGIES)).max(3).optional(),
    structuredEducation: z.boolean('Say whether structured education has been had or offered'),
    pregnancy: z.boolean().optional(),
    decision: z.enum(['eligible', 'not_eligible', 'deferred'], 'Decision must be eligible, not_eligible or deferred'),
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
    route: z.enum(FUNDING_ROUTES, 'Route must be one of routine, prior_approval, ifr, national_hcl'),
  })
  .strict();

export const fundingDecisionEvent = z
  .object({
    type: z.literal('funding_decision'),
    version,
    decidedOn: isoDate,
    outcome: z.enum(['approved', 'declined', 'more_info'], 'Outcome must be approved, declined or more_info'),
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
    decision: z.enum(['continue', 'discontinue'], 'Decision must be continue or discontinue'),
    reason: optionalText(4000, 'Reason'),
  })
  .strict();

export const withdrawnEvent = z
  .object({
    type: z.literal('withdrawn'),
    version,
    on: isoDate,
    reason: z.enum(WITHDRAWAL_REASONS, 'Reason must be one of patient_declined, did_not_attend, moved_away, died, other'),
  })
  .strict();

export const eventBody = z.discriminatedUnion(
  'type',
  [assessmentEvent, fundingRequestedEvent, fundingDecisionEvent, deviceStartedEvent, reviewEvent, withdrawnEvent],
  'type must be one of assessment, funding_requested, funding_decision, device_started, review, withdrawn',
);

export type EventBody = z.infer<typeof eventBody>;
/** What is stored of an event: its payload without the type and the version it was sent with. */
export type EventPayload<T extends EventBody['type'] = EventBody['type']> = Omit<Extract<EventBody, { type: T }>, 'type' | 'version'>;

export const criteria = z
  .object({
    met: z.array(z.enum(RULE_IDS)),
    suggestion: z.enum(['eligible', 'not_eligible']),
    explanation: z.string(),
  })
  .meta({ id: 'Criteria', description: "The rule engine's view (NICE TA151 for CSII, TA943 for HCL)." });

export const referralEvent = z
  .object({
    id: uuid,
    type: z.enum(['assessment', 'funding_requested', 'funding_decision', 'device_started', 'review', 'withdrawn']),
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
  receivedOn: z.string().meta({ format: 'date' }),
  source: z.enum(REFERRAL_SOURCES),
  priorityGroup: z.enum(PRIORITY_GROUPS).nullable(),
  lastEventOn: z.string().meta({ format: 'date' }).describe('The date of the latest event, or receivedOn before any.'),
  version: z.int(),
};

export const referralSummary = z.object(referralFields).meta({ id: 'ReferralSummary' });

export const referralQuery = listQuery.extend({
  siteId: uuid.optional(),
  status: z.enum(REFERRAL_STATUSES).optional(),
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
export type ReferralEvent = z.infer<typeof referralEvent>;
export type CreateReferral = z.infer<typeof createReferralBody>;
export type QueueItem = z.infer<typeof queueItem>;
export type Criteria = z.infer<typeof criteria>;
