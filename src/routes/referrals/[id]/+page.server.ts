import { fail, redirect } from '@sveltejs/kit';
import { eventBody, type Referral } from '$lib/schemas/referrals.schema';
import { todayIso } from '$lib/server/clock';
import { eventBodyFromForm } from '$lib/server/pages/event-form';
import { failFromError, parseForm, readForm, type FieldLabels, type FormFailure } from '$lib/server/pages/forms';
import { onReviewHba1cField, reviewHba1cFromForm } from '$lib/server/pages/review-hba1c-form';
import { getOr404 } from '$lib/server/pages/load';
import { switchOf } from '$lib/existing-therapy.view';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const ctx = locals.ctx!;
  const referral = await getOr404(() => locals.services.referrals.get(ctx, params.id));
  const [patient, site, devices, endedPumpRecord] = await Promise.all([
    locals.services.patients.get(ctx, referral.patientId),
    locals.services.sites.get(ctx, referral.siteId),
    referral.allowedEvents.includes('device_started') ? locals.services.devices.list(ctx).then((d) => d.items) : [],
    pumpRecordEndedBy(locals, referral),
  ]);
  return {
    referral,
    patient,
    site,
    devices,
    endedPumpRecord,
    today: todayIso(),
    created: url.searchParams.has('created'),
    recorded: url.searchParams.get('recorded'),
  };
};

/**
 * The pump record a closed-loop start ended, if any. The switch is written on the pump record, naming this referral,
 * so it is found among the patient's records; asked only of a closed loop that has started.
 */
async function pumpRecordEndedBy(locals: App.Locals, referral: Referral): Promise<string | null> {
  if (referral.therapy !== 'hcl' || !referral.events.some((e) => e.type === 'device_started')) return null;
  const records = await locals.services.referrals.listForPatient(locals.ctx!, referral.patientId);
  const ended = records.find((r) => r.events.some((e) => switchOf(e)?.hclReferralId === referral.id));
  return ended?.id ?? null;
}

/**
 * The referral's step forms' dates and lists as their labels name them, so that their messages use the page's words
 * ("Enter the date of the review", "Select the pump"); the other fields' messages are already written for people.
 */
const EVENT_FIELDS: FieldLabels = {
  assessedOn: 'the date of the assessment',
  reassessOn: 'the date to reassess',
  decision: { select: 'the decision' },
  submittedOn: 'the date the request was submitted',
  route: { select: 'the route' },
  decidedOn: 'the date of the decision',
  outcome: { select: 'the outcome' },
  startedOn: 'the start date',
  pump: { select: 'the pump' },
  cgm: { select: 'the CGM' },
  algorithm: { select: 'the algorithm' },
  reviewedOn: 'the date of the review',
  on: 'the date of the withdrawal',
  reason: { select: 'the reason' },
};

export const actions: Actions = {
  event: async ({ request, locals, params }) => {
    const values = eventBodyFromForm(await readForm(request));
    const isReview = values.type === 'review';
    const review = isReview ? reviewHba1cFromForm(values) : { body: values, errors: {} };
    const parsed = parseForm(eventBody, review.body, EVENT_FIELDS);
    if (!parsed.ok || Object.keys(review.errors).length) {
      // Every problem at once: the form's own (a review's HbA1c included), and the referral's checks (dates against
      // its history, the therapy's answers, devices), in the order the form asks.
      const formErrors = parsed.ok ? {} : isReview ? onReviewHba1cField(parsed.failure.data.errors) : parsed.failure.data.errors;
      const errors: Record<string, string> = { ...formErrors, ...review.errors };
      for (const problem of await locals.services.referrals.eventFieldProblems(locals.ctx!, params.id, review.body)) errors[problem.path] ??= problem.message;
      return fail<FormFailure>(400, { values, errors: inFormOrder(errors, values.type) });
    }
    try {
      await locals.services.referrals.recordEvent(locals.ctx!, params.id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/referrals/${params.id}?recorded=${parsed.data.type}`);
  },
};

/** Field errors in the order the event's fields are asked, so the error summary reads down the form. */
function inFormOrder(errors: Record<string, string>, type: unknown): Record<string, string> {
  const member = eventBody.options.find((option) => option.shape.type.value === type);
  const order = member ? Object.keys(member.shape) : [];
  const rank = (path: string) => (order.includes(path) ? order.indexOf(path) : order.length);
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)));
}
