import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, retryDelay } from './fhir.retry';

describe('Retry-After', () => {
  const now = Date.parse('2025-05-01T10:00:00Z');
  it.each([
    ['0', 0],
    ['3', 3000],
    [' 12 ', 12_000],
    ['Thu, 01 May 2025 10:00:05 GMT', 5000],
    ['Thu, 01 May 2025 09:59:00 GMT', 0],
    ['soon', null],
    ['', null],
    [null, null],
  ])('%j -> %s ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe('backoff', () => {
  it('doubles with each attempt and stays between half and all of the step', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, 100, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, 100, () => 0.999999))).toEqual([100, 200, 400, 800]);
  });

  it('prefers the server’s Retry-After', () => {
    expect(retryDelay(3, '1', 100)).toBe(1000);
    const d = retryDelay(0, null, 100);
    expect(d).toBeGreaterThanOrEqual(50);
    expect(d).toBeLessThanOrEqual(100);
  });
});
