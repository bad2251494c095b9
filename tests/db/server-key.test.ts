import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db/client';
import { keptAuthenticatorKey } from '../../src/lib/server/services/server-key.service';
import { freshDatabase } from '../support/database';

/** A PostgreSQL server started without TOTP_ENCRYPTION_KEY: every app process must read authenticator secrets alike. */
describe('the authenticator key the database keeps', () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(() => database.close());

  it('is made once, 32 random bytes, and every process starting together gets the same one', async () => {
    const keys = await Promise.all([keptAuthenticatorKey(database.db), keptAuthenticatorKey(database.db), keptAuthenticatorKey(database.db)]);
    expect(keys[0]).toHaveLength(32);
    expect(keys[0]!.equals(Buffer.alloc(32))).toBe(false);
    for (const key of keys) expect(key).toEqual(keys[0]);
    expect(await keptAuthenticatorKey(database.db)).toEqual(keys[0]);
  });
});
