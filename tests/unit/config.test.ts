import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/server/config';

describe('configuration from the environment', () => {
  it('has working defaults: port 3000 and the embedded database in ./data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, DATA_DIR: './data', FHIR_TIMEOUT_MS: 10_000, TRUST_PROXY: false });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, /^Configuration error: PORT .*\(got "eighty"\)$/],
    [{ PORT: '70000' }, /^Configuration error: PORT /],
    [{ DATABASE_URL: 'mysql://x' }, /^Configuration error: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/],
    [{ ORIGIN: 'pumps.example' }, /^Configuration error: ORIGIN /],
    [{ FHIR_BASE_URL: 'ftp://fhir' }, /^Configuration error: FHIR_BASE_URL /],
    [{ FHIR_TIMEOUT_MS: '-5' }, /^Configuration error: FHIR_TIMEOUT_MS /],
    [{ TRUST_PROXY: 'yes' }, /^Configuration error: TRUST_PROXY must be true or false/],
    [{ DEMO_FHIR: 'no' }, /^Configuration error: DEMO_FHIR must be true or false/],
    [{ DATABASE_URL: 'postgres://db/pumps', READ_DATABASE_URL: 'https://replica' }, /^Configuration error: READ_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/],
    [{ READ_DATABASE_URL: 'postgres://replica/pumps' }, /^Configuration error: READ_DATABASE_URL needs DATABASE_URL: it is a replica of that server$/],
    [{ READ_MAX_LAG_SECONDS: '0' }, /^Configuration error: READ_MAX_LAG_SECONDS /],
    [{ DATABASE_STATEMENT_TIMEOUT_MS: 'soon' }, /^Configuration error: DATABASE_STATEMENT_TIMEOUT_MS .*\(got "soon"\)$/],
    [{ ADMIN_EMAIL: 'lead@trust.nhs.uk' }, /^Configuration error: ADMIN_PASSWORD ADMIN_EMAIL and ADMIN_PASSWORD go together$/],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a secret back', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db' })).toThrow(/^(?!.*s3cret)/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.nhs.uk', ADMIN_PASSWORD: 'short' })).toThrow(/^(?!.*short\b").*must be at least 12 characters/);
  });

  it('reads from a replica only when one is given, at most 30 seconds behind unless told otherwise; statements are bounded at 15 seconds', () => {
    const defaults = loadConfig({});
    expect(defaults.READ_DATABASE_URL).toBeUndefined();
    expect(defaults).toMatchObject({ READ_MAX_LAG_SECONDS: 30, DATABASE_STATEMENT_TIMEOUT_MS: 15_000 });
    expect(
      loadConfig({ DATABASE_URL: 'postgres://db/pumps', READ_DATABASE_URL: 'postgres://replica/pumps', READ_MAX_LAG_SECONDS: '5', DATABASE_STATEMENT_TIMEOUT_MS: '2000' }),
    ).toMatchObject({ READ_DATABASE_URL: 'postgres://replica/pumps', READ_MAX_LAG_SECONDS: 5, DATABASE_STATEMENT_TIMEOUT_MS: 2000 });
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/pumps', READ_DATABASE_URL: 'mysql://user:s3cret@replica' })).toThrow(/^(?!.*s3cret)/);
  });

  it('selects a PostgreSQL server with a postgres:// URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/pumps' }).DATABASE_URL).toBe('postgres://app@db.internal:5432/pumps');
  });
});
