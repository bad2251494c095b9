import type { Db } from '../db/client';
import { keptKey } from '../repositories/server-key.repository';

/** The name the database keeps the authenticator key under when TOTP_ENCRYPTION_KEY is not given. */
const TOTP_KEY_NAME = 'totp-encryption';

/**
 * The authenticator secrets' key that the database keeps, for a PostgreSQL server started without
 * TOTP_ENCRYPTION_KEY: made once, then shared by every app process. Start-up work, before anyone acts.
 */
export function keptAuthenticatorKey(db: Db): Promise<Buffer> {
  return keptKey(db, TOTP_KEY_NAME);
}
