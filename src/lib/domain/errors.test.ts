import { describe, expect, it } from 'vitest';
import {
  DOMAIN_ERROR_KINDS,
  DomainError,
  conflict,
  fieldError,
  forbidden,
  invalidTransition,
  isDomainError,
  notFound,
  rateLimited,
  unauthorized,
  unavailable,
  upstreamFailed,
  upstreamTimeout,
  validation,
} from './errors';

describe('domain errors', () => {
  it.each([
    ['not_found', notFound('Patient not found'), 'Patient not found'],
    ['forbidden', forbidden('Commissioners see aggregate figures only'), 'Commissioners see aggregate figures only'],
    ['unauthorized', unauthorized(), 'Sign in to continue'],
    ['conflict', conflict('The referral was changed by someone else'), 'The referral was changed by someone else'],
    ['unavailable', unavailable(), 'The service is temporarily unavailable'],
    ['upstream_failed', upstreamFailed(), 'The FHIR server failed or answered with something unreadable'],
    ['upstream_timeout', upstreamTimeout(), 'The FHIR server did not answer in time'],
  ] as const)('a %s error carries its kind and a detail a person can read', (kind, error, detail) => {
    expect(error.kind).toBe(kind);
    expect(error.detail).toBe(detail);
    expect(error.message).toBe(detail);
    expect(isDomainError(error)).toBe(true);
  });

  it('a validation error lists each bad field by its dotted path', () => {
    const error = validation([{ path: 'nhsNumber', message: 'Enter a valid NHS number' }]);
    expect(error.kind).toBe('validation');
    expect(error.errors).toEqual([{ path: 'nhsNumber', message: 'Enter a valid NHS number' }]);
    expect(fieldError('assessedOn', 'Date cannot be in the future').errors).toEqual([
      { path: 'assessedOn', message: 'Date cannot be in the future' },
    ]);
  });

  it('an invalid transition names the referral’s current status', () => {
    const error = invalidTransition('on_therapy');
    expect(error.kind).toBe('invalid_transition');
    expect(error.extra).toEqual({ currentStatus: 'on_therapy' });
    expect(error.detail).toContain('on_therapy');
  });

  it('a conflict and a rate limit carry their extra fields', () => {
    expect(conflict('Stale version', { currentVersion: 3 }).extra).toEqual({ currentVersion: 3 });
    expect(rateLimited(60).extra).toEqual({ retryAfterSeconds: 60 });
  });

  it('is an Error, with a stack for the logs', () => {
    const error = notFound();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DomainError');
    expect(typeof error.stack).toBe('string');
  });

  it('every kind can be constructed and recognised', () => {
    for (const kind of DOMAIN_ERROR_KINDS) expect(isDomainError(new DomainError(kind, 'x'))).toBe(true);
  });
});

describe('recognising a domain error without instanceof', () => {
  it('recognises one made by another copy of the module (the SvelteKit bundle and the server each load one)', () => {
    class OtherCopyDomainError extends Error {
      override readonly name = 'DomainError';
      constructor(
        readonly kind: string,
        readonly detail: string,
      ) {
        super(detail);
      }
    }
    const fromOtherCopy = new OtherCopyDomainError('not_found', 'Not found');
    expect(fromOtherCopy instanceof DomainError).toBe(false);
    expect(isDomainError(fromOtherCopy)).toBe(true);
  });

  it('recognises a plain object with the same shape, e.g. after structured cloning', () => {
    expect(isDomainError({ name: 'DomainError', kind: 'conflict', detail: 'Stale version' })).toBe(true);
  });

  it.each([
    ['an ordinary Error', new Error('boom')],
    ['a TypeError', new TypeError('x is undefined')],
    ['an unknown kind', { name: 'DomainError', kind: 'teapot', detail: 'x' }],
    ['a missing detail', { name: 'DomainError', kind: 'not_found' }],
    ['another error type with a kind', { name: 'HttpError', kind: 'not_found', detail: 'x' }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'DomainError'],
  ])('does not mistake %s for one', (_, value) => {
    expect(isDomainError(value)).toBe(false);
  });
});
