import { z } from 'zod';
import { isCalendarDate } from '../domain/calendar-date';

/**
 * What the API says of a bad date: the format its JSON carries. A page's date field shows dd/mm/yyyy, so the page
 * says it its own way (forms.ts recognises these with `isDateMessage`).
 */
export const DATE_MESSAGES = {
  format: 'Enter a date as YYYY-MM-DD',
  real: 'Enter a real date',
  dateOrInstant: 'Enter a date (YYYY-MM-DD) or a date-time ending in Z',
} as const;
const DATE_MESSAGE_SET: ReadonlySet<string> = new Set(Object.values(DATE_MESSAGES));
export const isDateMessage = (message: string) => DATE_MESSAGE_SET.has(message);

export const isoDate = z
  .string(DATE_MESSAGES.format)
  .regex(/^\d{4}-\d{2}-\d{2}$/, DATE_MESSAGES.format)
  .refine(isCalendarDate, DATE_MESSAGES.real)
  .meta({ format: 'date', example: '2026-03-31' });

export const uuid = z.uuid('Must be a UUID');
export const idParams = z.object({ id: uuid });
export const version = z.int('Version must be a whole number').min(1).describe('The version you last read; a stale one gets 409.');

export const trimmed = (max: number, label: string) =>
  z
    .string(`${label} is required`)
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be ${max} characters or fewer`)
    .refine(isPlainText, `${label} contains characters that are not allowed`);

/**
 * A value from one of the domain's lists, refused with a message built from the same list, so the two cannot
 * drift apart: "Therapy must be csii or hcl", "Sex must be one of female, male, other, unknown". These are the
 * API's words, naming its codes; a page, which shows the list's labels, asks instead to "Select the sex"
 * (`choiceLabelOf` gives it the field's name when the page has none of its own).
 */
export function oneOf<const T extends readonly [string, ...string[]]>(label: string, values: T) {
  const choices = values.length > 3 ? `one of ${values.join(', ')}` : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
  return z.enum(values, `${label} must be ${choices}`);
}

/** The field's name in a `oneOf` message ("Sex" of "Sex must be one of ..."), or undefined for any other message. */
export function choiceLabelOf(message: string): string | undefined {
  return /^(.+?) must be (?:one of \S.*|\S+(?:, \S+)* or \S+)$/.exec(message)?.[1];
}

/**
 * PostgreSQL cannot store NUL or a lone surrogate (it would fail, or silently become another character); other
 * control characters have no place in a clinical record. Every free text that reaches the database passes this.
 */
export const isPlainText = (v: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|\p{Cs}/u.test(v);

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Page size, 1 to 500 (default 50).'),
  cursor: z.string().max(500).optional().describe('The `nextCursor` of the previous page.'),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    currentStatus: z.string().optional().describe('On 409 and 422: where the referral stands now.'),
    currentVersion: z.int().optional().describe('On 409: the version the record has now.'),
    existingPatientId: z.uuid().optional().describe('On 409 to a new patient: the patient already registered with this NHS number, when you may see them.'),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document (application/problem+json).' });
