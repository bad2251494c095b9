import { error } from '@sveltejs/kit';
import { isDomainError } from '../../domain/errors';
import { PROBLEM_TYPES } from '../../problems';
import { uuid } from '../../schemas/common.schema';

/** Loads a record for a page; a record the user may not see answers with its real HTTP status. */
export async function getOr404<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isDomainError(e)) error(PROBLEM_TYPES[e.kind].status, e.detail);
    throw e;
  }
}

/**
 * A record id from a page's URL or a form's hidden field. Ids are UUIDs, as the API's routes check: anything else
 * names no record (404), and must never reach the database, which would fail on it.
 */
export function recordId(value: unknown): string {
  if (!uuid.safeParse(value).success) error(404, 'Not found');
  return value as string;
}
