import { z } from 'zod';
import { QUARTER_FORMAT, type NationalHclProblem, type NationalHclRow } from '../domain/national-return';
import { CLOSED_LOOP_CODES, NATIONAL_HCL_COLUMNS, UNKNOWN_YEAR_STARTED_PUMP } from '../domain/national-return.config';
import { uuid } from './common.schema';

export const nationalHclQuery = z
  .object({
    siteId: z.uuid('siteId must be a site id (a UUID)').describe('The site whose return this is.'),
    quarter: z
      .string('quarter is required, as YYYY-QN')
      .regex(QUARTER_FORMAT, 'quarter must be YYYY-QN with N from 1 to 4, e.g. 2025-Q4')
      .describe('The financial quarter: `2025-Q1` is 1 April to 30 June 2025, `2025-Q4` is 1 January to 31 March 2026.')
      .meta({ example: '2025-Q4' }),
  })
  .strict();

export type NationalHclQuery = z.infer<typeof nationalHclQuery>;

const heading = (field: (typeof NATIONAL_HCL_COLUMNS)[number]['field']) => `\`${NATIONAL_HCL_COLUMNS.find((c) => c.field === field)!.heading}\``;
const date = z.string().meta({ format: 'date' });

export const nationalHclRow = z
  .object({
    nhsNumber: z.string().describe(`${heading('nhsNumber')}: 10 digits.`),
    dateOfBirth: date.describe(`${heading('dateOfBirth')}.`),
    closedLoop: z
      .enum(Object.values(CLOSED_LOOP_CODES) as [NationalHclRow['closedLoop'], ...NationalHclRow['closedLoop'][]])
      .describe(`${heading('closedLoop')}: \`${CLOSED_LOOP_CODES.nhsFunded}\` yes, NHS funded; \`${CLOSED_LOOP_CODES.notNhsFunded}\` yes, not NHS funded; \`${CLOSED_LOOP_CODES.offeredButDeclined}\` no, offered but declined.`),
    dateStartedClosedLoop: date
      .nullable()
      .describe(`${heading('dateStartedClosedLoop')}: the HCL start date; null (a blank cell) when declined, or when an existing record knows only the year or nothing.`),
    observationDate: date.describe(`${heading('observationDate')}: the quarter's last day, or the day HCL was declined.`),
    yearStartedPump: z
      .int()
      .describe(
        `${heading('yearStartedPump')}: the year of the person's earliest insulin pump or HCL start, pathway or existing, at any site; ${UNKNOWN_YEAR_STARTED_PUMP} when not known, which includes having any record whose start is not known even by year.`,
      ),
  })
  .meta({ id: 'NationalHclRow' });

export const nationalHclProblem = z
  .object({
    patientId: uuid,
    nhsNumber: z.string().nullable(),
    problem: z.string().describe('Why the person is left out of the rows: what to put right in their record.'),
  })
  .meta({ id: 'NationalHclProblem' });

export const nationalHclReturn = z
  .object({
    siteId: uuid,
    quarter: z.string(),
    from: date.describe("The quarter's first day."),
    to: date.describe("The quarter's last day."),
    rows: z.array(nationalHclRow),
    problems: z.array(nationalHclProblem),
  })
  .meta({ id: 'NationalHclReturn' });

export type NationalHclReturn = z.infer<typeof nationalHclReturn>;

// The schema and the domain types must describe one shape: this fails to compile when they drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: [Same<z.infer<typeof nationalHclRow>, NationalHclRow>, Same<z.infer<typeof nationalHclProblem>, NationalHclProblem>] = [true, true];
void sameShape;

export const NATIONAL_HCL_DESCRIPTION = `The quarterly national return of hybrid closed loop (HCL) use (the National Diabetes Audit's HCL
collection) for one site and financial quarter.

**Who is in it.** Each patient of the site with HCL therapy started on or before the quarter's last day and not
discontinued before its first day, and each patient whose HCL referral was withdrawn during the quarter with reason
\`patient_declined\` (offered but declined). HCL therapy is an HCL referral with a device start, or an existing HCL
record (\`origin: "existing"\`), which counts from its \`startedOn\` when known, else (a year only, or nothing)
from its \`knownOn\`, as \`onTherapy\` does. Discontinued means a review deciding \`discontinue\`.

**The row.** \`CLOSED_LOOP\` is \`01\` for a pathway start or an existing record funded \`nhs\`, \`02\` for an
existing record funded \`non_nhs\`, \`04\` for a decline. \`DATE_STARTED_CLOSED_LOOP\` is the start date, blank
for a decline and for an existing record without one. \`YEAR_STARTED_PUMP\` is the year of the person's earliest
pump (CSII) or HCL start, pathway or existing, ended or switched, started by the quarter's end: an existing record
gives the year of its \`startedOn\`, else its \`startedYear\`. When any of those records knows neither, the earliest
year cannot be known (that record may be the earliest), and the year is \`${UNKNOWN_YEAR_STARTED_PUMP}\`, as it is for
someone with no pump or HCL record.

**One row per person.** Being on HCL wins over a decline. Of two HCL records, the one still going at the quarter's
end wins over one that ended in it; then the latest start (counted as for who is in it); then a known start date;
then NHS funding. Of two declines, the latest.

**Problems.** A person who belongs in the return but lacks what the national platform requires (a valid NHS number,
a date of birth) is left out of \`rows\` and listed in \`problems\`, once per reason, to be put right before the
deadline.

**Who may.** Admins, and the site's nurses and consultants (404 for a site outside theirs). Commissioners: 403.
Every export is audited (\`export.national_hcl\`).`;
