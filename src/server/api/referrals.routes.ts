import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, page, problem } from '../../lib/schemas/common.schema';
import { createReferralBody, eventBody, queueItem, queueQuery, referral, referralListItem, referralQuery } from '../../lib/schemas/referrals.schema';
import { ctxOf } from '../plugins/auth.plugin';
import { fastSerializerCompiler } from '../plugins/fast-serializer';
import { schemaFieldErrors } from '../plugins/problems.plugin';
import { validation } from '../../lib/domain/errors';

const EVENTS_DESCRIPTION = `Records one step of the pathway. Send the referral's current \`version\`: a stale one gets 409 and
changes nothing (checked before anything else about the referral). A step the pathway does not allow from the current
status gets 422 naming \`currentStatus\`; a step your role does not record gets 403 (assessments are a consultant's,
device starts a nurse's). Event dates may not lie in the future, nor before the referral's \`receivedOn\` (for an
existing-therapy record, its \`knownOn\`), nor before the previous event's date (400 on the date field). A
\`device_started\` on an HCL referral, when the same patient has a CSII record in \`on_therapy\`, moves that record to
\`switched\` in the same transaction, through the system's event \`switched_to_hcl\` \`{ on, hclReferralId }\` dated the
HCL start, audited on its own; a start dated before that record's last event is refused (400 on \`startedOn\`).
\`switched\` is final: any event posted to a switched record gets 422. \`existing_therapy\` and \`switched_to_hcl\`
cannot be posted (400 on \`type\`). An assessment's response carries \`criteria\` (NICE TA151 for CSII,
TA943 for HCL); a decision of eligible or not_eligible that differs from the suggestion needs a \`rationale\` (400). A
deferred assessment returns the referral to the eligibility queue on \`reassessOn\` (default 90 days later).`;

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/referrals', {
    config: { permission: 'referrals:write' },
    serializerCompiler: fastSerializerCompiler,
    schema: {
      tags: ['Referrals'],
      summary: 'Refer a patient for pump (CSII) or hybrid closed loop (HCL) therapy, or record one already on it',
      description: `Two kinds of record, told apart by \`origin\`.

**A pathway referral** (\`origin\` absent or \`pathway\`) starts at \`awaiting_assessment\`, version 1. \`receivedOn\`
not in the future nor before birth. \`priorityGroup\` applies to HCL only (400 otherwise).

**An existing therapy** (\`origin: "existing"\`): a person already on a pump or closed loop before the service used
this product, or who transferred in. It is created at \`on_therapy\`, version 1, with one event \`existing_therapy\`
carrying the fields sent, and has no \`receivedOn\` or \`source\`. \`startedOn\` when the start date is known;
\`startedYear\` when only the year is (it must agree with \`startedOn\` when both are sent); neither when the start is
unknown. \`knownOn\`: the date the service knew the person to be on this therapy, no later than today, no earlier
than \`startedOn\` or the date of birth. \`pump\`, and \`cgm\` and \`algorithm\` when sent, must be active devices of
that kind in the catalogue. Every problem is reported at once (400). A patient who already has a record of that
therapy in \`on_therapy\` gets 409. From then on the record takes \`review\` events like any other; it never counts as
referred, assessed, funded or started, and never enters a wait.`,
      body: createReferralBody,
      response: { 201: referral, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem },
    },
    handler: async (req, reply) => reply.code(201).send(await app.services.referrals.create(ctxOf(req), req.body)),
  });

  app.get('/referrals', {
    config: { permission: 'referrals:read' },
    schema: {
      tags: ['Referrals'],
      summary: 'List referrals',
      description: `Referrals at the caller's sites (all for admins), newest received (or, for an existing therapy, known)
first, without their events. Each carries \`patient\` (\`id\`, \`nhsNumber\`, \`givenName\`, \`familyName\`): whose
referral it is. Optional filters, combined with and: \`siteId\`, \`status\`, \`therapy\` (\`csii\` or \`hcl\`),
\`patientId\`. A \`nextCursor\` continues the same filtered list: send the same filters with it.`,
      querystring: referralQuery,
      response: { 200: page(referralListItem), 400: problem, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req) => app.services.referrals.list(ctxOf(req), req.query),
  });

  app.get('/referrals/:id', {
    config: { permission: 'referrals:read' },
    serializerCompiler: fastSerializerCompiler,
    schema: {
      tags: ['Referrals'],
      summary: 'Read a referral with its events, oldest first',
      params: idParams,
      response: { 200: referral, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req) => app.services.referrals.get(ctxOf(req), req.params.id),
  });

  app.post('/referrals/:id/events', {
    config: { permission: 'referrals:write' },
    serializerCompiler: fastSerializerCompiler,
    schema: {
      tags: ['Referrals'],
      summary: 'Record a pathway event',
      description: EVENTS_DESCRIPTION,
      params: idParams,
      body: eventBody,
      response: { 201: referral, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 422: problem },
    },
    // A body that fails the schema is checked against the referral too, so one answer names every problem.
    attachValidation: true,
    handler: async (req, reply) => {
      const invalid = req.validationError;
      if (invalid) {
        const errors = schemaFieldErrors(invalid);
        if (!errors || invalid.validationContext !== 'body' || typeof req.body !== 'object' || req.body === null) throw invalid;
        const more = await app.services.referrals.eventFieldProblems(ctxOf(req), req.params.id, req.body as Record<string, unknown>);
        throw validation([...errors, ...more.filter((m) => !errors.some((e) => e.path === m.path))]);
      }
      return reply.code(201).send(await app.services.referrals.recordEvent(ctxOf(req), req.params.id, req.body));
    },
  });

  app.get('/queues/eligibility', {
    config: { permission: 'referrals:read' },
    schema: {
      tags: ['Referrals'],
      summary: 'The eligibility queue',
      description: 'Referrals awaiting assessment, and deferred ones whose `reassessOn` has come, longest wait first.',
      querystring: queueQuery,
      response: { 200: page(queueItem), 400: problem, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req) => app.services.referrals.eligibilityQueue(ctxOf(req), req.query),
  });
};

export default routes;
