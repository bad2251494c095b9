import type { Role } from '../../domain/access';
import type { Config } from '../config';
import type { OidcSettings } from './oidc.client';
import { embeddedKey } from './secret-box';

/** How people may sign in here: built once at start-up from the environment. */
export interface SignInSettings {
  /** PASSWORD_SIGN_IN: false leaves single sign-on as the only way in. */
  passwordSignIn: boolean;
  /** MFA_REQUIRED_ROLES: roles whose password sign-ins must add an authenticator first. */
  mfaRequiredRoles: readonly Role[];
  /** The key that authenticator secrets are encrypted with; without one, nobody can add an authenticator. */
  totpKey: Buffer | null;
  oidc: OidcSettings | null;
}

/** Password sign-in only, no second factor: the command line, and tests that do not concern sign-in. */
export const PASSWORD_ONLY: SignInSettings = { passwordSignIn: true, mfaRequiredRoles: [], totpKey: null, oidc: null };

const OIDC_TIMEOUT_MS = 10_000;

type SignInConfig = Pick<
  Config,
  'DATA_DIR' | 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_DISPLAY_NAME' | 'PASSWORD_SIGN_IN' | 'MFA_REQUIRED_ROLES' | 'TOTP_ENCRYPTION_KEY'
>;

/**
 * The sign-in settings for this database. A PostgreSQL server requires admins to add a second factor unless
 * MFA_REQUIRED_ROLES says otherwise. Its authenticator key is TOTP_ENCRYPTION_KEY (shared by every app process);
 * without it, the key is left null here for the start-up to take the one the database keeps (server-key.service.ts).
 * The embedded demo requires no one, and keeps its own key in its data folder.
 */
export function signInSettingsFrom(config: SignInConfig, database: 'embedded' | 'postgres'): SignInSettings {
  const givenKey = config.TOTP_ENCRYPTION_KEY ? Buffer.from(config.TOTP_ENCRYPTION_KEY, 'base64') : null;
  return {
    passwordSignIn: config.PASSWORD_SIGN_IN,
    mfaRequiredRoles: config.MFA_REQUIRED_ROLES ?? (database === 'postgres' ? ['admin'] : []),
    totpKey: givenKey ?? (database === 'embedded' ? embeddedKey(config.DATA_DIR) : null),
    oidc: oidcSettingsFrom(config),
  };
}

/** Single sign-on's settings, when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set (config.ts checks they go together). */
export function oidcSettingsFrom(config: Pick<Config, 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_DISPLAY_NAME'>): OidcSettings | null {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = config;
  return issuer && clientId && clientSecret ? { issuer, clientId, clientSecret, displayName: config.OIDC_DISPLAY_NAME, timeoutMs: OIDC_TIMEOUT_MS } : null;
}
