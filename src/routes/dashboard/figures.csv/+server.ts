import { error } from '@sveltejs/kit';
import { isDomainError } from '$lib/domain/errors';
import { isDisclosureControlled } from '$lib/domain/disclosure';
import { PROBLEM_TYPES } from '$lib/problems';
import { metricsQuery } from '$lib/schemas/metrics.schema';
import { metricsSheetCsv, metricsSheetFilename } from '$lib/server/services/metrics-sheet.csv';
import type { RequestHandler } from './$types';

/** The dashboard's figures as a spreadsheet to read: the same query as the page, the same access as the API. */
export const GET: RequestHandler = async ({ locals, url }) => {
  const ctx = locals.ctx!;
  const parsed = metricsQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([, v]) => v !== '')));
  if (!parsed.success) error(400, parsed.error.issues.map((i) => i.message).join('; '));
  let report;
  try {
    report = await locals.services.metrics.report(ctx, parsed.data);
  } catch (e) {
    if (isDomainError(e)) error(PROBLEM_TYPES[e.kind].status, e.detail);
    throw e;
  }
  return new Response(metricsSheetCsv(report, parsed.data, isDisclosureControlled(ctx.actor)), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${metricsSheetFilename(report, parsed.data)}"` },
  });
};
