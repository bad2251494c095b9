/**
 * When to try a read again. Only 429 (too many requests) and 503 (unavailable) say "later might work"; any
 * other failure is answered at once, since repeating it would only make the person waiting wait longer.
 */

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Retry-After as milliseconds: delta-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * Exponential backoff with jitter for attempt 0, 1, 2, ...: a random wait between half and all of
 * base x 2^attempt, so many clients refused at once do not all come back at once.
 */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = baseMs * 2 ** attempt;
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The wait before the next attempt: the server's Retry-After when it gave one, else the backoff. */
export function retryDelay(attempt: number, retryAfter: string | null | undefined, baseMs: number, nowMs?: number): number {
  return parseRetryAfter(retryAfter, nowMs) ?? backoffDelay(attempt, baseMs);
}
