import { fail, redirect } from '@sveltejs/kit';
import { isDomainError } from '$lib/domain/errors';
import { secondFactorCode } from '$lib/schemas/users.schema';
import { qrCodeSvg } from '$lib/server/auth/totp';
import { failFromError, formValues, parseForm, readForm, type FieldErrors } from '$lib/server/pages/forms';
import type { Action, Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const ctx = locals.ctx!;
  const [status, pending] = await Promise.all([locals.services.secondFactor.status(ctx), locals.services.secondFactor.pending(ctx)]);
  return {
    status,
    pending: pending && { ...pending, qrSvg: await qrCodeSvg(pending.otpauthUri) },
    mustEnrol: locals.mustEnrolSecondFactor,
    sso: locals.services.sso?.displayName ?? null,
    done: url.searchParams.get('done'),
  };
};

/**
 * A form that acts on the authenticator with a code typed from it (turning it on, or removing it), then says what was
 * done; a wrong code is said beside the field.
 */
function withCode(act: 'confirm' | 'disable', done: 'added' | 'removed'): Action {
  return async ({ locals, request }) => {
    const parsed = parseForm(secondFactorCode, formValues(await readForm(request)));
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.secondFactor[act](locals.ctx!, parsed.data.code);
    } catch (e) {
      if (isDomainError(e) && e.kind === 'validation') return fail(400, { values: {}, errors: { code: e.errors?.[0]?.message ?? e.detail } as FieldErrors });
      return failFromError(e, {});
    }
    redirect(303, `/account?done=${done}`);
  };
}

export const actions: Actions = {
  start: async ({ locals }) => {
    try {
      const { recoveryCodes } = await locals.services.secondFactor.begin(locals.ctx!);
      return { recoveryCodes };
    } catch (e) {
      return failFromError(e, {});
    }
  },
  confirm: withCode('confirm', 'added'),
  remove: withCode('disable', 'removed'),
};
