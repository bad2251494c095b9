/**
 * The rules of signing in that need no I/O: the methods a session can come from, recovery codes as people type them,
 * where a person may be sent back to, and whom a single sign-on identity is (or is not) allowed to be.
 */

/** How a session began; every sign-in, refusal and sign-out is audited with one. */
export const SIGN_IN_METHODS = ['password', 'password+totp', 'recovery_code', 'oidc'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

export const RECOVERY_CODE_COUNT = 10;
/** Letters and digits that cannot be misread for one another (no 0/O, 1/I/L, U). */
export const RECOVERY_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const RECOVERY_CODE_LENGTH = 10;

/** A recovery code as shown: two groups of five, `ABCDE-23456`. */
export const formatRecoveryCode = (raw: string) => `${raw.slice(0, 5)}-${raw.slice(5)}`;

/**
 * What a person typed, as a recovery code (upper case, no spaces or dashes), or null when it cannot be one. Typed
 * codes are forgiving: lower case, spaces and dashes anywhere.
 */
export function normaliseRecoveryCode(typed: string): string | null {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== RECOVERY_CODE_LENGTH) return null;
  return [...code].every((c) => RECOVERY_CODE_ALPHABET.includes(c)) ? code : null;
}

/** Six digits, spaces allowed ("123 456", as authenticator apps show them); else null. */
export function normaliseTotpCode(typed: string): string | null {
  const code = typed.replace(/\s/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/** Only paths on this site: an open redirect after sign-in would be a phishing aid. */
export function safeReturnPath(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

/** Why a single sign-on was refused (audited as `reason`). */
export type SsoRefusal = 'unknown_person' | 'email_not_verified' | 'account_inactive' | 'linked_to_another_identity';

/** A user as single sign-on sees them. */
export interface SsoCandidate {
  id: string;
  active: boolean;
  oidcIssuer: string | null;
  oidcSubject: string | null;
}

/** What the provider's checked ID token says about the person. */
export interface SsoIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  /** `email_verified: true`, or Entra ID's `xms_edov: true` (the email's domain is verified by its owner). */
  emailVerified: boolean;
}

export type SsoDecision = { kind: 'sign_in'; userId: string; link: boolean } | { kind: 'refuse'; reason: SsoRefusal };

/**
 * Whom an identity from the provider signs in as. A user already linked to this issuer and subject is that user.
 * Otherwise only a verified email links, and only to an active user not already linked to another subject of the
 * same provider (an email reassigned at the provider must not take over someone's account). A link made under an
 * issuer no longer configured means nothing now, so the email may link afresh. Nobody is ever created, and the
 * product's role and sites always stand.
 */
export function decideSso(identity: SsoIdentity, linked: SsoCandidate | undefined, byEmail: SsoCandidate | undefined): SsoDecision {
  if (linked) return linked.active ? { kind: 'sign_in', userId: linked.id, link: false } : { kind: 'refuse', reason: 'account_inactive' };
  if (!identity.email || !identity.emailVerified) return { kind: 'refuse', reason: 'email_not_verified' };
  if (!byEmail) return { kind: 'refuse', reason: 'unknown_person' };
  if (byEmail.oidcIssuer === identity.issuer && byEmail.oidcSubject !== null && byEmail.oidcSubject !== identity.subject) {
    return { kind: 'refuse', reason: 'linked_to_another_identity' };
  }
  if (!byEmail.active) return { kind: 'refuse', reason: 'account_inactive' };
  return { kind: 'sign_in', userId: byEmail.id, link: true };
}

/** What the refusal page says to the person, in plain words. */
export const SSO_REFUSAL_MESSAGE: Record<SsoRefusal, string> = {
  unknown_person:
    'You signed in at your organisation, but there is no Pump Pathway account for you. Ask an administrator of Pump Pathway to add you, using your work email address.',
  email_not_verified:
    'Your organisation did not confirm your email address, so we cannot tell which Pump Pathway account is yours. Ask an administrator of Pump Pathway for help.',
  account_inactive: 'Your Pump Pathway account has been closed. Ask an administrator of Pump Pathway if you need it again.',
  linked_to_another_identity:
    'Your email address belongs to a Pump Pathway account that is linked to a different sign-in at your organisation. Ask an administrator of Pump Pathway for help.',
};

/** Whether this session must add an authenticator before doing anything else (MFA_REQUIRED_ROLES). */
export function mustEnrolSecondFactor(session: { method: SignInMethod; role: string; totpActive: boolean }, requiredRoles: readonly string[]): boolean {
  // Single sign-on's second factor is the identity provider's business; the rule is for password sign-ins.
  return session.method !== 'oidc' && !session.totpActive && requiredRoles.includes(session.role);
}
