import { error } from '@sveltejs/kit';
import { isDomainError } from '../../domain/errors';
import { PROBLEM_TYPES } from '../../problems';

/** Loads a record for a page; a record the user may not see answers with its real HTTP status. */
export async function getOr404<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isDomainError(e)) error(PROBLEM_TYPES[e.kind].status, e.detail);
    throw e;
  }
}
