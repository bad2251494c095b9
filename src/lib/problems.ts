import type { DomainErrorKind } from './domain/errors';

/** The problem types this API answers with: one HTTP status and title per kind of failure. */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Not signed in' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  invalid_transition: { status: 422, title: 'Step not allowed' },
  rate_limited: { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Service unavailable' },
  upstream_failed: { status: 502, title: 'FHIR server failed' },
  upstream_timeout: { status: 504, title: 'FHIR server timed out' },
  mfa_required: { status: 401, title: 'Second factor required' },
  mfa_enrolment_required: { status: 403, title: 'Authenticator app required' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  caseload_rejected: { status: 422, title: 'Caseload file not applied' },
  internal: { status: 500, title: 'Internal server error' },
} as const satisfies Record<DomainErrorKind | string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

/** Problem type URIs resolve (relative to the API's own origin) to a short description of the problem. */
export const problemType = (kind: ProblemKind) => `/api/problems/${kind.replaceAll('_', '-')}`;
