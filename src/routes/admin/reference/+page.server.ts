import { error, fail } from '@sveltejs/kit';
import { isDomainError } from '$lib/domain/errors';
import { IMD_FILE_MAX_BYTES } from '$lib/domain/imd-file';
import { PROBLEM_TYPES } from '$lib/problems';
import { readForm } from '$lib/server/pages/forms';
import { ImdFileTooLargeError } from '$lib/server/services/reference.service';
import type { FieldError } from '$lib/domain/errors';
import type { Actions, PageServerLoad } from './$types';

const TOO_LARGE = `The file is larger than ${IMD_FILE_MAX_BYTES / (1024 * 1024)} MiB: keep only the postcode and imd_decile columns`;

/** Reference tables every site uses: the postcode-to-deprivation table, through the API's service. */
export const load: PageServerLoad = async ({ locals }) => ({ imd: await locals.services.reference.imdTableSize(locals.ctx!) });

export const actions: Actions = {
  imd: async ({ request, locals }) => {
    const form = await readForm(request);
    const file = form.get('file');
    // A file input left empty still sends a part: a file with no name and nothing in it.
    const refused = (status: number, message: string, problems: FieldError[] = []) => fail(status, { errors: { file: message }, problems });
    if (!(file instanceof File) || (file.name === '' && file.size === 0)) return refused(400, 'Choose the CSV file to load');
    if (file.size > IMD_FILE_MAX_BYTES) return refused(413, TOO_LARGE);
    try {
      const loaded = await locals.services.reference.replaceImd(locals.ctx!, file.stream());
      return { loaded: { ...loaded, fileName: file.name.slice(0, 200) } };
    } catch (e) {
      if (e instanceof ImdFileTooLargeError) return refused(413, TOO_LARGE);
      if (isDomainError(e) && e.kind === 'validation') return refused(400, e.detail, e.errors);
      if (isDomainError(e)) error(PROBLEM_TYPES[e.kind].status, e.detail);
      throw e;
    }
  },
};
