import { z } from 'zod';

/**
 * The parts of FHIR R4 resources the integration reads, and nothing more: everything else passes through
 * unchecked, so a server that adds extensions or elements we do not use is never refused. What is declared is
 * checked strictly: a server answering something that does not fit is treated as failing (502), never guessed at.
 */

// FHIR date: YYYY, YYYY-MM or YYYY-MM-DD. dateTime/instant additionally allow a time with a zone.
const FHIR_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const FHIR_DATE_TIME =
  /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

export const fhirDate = z.string().regex(FHIR_DATE, 'not a FHIR date');
export const fhirDateTime = z.string().regex(FHIR_DATE_TIME, 'not a FHIR dateTime');

const coding = z.looseObject({ system: z.string().optional(), code: z.string().optional(), display: z.string().optional() });
const codeableConcept = z.looseObject({ coding: z.array(coding).optional(), text: z.string().optional() });
const reference = z.looseObject({ reference: z.string().optional(), display: z.string().optional() });
const identifier = z.looseObject({ use: z.string().optional(), system: z.string().optional(), value: z.string().optional() });
const meta = z.looseObject({ versionId: z.string().optional(), lastUpdated: fhirDateTime.optional() });
const humanName = z.looseObject({
  use: z.string().optional(),
  text: z.string().optional(),
  family: z.string().optional(),
  given: z.array(z.string()).optional(),
});
const quantity = z.looseObject({
  value: z.number().optional(),
  unit: z.string().optional(),
  system: z.string().optional(),
  code: z.string().optional(),
});
const period = z.looseObject({ start: fhirDateTime.optional(), end: fhirDateTime.optional() });
const id = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'not a FHIR id');

export const fhirPatient = z.looseObject({
  resourceType: z.literal('Patient'),
  id,
  meta: meta.optional(),
  active: z.boolean().optional(),
  identifier: z.array(identifier).optional(),
  name: z.array(humanName).optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
  birthDate: fhirDate.optional(),
  deceasedBoolean: z.boolean().optional(),
  deceasedDateTime: fhirDateTime.optional(),
  managingOrganization: reference.optional(),
  address: z.array(z.looseObject({ use: z.string().optional(), postalCode: z.string().optional(), period: period.optional() })).optional(),
  extension: z.array(z.looseObject({ url: z.string(), valueCodeableConcept: codeableConcept.optional() })).optional(),
});

export const fhirObservation = z.looseObject({
  resourceType: z.literal('Observation'),
  id,
  meta: meta.optional(),
  status: z.string(),
  code: codeableConcept,
  subject: reference.optional(),
  effectiveDateTime: fhirDateTime.optional(),
  effectiveInstant: fhirDateTime.optional(),
  effectivePeriod: period.optional(),
  issued: fhirDateTime.optional(),
  valueQuantity: quantity.optional(),
  valueCodeableConcept: codeableConcept.optional(),
});

export const fhirCondition = z.looseObject({
  resourceType: z.literal('Condition'),
  id,
  meta: meta.optional(),
  clinicalStatus: codeableConcept.optional(),
  verificationStatus: codeableConcept.optional(),
  code: codeableConcept.optional(),
  subject: reference,
  onsetDateTime: fhirDateTime.optional(),
  onsetPeriod: period.optional(),
  recordedDate: fhirDateTime.optional(),
});

export const fhirOrganization = z.looseObject({
  resourceType: z.literal('Organization'),
  id,
  meta: meta.optional(),
  identifier: z.array(identifier).optional(),
  name: z.string().optional(),
});

/**
 * An entry's resource, checked only for what picks the entries out (its type and id) and passed on as it is,
 * not copied: each is then checked in full, once, by the schema of what was searched for. Copying every
 * resource twice was a good part of the cost of reading a population's thousands of them.
 */
const entryResource = z.custom<{ resourceType: string; id?: string }>(
  (r) =>
    typeof r === 'object' &&
    r !== null &&
    typeof (r as { resourceType?: unknown }).resourceType === 'string' &&
    ['string', 'undefined'].includes(typeof (r as { id?: unknown }).id),
  'not a FHIR resource',
);

/** A searchset page: only its type, total, links and the entries' resource type are checked here. */
export const fhirSearchBundle = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.literal('searchset'),
  total: z.int().nonnegative().optional(),
  link: z.array(z.looseObject({ relation: z.string(), url: z.string() })).optional(),
  entry: z
    .array(
      z.looseObject({
        fullUrl: z.string().optional(),
        resource: entryResource.optional(),
        search: z.looseObject({ mode: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

export const fhirCapabilityStatement = z.looseObject({
  resourceType: z.literal('CapabilityStatement'),
  fhirVersion: z.string(),
  software: z.looseObject({ name: z.string(), version: z.string().optional() }).optional(),
});

export const fhirOperationOutcome = z.looseObject({
  resourceType: z.literal('OperationOutcome'),
  issue: z.array(z.looseObject({ severity: z.string(), code: z.string(), diagnostics: z.string().optional() })),
});

/** SMART App Launch 2.0 discovery document: only the token endpoint is needed for backend services. */
export const smartConfiguration = z.looseObject({
  token_endpoint: z.url({ protocol: /^https?$/ }),
  token_endpoint_auth_signing_alg_values_supported: z.array(z.string()).optional(),
});

export const tokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be bearer'),
  expires_in: z.number().positive().optional(),
  scope: z.string().optional(),
});

export type FhirPatient = z.infer<typeof fhirPatient>;
export type FhirObservation = z.infer<typeof fhirObservation>;
export type FhirCondition = z.infer<typeof fhirCondition>;
export type FhirOrganization = z.infer<typeof fhirOrganization>;
export type FhirSearchBundle = z.infer<typeof fhirSearchBundle>;
export type FhirCapabilityStatement = z.infer<typeof fhirCapabilityStatement>;
export type FhirOperationOutcome = z.infer<typeof fhirOperationOutcome>;
export type FhirCodeableConcept = z.infer<typeof codeableConcept>;
