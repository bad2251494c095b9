import { fail, redirect } from '@sveltejs/kit';
import { isDomainError } from '$lib/domain/errors';
import { secondFactorCode } from '$lib/schemas/users.schema';
import { qrCodeSvg } from '$lib/server/auth/totp';
import { failFromError, formValues, parseForm, readForm, type FieldErrors } from '$lib/server/pages/forms';
import type { Actions, PageServerLoad } from './$types';

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

const codeFrom = async (request: Request) => parseForm(secondFactorCode, formValues(await readForm(request)));
const wrongCode = (e: unknown) => {
  if (isDomainError(e) && e.kind === 'validation') return fail(400, { values: {}, errors: { code: e.errors?.[0]?.message ?? e.detail } as FieldErrors });
  return failFromError(e, {});
};

export const actions: Actions = {
  start: async ({ locals }) => {
    try {
      const { recoveryCodes } = await locals.services.secondFactor.begin(locals.ctx!);
      return { recoveryCodes };
    } catch (e) {
      return failFromError(e, {});
    }
  },
  confirm: async ({ locals, request }) => {
    const parsed = await codeFrom(request);
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.secondFactor.confirm(locals.ctx!, parsed.data.code);
    } catch (e) {
      return wrongCode(e);
    }
    redirect(303, '/account?done=added');
  },
  remove: async ({ locals, request }) => {
    const parsed = await codeFrom(request);
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.secondFactor.disable(locals.ctx!, parsed.data.code);
    } catch (e) {
      return wrongCode(e);
    }
    redirect(303, '/account?done=removed');
  },
};
