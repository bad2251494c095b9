import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signInSettingsFrom } from '../../src/lib/server/auth/sign-in.settings';
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

describe('sign-in settings', () => {
  const OIDC = { OIDC_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0', OIDC_CLIENT_ID: 'client', OIDC_CLIENT_SECRET: 'secret-value' };
  const KEY = 'q'.repeat(43) + '=';

  it.each([
    [{ OIDC_ISSUER: OIDC.OIDC_ISSUER }, /^Configuration error: OIDC_CLIENT_ID is needed too/],
    [{ ...OIDC, OIDC_ISSUER: 'http://idp.trust.nhs.uk' }, /^Configuration error: OIDC_ISSUER must be an https URL/],
    [{ PASSWORD_SIGN_IN: 'false' }, /^Configuration error: PASSWORD_SIGN_IN can be false only with single sign-on/],
    [{ MFA_REQUIRED_ROLES: 'admin,surgeon' }, /^Configuration error: MFA_REQUIRED_ROLES must list roles among nurse, consultant, commissioner, admin/],
    [{ TOTP_ENCRYPTION_KEY: 'too-short' }, /^Configuration error: TOTP_ENCRYPTION_KEY must be 32 random bytes in base64/],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes the client secret or the encryption key', () => {
    expect(() => loadConfig({ TOTP_ENCRYPTION_KEY: 'my-secret-key' })).toThrow(/^(?!.*my-secret-key)/);
  });

  it('allows plain http only for a provider on this machine', () => {
    expect(loadConfig({ ...OIDC, OIDC_ISSUER: 'http://127.0.0.1:4614' }).OIDC_ISSUER).toBe('http://127.0.0.1:4614');
  });

  it('requires admins to add a second factor on a PostgreSQL server, nobody in the embedded demo, unless told', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-sign-in-'));
    expect(signInSettingsFrom(loadConfig({ TOTP_ENCRYPTION_KEY: KEY }), 'postgres').mfaRequiredRoles).toEqual(['admin']);
    expect(signInSettingsFrom(loadConfig({ DATA_DIR: dir }), 'embedded').mfaRequiredRoles).toEqual([]);
    expect(signInSettingsFrom(loadConfig({ TOTP_ENCRYPTION_KEY: KEY, MFA_REQUIRED_ROLES: '' }), 'postgres').mfaRequiredRoles).toEqual([]);
    expect(signInSettingsFrom(loadConfig({ DATA_DIR: dir, MFA_REQUIRED_ROLES: 'nurse, consultant' }), 'embedded').mfaRequiredRoles).toEqual(['nurse', 'consultant']);
  });

  it('takes TOTP_ENCRYPTION_KEY as given, leaves a PostgreSQL server without one to its database, and keeps the embedded database’s beside it, readable by its owner only', () => {
    expect(signInSettingsFrom(loadConfig({ TOTP_ENCRYPTION_KEY: KEY }), 'postgres').totpKey).toEqual(Buffer.from(KEY, 'base64'));
    expect(signInSettingsFrom(loadConfig({}), 'postgres').totpKey).toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'pp-sign-in-'));
    const first = signInSettingsFrom(loadConfig({ DATA_DIR: dir }), 'embedded').totpKey!;
    expect(first).toHaveLength(32);
    expect(signInSettingsFrom(loadConfig({ DATA_DIR: dir }), 'embedded').totpKey).toEqual(first);
    expect(statSync(join(dir, 'totp-encryption.key')).mode & 0o777).toBe(0o600);
  });

  it('sets up single sign-on with all three OIDC settings, named on the sign-in page', () => {
    const s = signInSettingsFrom(loadConfig({ ...OIDC, TOTP_ENCRYPTION_KEY: KEY, OIDC_DISPLAY_NAME: 'NHSmail' }), 'postgres');
    expect(s.oidc).toMatchObject({ issuer: OIDC.OIDC_ISSUER, clientId: 'client', clientSecret: 'secret-value', displayName: 'NHSmail' });
    expect(s.passwordSignIn).toBe(true);
  });
});
