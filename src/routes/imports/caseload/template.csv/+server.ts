import { caseloadTemplateCsv } from '$lib/domain/caseload-guide';
import type { RequestHandler } from './$types';

/** A caseload file to start from: every column, and a made-up row of each kind, which passes the check. */
export const GET: RequestHandler = () =>
  new Response(caseloadTemplateCsv(), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="caseload-template.csv"' },
  });
