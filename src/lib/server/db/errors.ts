/** The driver's error itself: both drivers put it on the error, or on a cause the ORM wrapped around it. */
function driverError(e: unknown): { code: string; detail?: string } | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return cur as { code: string; detail?: string };
  }
  return undefined;
}

/** PostgreSQL's SQLSTATE, as both drivers report it. */
const sqlState = (e: unknown): string | undefined => driverError(e)?.code;

/** PostgreSQL's detail line of an error, such as "Key (postcode)=(LS14AP) already exists." */
export const sqlDetail = (e: unknown): string | undefined => driverError(e)?.detail;

export const isUniqueViolation = (e: unknown) => sqlState(e) === '23505';
export const isForeignKeyViolation = (e: unknown) => sqlState(e) === '23503';
/** A hot standby cancelled a read that conflicted with the changes it was replaying. */
export const isRecoveryConflict = (e: unknown) => sqlState(e) === '40001';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57014', // query_canceled: the statement timeout, the bound on a query the database is too slow to answer
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
]);

/** What people are told, by the API and on pages, when the database cannot be reached. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is not reachable just now. Nothing was saved; try again shortly.';

/** True when the database server could not be reached or went away, rather than refusing the query. */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  }
  return false;
}

/**
 * postgres.js asks each new connection for the server's array types (connection.js, fetchArrayTypes) without
 * handling a failure: a connection lost at that moment (a server stopping, a network failing) rejects a promise
 * nobody awaits. postgres.js itself reconnects and carries on; only that rejection is left over, and it must not
 * stop the process (Node stops on an unhandled rejection). Recognised by its query text, so nothing else is.
 */
export function isLostArrayTypeFetch(e: unknown): boolean {
  const query = (e as { query?: unknown } | null)?.query;
  return typeof query === 'string' && query.includes('from pg_catalog.pg_type a') && isDatabaseUnavailable(e);
}
