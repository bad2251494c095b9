import { error, fail } from '@sveltejs/kit';
import { can, reachesSite } from '$lib/domain/access';
import { CASELOAD_MAX_BYTES } from '$lib/domain/caseload-file';
import { isDomainError } from '$lib/domain/errors';
import { PROBLEM_TYPES } from '$lib/problems';
import { uuid } from '$lib/schemas/common.schema';
import type { CaseloadMode, CaseloadReport } from '$lib/schemas/caseload.schema';
import { CaseloadTooLargeError } from '$lib/server/services/caseload.csv';
import { readForm, type FieldErrors } from '$lib/server/pages/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const NOT_ALLOWED = "Bringing in a caseload is for the sites' nurses, consultants and administrators";
const TOO_LARGE = `The file is larger than ${CASELOAD_MAX_BYTES / (1024 * 1024)} MiB: split it into smaller files`;

/**
 * Bringing in a site's caseload from a spreadsheet (the API's POST /api/v1/imports/caseload, through the same
 * service): choose the site and the file, check it, and apply it once the check finds no problem. The site is the
 * user's own when they have one; an administrator, who has none, chooses.
 */
export const load: PageServerLoad = async ({ locals }) => {
  const ctx = locals.ctx!;
  if (!can(ctx.actor, 'imports:caseload')) error(403, NOT_ALLOWED);
  const sites = (await locals.services.sites.list(ctx, { limit: 500 })).items
    .filter((s) => reachesSite(ctx.actor, s.id))
    .map(({ id, name }) => ({ id, name }));
  const own = ctx.actor.siteIds.find((id) => sites.some((s) => s.id === id));
  return { sites, siteId: own ?? (sites.length === 1 ? sites[0]!.id : '') };
};

/** What the page shows after a check or an apply: the form's problems, or the file's report. */
interface ImportAnswer {
  mode: CaseloadMode;
  values: { siteId: string };
  errors: FieldErrors;
  message?: string;
  fileName?: string;
  report?: CaseloadReport;
}

/** Checks or applies the file chosen, for the site chosen: the report, or what is missing from the form. */
async function importFile(mode: CaseloadMode, { request, locals }: RequestEvent) {
  const ctx = locals.ctx!;
  if (!can(ctx.actor, 'imports:caseload')) error(403, NOT_ALLOWED);
  const form = await readForm(request);
  const siteId = form.get('siteId');
  const file = form.get('file');
  const values = { siteId: typeof siteId === 'string' ? siteId : '' };
  const errors: FieldErrors = {};
  if (!uuid.safeParse(siteId).success) errors.siteId = 'Choose the site';
  // A file input left empty still sends a part: a file with no name and nothing in it.
  if (!(file instanceof File) || (file.name === '' && file.size === 0)) errors.file = `Choose the CSV file to ${mode}`;
  else if (file.size > CASELOAD_MAX_BYTES) errors.file = TOO_LARGE;
  const answer = (more: Partial<ImportAnswer> = {}): ImportAnswer => ({ mode, values, errors, ...more });
  if (Object.keys(errors).length > 0 || !(file instanceof File)) return fail(400, answer());

  try {
    const body = new Uint8Array(await file.arrayBuffer());
    const report = mode === 'check' ? await locals.services.caseloadImport.check(ctx, values.siteId, body) : await locals.services.caseloadImport.apply(ctx, values.siteId, body);
    const result = answer({ fileName: file.name.slice(0, 200), report });
    return mode === 'apply' && report.errors.length > 0 ? fail(422, result) : result;
  } catch (e) {
    if (e instanceof CaseloadTooLargeError) return fail(413, answer({ errors: { file: TOO_LARGE } }));
    if (isDomainError(e) && e.kind === 'conflict') return fail(409, answer({ message: e.detail }));
    if (isDomainError(e)) error(PROBLEM_TYPES[e.kind].status, e.detail);
    throw e;
  }
}

export const actions: Actions = {
  check: (event) => importFile('check', event),
  apply: (event) => importFile('apply', event),
};
