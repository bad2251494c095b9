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
