/**
 * One error type for every expected failure. Routes map `kind` to an HTTP status in one place; pages map it
 * to `fail()`/`error()`. Recognised by shape, not `instanceof`: the server and the SvelteKit bundle each load
 * their own copy of this module.
 */
export const DOMAIN_ERROR_KINDS = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'invalid_transition',
  'rate_limited',
  'unavailable',
  'upstream_failed',
  'upstream_timeout',
  'mfa_required',
  'mfa_enrolment_required',
] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

export interface FieldError {
  path: string;
  message: string;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'DomainError' &&
    (DOMAIN_ERROR_KINDS as readonly unknown[]).includes((e as { kind?: unknown }).kind) &&
    typeof (e as { detail?: unknown }).detail === 'string'
  );
}

export const notFound = (detail = 'Not found') => new DomainError('not_found', detail);
export const forbidden = (detail = 'You do not have permission to do this') => new DomainError('forbidden', detail);
export const unauthorized = (detail = 'Sign in to continue') => new DomainError('unauthorized', detail);
export const conflict = (detail: string, extra?: Record<string, unknown>) =>
  new DomainError('conflict', detail, undefined, extra);
export const validation = (errors: FieldError[], detail = 'The request has invalid fields') =>
  new DomainError('validation', detail, errors);
export const invalidTransition = (currentStatus: string, detail?: string) =>
  new DomainError('invalid_transition', detail ?? `This step is not allowed while the referral is ${currentStatus}`, undefined, {
    currentStatus,
  });
export const rateLimited = (retryAfterSeconds: number) =>
  new DomainError('rate_limited', 'Too many failed sign-in attempts. Try again later.', undefined, { retryAfterSeconds });
/** One bad field, for checks made after schema validation (an event date out of order, a decision without a rationale). */
export const fieldError = (path: string, message: string) => validation([{ path, message }]);
export const unavailable = (detail = 'The service is temporarily unavailable') => new DomainError('unavailable', detail);
export const upstreamFailed = (detail = 'The FHIR server failed or answered with something unreadable') =>
  new DomainError('upstream_failed', detail);
export const upstreamTimeout = (detail = 'The FHIR server did not answer in time') =>
  new DomainError('upstream_timeout', detail);
/** A password account with an authenticator signs in with a code too (or the code sent was not right). */
export const mfaRequired = (detail = 'Enter the 6-digit code from your authenticator app, or one of your recovery codes') =>
  new DomainError('mfa_required', detail);
/** MFA_REQUIRED_ROLES: this person must add an authenticator before anything else. */
export const mfaEnrolmentRequired = (detail = 'Add an authenticator app to your account before doing anything else (POST /api/v1/me/totp)') =>
  new DomainError('mfa_enrolment_required', detail);
