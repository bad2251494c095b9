import { redirect } from '@sveltejs/kit';
import { idParams } from '$lib/schemas/common.schema';
import { createUserBody, setUserActiveBody } from '$lib/schemas/users.schema';
import { failFromError, formValues, parseForm, readForm, type FieldLabels } from '$lib/server/pages/forms';
import { recordId } from '$lib/server/pages/load';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const [users, sites] = await Promise.all([
    locals.services.users.list(locals.ctx!, { limit: 500 }),
    locals.services.sites.list(locals.ctx!, { limit: 500 }),
  ]);
  return {
    users: users.items,
    sites: sites.items,
    created: url.searchParams.get('created'),
    reset: url.searchParams.get('reset'),
    closed: url.searchParams.get('closed'),
    reopened: url.searchParams.get('reopened'),
    sso: locals.services.sso?.displayName ?? null,
  };
};

/** The form's fields as its error messages name them. */
const USER_FIELDS: FieldLabels = { role: 'the role' };

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const values = formValues(await readForm(request), ['siteIds']);
    const parsed = parseForm(createUserBody, values, USER_FIELDS);
    if (!parsed.ok) return parsed.failure;
    let email: string;
    try {
      email = (await locals.services.users.create(locals.ctx!, parsed.data)).email;
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/admin/users?created=${encodeURIComponent(email)}`);
  },
  resetTotp: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(idParams, values);
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.secondFactor.reset(locals.ctx!, parsed.data.id);
    } catch (e) {
      return failFromError(e, {});
    }
    redirect(303, `/admin/users?reset=${encodeURIComponent(String(values.email ?? ''))}`);
  },
  setActive: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(setUserActiveBody, { version: Number(values.version), active: values.active === 'true' });
    if (!parsed.ok) return parsed.failure;
    let email: string;
    try {
      email = (await locals.services.users.setActive(locals.ctx!, recordId(values.id), parsed.data)).email;
    } catch (e) {
      return failFromError(e, {});
    }
    redirect(303, `/admin/users?${parsed.data.active ? 'reopened' : 'closed'}=${encodeURIComponent(email)}`);
  },
};
