import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_TYPES, problemType, type ProblemKind } from '../../lib/problems';

const DESCRIPTIONS: Record<ProblemKind, string> = {
  validation: 'One or more fields are invalid; `errors` lists each field (dotted path) with a message. Nothing was written.',
  unauthorized: 'Sign in first (POST /api/v1/auth/login).',
  forbidden: 'Your role may not do this. Commissioners never reach patient-level records.',
  not_found: 'No such record, or it lies outside your sites.',
  conflict: 'The record changed since you read it (stale `version`), or it duplicates an existing one. Nothing was written.',
  invalid_transition: 'The pathway does not allow this step from the referral\'s current status (`currentStatus`).',
  rate_limited: 'Too many failed sign-ins; wait for the number of seconds in Retry-After.',
  unavailable: 'The database is unreachable just now. Nothing was written; retry later.',
  upstream_failed: 'The FHIR server failed or answered something that is not the FHIR we expect. Nothing was written.',
  upstream_timeout: 'The FHIR server did not answer in time. Nothing was written.',
  mfa_required:
    'The email and password are right, but this account has an authenticator app: send `totp` too, a current 6-digit code or an unused recovery code. A wrong code counts as a failed sign-in.',
  mfa_enrolment_required:
    'Your role must use a second factor (MFA_REQUIRED_ROLES): add an authenticator app with POST /api/v1/me/totp and /api/v1/me/totp/confirm first. Until then only GET /api/v1/me, those two and sign-out answer.',
  unsupported_media_type: 'Request bodies must be application/json; a caseload file must be text/csv in UTF-8.',
  payload_too_large: 'The request body is over 1 MiB, or a caseload file over 20 MiB.',
  caseload_rejected: 'The caseload file has problems, so nothing was written: the body carries the report, each problem with its line and column.',
  internal: 'An unexpected error. Quote the request id (x-request-id) when reporting it.',
};

/** Problem type URIs are resolvable: each answers with what it means. */
const routes: FastifyPluginAsyncZod = async (app) => {
  const kinds = Object.keys(PROBLEM_TYPES) as ProblemKind[];
  const bySlug = new Map(kinds.map((k) => [problemType(k).split('/').pop()!, k]));
  app.get('/problems/:slug', {
    schema: {
      tags: ['Operations'],
      summary: 'What a problem type means',
      params: z.object({ slug: z.string() }),
      response: { 200: z.object({ type: z.string(), title: z.string(), status: z.int(), description: z.string() }) },
    },
    handler: async (req, reply) => {
      const kind = bySlug.get(req.params.slug);
      if (!kind) return reply.callNotFound();
      return { type: problemType(kind), ...PROBLEM_TYPES[kind], description: DESCRIPTIONS[kind] };
    },
  });
};

export default routes;
