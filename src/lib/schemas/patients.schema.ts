import { z } from 'zod';
import { HBA1C_RANGE, HBA1C_UNITS } from '../domain/hba1c';
import { normaliseNhsNumber } from '../domain/nhs-number';
import { normalisePostcode, POSTCODE_MESSAGE } from '../domain/postcode';
import { isCalendarDate } from '../domain/calendar-date';
import { CONDITION_KINDS, DIABETES_TYPES, ETHNIC_CATEGORIES, OBSERVATION_SOURCES, SEXES } from '../domain/vocabulary';
import { DATE_MESSAGES, isoDate, isPlainText, listQuery, oneOf, trimmed, uuid, version } from './common.schema';

/** Ten digits with a valid modulus-11 check digit; spaces are allowed on input and dropped. */
export const nhsNumber = z
  .string('NHS number is required')
  .transform((v, ctx) => {
    const digits = normaliseNhsNumber(v);
    if (digits === null) {
      ctx.addIssue({
        code: 'custom',
        message: /^[\d ]*$/.test(v) && v.replaceAll(' ', '').length === 10 ? 'NHS number is not valid: check the digits' : 'NHS number must be 10 digits',
      });
      return z.NEVER;
    }
    return digits;
  })
  .meta({ type: 'string', example: '943 476 5919' });

const postcode = z
  .string('Postcode must be text')
  .transform((v, ctx) => normalisePostcode(v) ?? (ctx.addIssue({ code: 'custom', message: POSTCODE_MESSAGE }), z.NEVER))
  .meta({ type: 'string', example: 'LS1 4AP' });

/** What the equity figures need of a patient; each may be null (not recorded). */
const demographics = {
  ethnicCategory: oneOf('Ethnic category', ETHNIC_CATEGORIES)
    .nullable()
    .optional()
    .describe('The NHS ethnic category letter (A-H, J-N, P, R, S; Z for not stated), or null for not recorded.'),
  postcode: postcode
    .nullable()
    .optional()
    .describe('A UK postcode, any case and spacing; stored in capitals with one space before the inward code. Null for not recorded.'),
  imdDecile: z
    .int('IMD decile must be a whole number from 1 to 10')
    .min(1, 'IMD decile must be a whole number from 1 to 10')
    .max(10, 'IMD decile must be a whole number from 1 to 10')
    .nullable()
    .optional()
    .describe('Index of Multiple Deprivation decile, 1 (most deprived) to 10, or null for not known.'),
};

export const createPatientBody = z
  .object({
    nhsNumber,
    givenName: trimmed(100, 'Given name'),
    familyName: trimmed(100, 'Family name'),
    birthDate: isoDate,
    sex: oneOf('Sex', SEXES),
    siteId: uuid,
    diabetesType: oneOf('Diabetes type', DIABETES_TYPES),
    ...demographics,
  })
  .strict();

export const updatePatientBody = z
  .object({
    version,
    nhsNumber: nhsNumber
      .optional()
      .describe('Only for a patient with no valid NHS number recorded (such as one imported from a FHIR record without one). Sending the number already recorded changes nothing; another number gets 400, and one registered to another patient 409.'),
    ...demographics,
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'version'), { message: 'Send at least one field to change', path: ['form'] });

export const patientQuery = listQuery.extend({
  siteId: uuid.optional(),
  q: z.string().trim().max(100).refine(isPlainText, 'Search for letters or digits').optional().describe('Digits match the start of the NHS number (spaces ignored); anything else, the start of the full name in either order, any case, a comma ignored ("Leo Harris", "HARRIS, Leo", "harris").'),
});

/** A date (YYYY-MM-DD) or an instant (ISO 8601 with Z), as a source reports an observation's time. */
const isInstant = (v: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?Z$/.test(v) && isCalendarDate(v.slice(0, 10)) && !Number.isNaN(Date.parse(v));

export const effective = z
  .string('Enter the date of the result')
  .refine((v: string) => isInstant(v) || isCalendarDate(v), DATE_MESSAGES.dateOrInstant);

export const createObservationBody = z
  .object({
    kind: z.literal('hba1c', 'Kind must be hba1c'),
    effective,
    value: z.number('Value must be a number').positive('Value must be more than 0'),
    unit: oneOf('Unit', HBA1C_UNITS),
  })
  .strict()
  .superRefine((o, ctx) => {
    const range = HBA1C_RANGE[o.unit];
    if (range && (o.value < range.min || o.value > range.max)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `HbA1c in ${o.unit} must be between ${range.min} and ${range.max}` });
    }
  });

export const hba1cResult = z.object({
  id: uuid,
  effective: z.string(),
  mmolMol: z.int(),
  original: z.object({ value: z.string(), unit: z.string() }),
  source: z.object({
    kind: z.enum(OBSERVATION_SOURCES),
    server: z.string().nullable(),
    resourceId: z.string().nullable(),
    version: z.string().nullable(),
    fetchedAt: z.date().nullable(),
  }),
});

export const patient = z
  .object({
    id: uuid,
    nhsNumber: z.string().nullable(),
    givenName: z.string(),
    familyName: z.string(),
    birthDate: z.string().meta({ format: 'date' }),
    sex: z.enum(SEXES),
    siteId: uuid,
    diabetesType: z.enum(DIABETES_TYPES),
    ethnicCategory: z
      .enum(ETHNIC_CATEGORIES)
      .nullable()
      .describe('The NHS ethnic category letter (A-H, J-N, P, R, S; Z for not stated); null when not recorded.'),
    postcode: z.string().nullable().describe('A UK postcode in capitals with one space before the inward code, such as `LS1 4AP`; null when not recorded.'),
    imdDecile: z.int().min(1).max(10).nullable().describe('Index of Multiple Deprivation decile, 1 (most deprived) to 10; null when not known.'),
    fhirId: z.string().nullable(),
    version: z.int(),
  })
  .meta({ id: 'Patient' });

const fhirSource = z.object({
  server: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  version: z.string().nullable(),
  lastUpdated: z.date().nullable(),
  fetchedAt: z.date(),
});

export const conditionEntry = z.object({
  id: uuid,
  kind: z.enum(CONDITION_KINDS),
  system: z.string(),
  code: z.string(),
  display: z.string().nullable(),
  clinicalStatus: z.string().nullable(),
  onset: z.string().nullable(),
  source: fhirSource,
});

export const hypoglycaemiaEntry = z.object({ id: uuid, effective: z.string(), description: z.string(), source: fhirSource });

export const importPatientBody = z.union([
  z.object({ siteId: uuid, nhsNumber }).strict(),
  z.object({ siteId: uuid, fhirId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'A FHIR id is 1 to 64 letters, digits, hyphens or dots') }).strict(),
]);

export const patientWithContext = patient
  .extend({
    context: z.object({
      hba1c: z.array(hba1cResult),
      hypoglycaemia: z.array(hypoglycaemiaEntry),
      conditions: z.array(conditionEntry),
      fetchedAt: z.date().nullable().describe('When the context was last pulled from the FHIR server; null if never.'),
      fhirServer: z.string().nullable(),
    }),
  })
  .meta({ id: 'PatientWithContext' });

export type Patient = z.infer<typeof patient>;
export type PatientWithContext = z.infer<typeof patientWithContext>;
export type CreatePatient = z.infer<typeof createPatientBody>;
export type UpdatePatient = z.infer<typeof updatePatientBody>;
export type CreateObservation = z.infer<typeof createObservationBody>;
export type Hba1cResult = z.infer<typeof hba1cResult>;
