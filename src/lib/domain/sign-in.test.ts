import { describe, expect, it } from 'vitest';
import { decideSso, mustEnrolSecondFactor, normaliseRecoveryCode, normaliseTotpCode, safeReturnPath, type SsoCandidate, type SsoIdentity } from './sign-in';

const ISSUER = 'https://login.example.nhs.uk/tenant/v2.0';
const identity = (over: Partial<SsoIdentity> = {}): SsoIdentity => ({ issuer: ISSUER, subject: 'sub-1', email: 'sam@trust.nhs.uk', emailVerified: true, ...over });
const user = (over: Partial<SsoCandidate> = {}): SsoCandidate => ({ id: 'u1', active: true, oidcIssuer: null, oidcSubject: null, ...over });

describe('whom a single sign-on identity signs in as', () => {
  it('is the user linked to that issuer and subject, whatever the email now says', () => {
    expect(decideSso(identity({ email: 'new@trust.nhs.uk', emailVerified: false }), user({ oidcIssuer: ISSUER, oidcSubject: 'sub-1' }), undefined)).toEqual({ kind: 'sign_in', userId: 'u1', link: false });
  });
  it('is the user with the verified email the first time, who is then linked', () => {
    expect(decideSso(identity(), undefined, user())).toEqual({ kind: 'sign_in', userId: 'u1', link: true });
  });
  it('is nobody when the email is not verified or missing', () => {
    expect(decideSso(identity({ emailVerified: false }), undefined, user())).toEqual({ kind: 'refuse', reason: 'email_not_verified' });
    expect(decideSso(identity({ email: null }), undefined, undefined)).toEqual({ kind: 'refuse', reason: 'email_not_verified' });
  });
  it('is nobody for a person with no account: no one is created', () => {
    expect(decideSso(identity(), undefined, undefined)).toEqual({ kind: 'refuse', reason: 'unknown_person' });
  });
  it('is nobody for a closed account, linked or found by email', () => {
    expect(decideSso(identity(), user({ active: false, oidcIssuer: ISSUER, oidcSubject: 'sub-1' }), undefined)).toEqual({ kind: 'refuse', reason: 'account_inactive' });
    expect(decideSso(identity(), undefined, user({ active: false }))).toEqual({ kind: 'refuse', reason: 'account_inactive' });
  });
  it('never takes over an account linked to another subject of the same provider', () => {
    expect(decideSso(identity(), undefined, user({ oidcIssuer: ISSUER, oidcSubject: 'sub-2' }))).toEqual({ kind: 'refuse', reason: 'linked_to_another_identity' });
  });
  it('links afresh an account linked under a provider no longer configured', () => {
    expect(decideSso(identity(), undefined, user({ oidcIssuer: 'https://old.example', oidcSubject: 'old' }))).toEqual({ kind: 'sign_in', userId: 'u1', link: true });
  });
});

describe('codes as people type them', () => {
  it('reads a TOTP code with spaces, and nothing but six digits', () => {
    expect(normaliseTotpCode(' 123 456 ')).toBe('123456');
    expect(normaliseTotpCode('12345')).toBeNull();
    expect(normaliseTotpCode('12345a')).toBeNull();
  });
  it('reads a recovery code in any case, with or without its dash', () => {
    expect(normaliseRecoveryCode('abcde-23456')).toBe('ABCDE23456');
    expect(normaliseRecoveryCode('ABCDE 23456')).toBe('ABCDE23456');
    expect(normaliseRecoveryCode('ABCDE-2345')).toBeNull();
    expect(normaliseRecoveryCode('ABCDE-2345O')).toBeNull(); // O is not in the alphabet
  });
});

describe('where a person is sent after signing in', () => {
  it('is a path on this site, never another site', () => {
    expect(safeReturnPath('/patients?q=x')).toBe('/patients?q=x');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', null, undefined, '']) expect(safeReturnPath(bad)).toBe('/');
  });
});

describe('MFA_REQUIRED_ROLES', () => {
  it('holds a listed role that signed in with a password and has no authenticator', () => {
    expect(mustEnrolSecondFactor({ method: 'password', role: 'admin', totpActive: false }, ['admin'])).toBe(true);
    expect(mustEnrolSecondFactor({ method: 'password', role: 'admin', totpActive: true }, ['admin'])).toBe(false);
    expect(mustEnrolSecondFactor({ method: 'password', role: 'nurse', totpActive: false }, ['admin'])).toBe(false);
  });
  it("leaves single sign-on's second factor to the identity provider", () => {
    expect(mustEnrolSecondFactor({ method: 'oidc', role: 'admin', totpActive: false }, ['admin'])).toBe(false);
  });
});
