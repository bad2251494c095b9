import { z } from 'zod';
import { CASELOAD_GUIDE } from '../domain/caseload-guide';
import { CASELOAD_LIMITS } from '../domain/caseload-file';

export const CASELOAD_MODES = ['check', 'apply'] as const;
export type CaseloadMode = (typeof CASELOAD_MODES)[number];

export const caseloadQuery = z
  .object({
    siteId: z.uuid('siteId must be a site id (a UUID)').describe('The site whose caseload the file is: people not yet registered are registered there.'),
    mode: z
      .enum(CASELOAD_MODES, 'mode must be check or apply')
      .describe('`check` reads the file and reports, writing nothing; `apply` writes it all, or nothing when it has any problem.'),
  })
  .strict();

export type CaseloadQuery = z.infer<typeof caseloadQuery>;

export const caseloadProblem = z
  .object({
    line: z.int().nullable().describe('The spreadsheet row number (the header is line 1); null for a problem of the whole file.'),
    column: z.string().nullable().describe("The column's name as in the header (`pump`), or null for a problem of the whole row or file."),
    message: z.string().describe('What is wrong, and how to put it right, in plain words.'),
  })
  .meta({ id: 'CaseloadProblem' });

const created = (what: string) => z.int().describe(`${what} the file creates (or, for a check or a refused apply, would create).`);
const alreadyRecorded = (what: string) => z.int().describe(`${what} already recorded, counted and not written again.`);

export const caseloadReport = z
  .object({
    mode: z.enum(CASELOAD_MODES),
    rows: z.int().describe('Data rows read; blank rows are skipped and not counted.'),
    errors: z.array(caseloadProblem).describe(`Every problem, in the order of the file, up to ${CASELOAD_LIMITS.maxErrors.toLocaleString('en-GB')}; the last entry counts any more. Empty when the file may be applied.`),
    patients: z
      .object({ created: created('People'), matched: z.int().describe('People already registered at the site, matched by NHS number.') })
      .describe('Counted once per person, however many rows they have.'),
    existingTherapies: z.object({ created: created('Existing-therapy records'), alreadyRecorded: alreadyRecorded('`on_therapy` rows') }),
    referrals: z.object({ created: created('Referrals awaiting assessment'), alreadyRecorded: alreadyRecorded('`waiting` rows') }),
  })
  .meta({ id: 'CaseloadReport' });

export type CaseloadReport = z.infer<typeof caseloadReport>;

/** An apply refused for the file's problems: a problem document that carries the whole report. */
export const caseloadRejected = caseloadReport
  .extend({
    type: z.string(),
    title: z.string(),
    status: z.literal(422),
    detail: z.string(),
  })
  .meta({ id: 'CaseloadRejected', description: 'An RFC 9457 problem document carrying the same report as a check; nothing was written.' });

const columnTable = CASELOAD_GUIDE.map((g) => `| ${g.columns.map((c) => `\`${c}\``).join(', ')} | ${g.needed} | ${g.values} |`).join('\n');

export const CASELOAD_IMPORT_DESCRIPTION = `Brings a service's caseload in from a spreadsheet: people on insulin pump (CSII) or hybrid closed loop (HCL)
therapy now, and people waiting to be assessed for one.

**The file.** \`Content-Type: text/csv\` (a \`charset\` other than UTF-8 gets 415), UTF-8 (a byte-order mark is
allowed; save from a spreadsheet as "CSV UTF-8"), comma-separated, quoted as RFC 4180, at most 20 MiB (413) and
${CASELOAD_LIMITS.maxRows.toLocaleString('en-GB')} rows. The first row names the columns, in any order and any case; an unknown name is a problem.
Each further row is a person on therapy now (\`record\` = \`on_therapy\`: an existing-therapy record, as
\`POST /api/v1/referrals\` with \`origin: "existing"\` makes) or a person waiting (\`record\` = \`waiting\`: a pathway
referral awaiting assessment). Blank rows are skipped.

| column | needed for | values |
|---|---|---|
${columnTable}

**Problems** are reported all at once, each with its \`line\` (the spreadsheet's row number: the header is line 1,
blank rows count, and a quoted cell spanning several text lines is still one row) and \`column\`. Beyond each row's
own cells: every device must be an active catalogue device of its kind (\`GET /api/v1/devices\`); a person already
registered at the site is matched by NHS number, a blank cell keeping what is stored and a filled one having to
match it (an import never changes a registered person); a person registered at another site is refused; a person not
yet registered needs a name, date of birth, sex and diabetes type; dates may not fall before the date of birth (from
the file or the record); and two rows may not both make a current record of one therapy for one person.

**Already recorded.** An \`on_therapy\` row is already recorded when the person has an existing-therapy record of that
therapy from the same start (the same date, or the same year, or both unknown), or any record of that therapy on
therapy now; a \`waiting\` row when the person has a referral of that therapy received that day. These are counted,
not written again, so applying the same file twice writes it once.

**Check, then apply.** \`mode=check\` answers 200 with the report and writes nothing, not even an audit entry.
\`mode=apply\` checks again and writes everything in one transaction (each new patient, existing-therapy record and
referral with its own audit entry, as the single-record endpoints write them, and one \`import.caseload\` entry
naming the file's SHA-256, the site and the counts), answering 200 with the report; or, when there is any problem,
writes nothing and answers 422: a problem document carrying the same report. Two applies for one site run one after
the other.

**Who may.** Admins, and the site's nurses and consultants (404 for a site outside theirs or no such site).
Commissioners: 403.`;
