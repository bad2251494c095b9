import { createHash, randomBytes } from 'node:crypto';
import type { Role, UserActor } from '../../domain/access';
import { forbidden, mfaRequired, unauthorized } from '../../domain/errors';
import { mustEnrolSecondFactor, type SignInMethod } from '../../domain/sign-in';
import type { User } from '../../schemas/users.schema';
import { burnVerify, verifyPassword } from '../auth/password';
import type { SecretBox } from '../auth/secret-box';
import type { Db } from '../db/client';
import { writeAudit } from '../repositories/audit.repository';
import { countUnusedRecoveryCodes, findTotp } from '../repositories/second-factor.repository';
import {
  clearLoginFailures,
  deleteSession,
  endSession,
  insertSession,
  prepareSessionActor,
  touchSession,
} from '../repositories/session.repository';
import { findSignInFlow, insertSignInFlow, takeSignInFlow } from '../repositories/sign-in-flow.repository';
import { findUser, findUserByEmail, siteIdsOf, type UserRow } from '../repositories/user.repository';
import type { RequestMeta } from '../context';
import { limitKeys, recordFailure, refuseWhenLimited, useSecondFactor } from './sign-in-guard';
import { actorOf, toUser } from './user.service';

export { LOGIN_LIMITS } from './sign-in-guard';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** What the auth service needs to know of the sign-in settings (see sign-in.settings.ts). */
export interface AuthOptions {
  passwordSignIn: boolean;
  mfaRequiredRoles: readonly Role[];
  secrets: SecretBox | null;
  /** The identity provider's name on the sign-in page, when single sign-on is set up. */
  ssoDisplayName: string | null;
}

// Touching last_seen on every request would turn every page view into a write.
const TOUCH_AFTER_MS = 60_000;
/** How long a checked password waits for its code on the sign-in page. */
const SECOND_STEP_MINUTES = 10;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export interface SignedIn {
  token: string;
  user: User;
  expiresAt: Date;
}

/** A signed-in session as each request sees it. */
export interface ActiveSession {
  actor: UserActor;
  method: SignInMethod;
  /** MFA_REQUIRED_ROLES: an authenticator must be added before anything else. */
  mustEnrolSecondFactor: boolean;
}

/** The sign-in page's first step: signed in, or the password was right and a code is needed next. */
export type PasswordStep = { signedIn: SignedIn } | { secondFactor: { token: string; expiresAt: Date } };

export class AuthService {
  /** The actor behind a session cookie: every request asks, so it is prepared once. */
  private readonly sessionActor;

  constructor(
    private readonly db: Db,
    private readonly policy: SessionPolicy,
    private readonly options: AuthOptions,
  ) {
    this.sessionActor = prepareSessionActor(db);
  }

  /** What the sign-in page offers. */
  signInOptions(): { password: boolean; sso: { displayName: string } | null } {
    return { password: this.options.passwordSignIn, sso: this.options.ssoDisplayName ? { displayName: this.options.ssoDisplayName } : null };
  }

  /**
   * Signs in with a password, and with `secondFactor` (a current code or an unused recovery code) when the
   * account has an authenticator. The same 401 answers an unknown email and a wrong password, after the same work.
   * Any session the browser already had is ended, so a planted cookie never becomes a signed-in one.
   */
  async login(email: string, password: string, meta: RequestMeta, previousToken?: string, secondFactor?: string): Promise<SignedIn> {
    const row = await this.checkPassword(email, password, meta);
    if (!(await this.hasAuthenticator(row.id))) return this.openSession(row, 'password', meta, previousToken);
    if (!secondFactor) throw mfaRequired();
    return this.openSession(row, await this.checkSecondFactor(row, secondFactor, meta), meta, previousToken);
  }

  /**
   * The sign-in page's first step. With an authenticator, the checked password waits for the code in the database
   * (never in this process: the next step may reach another one), found by the token the page keeps in a cookie.
   */
  async beginPasswordSignIn(email: string, password: string, meta: RequestMeta, previousToken?: string): Promise<PasswordStep> {
    const row = await this.checkPassword(email, password, meta);
    if (!(await this.hasAuthenticator(row.id))) return { signedIn: await this.openSession(row, 'password', meta, previousToken) };
    const token = newToken();
    const expiresAt = new Date(Date.now() + SECOND_STEP_MINUTES * 60_000);
    await insertSignInFlow(this.db, { tokenHash: hashToken(token), kind: 'second_factor', userId: row.id, data: {}, expiresAt });
    return { secondFactor: { token, expiresAt } };
  }

  /** The sign-in page's second step: the code for the password checked in the first. */
  async finishPasswordSignIn(flowToken: string | undefined, code: string, meta: RequestMeta, previousToken?: string): Promise<SignedIn> {
    const timedOut = () => unauthorized('Your sign-in timed out. Enter your email and password again.');
    const flow = flowToken ? await findSignInFlow(this.db, hashToken(flowToken), 'second_factor') : undefined;
    const row = flow?.userId ? await findUser(this.db, flow.userId) : undefined;
    if (!row?.active) throw timedOut();
    const method = await this.checkSecondFactor(row, code, meta);
    if (!(await takeSignInFlow(this.db, hashToken(flowToken!), 'second_factor'))) throw timedOut();
    return this.openSession(row, method, meta, previousToken);
  }

  /** Opens a session for a person whose sign-in has been checked, and audits it with its method. */
  async openSession(row: UserRow, method: SignInMethod, meta: RequestMeta, previousToken?: string, idToken?: string): Promise<SignedIn> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + this.policy.absoluteHours * 3_600_000);
    const user = toUser(row, await siteIdsOf(this.db, row.id));
    const recoveryCodesLeft = method === 'recovery_code' ? await countUnusedRecoveryCodes(this.db, row.id) : undefined;
    await this.db.transaction(async (tx) => {
      if (previousToken) await deleteSession(tx, hashToken(previousToken));
      await clearLoginFailures(tx, limitKeys(row.email, meta).account);
      await insertSession(tx, {
        tokenHash: hashToken(token),
        userId: row.id,
        expiresAt,
        clientAddress: meta.clientAddress,
        userAgent: meta.userAgent?.slice(0, 500) ?? null,
        method,
        idToken: idToken ?? null,
      });
      await writeAudit(tx, { ...meta, actor: actorOf(user) }, { action: 'auth.login', entityType: 'user', entityId: row.id, after: { method, recoveryCodesLeft } });
    });
    return { token, user, expiresAt };
  }

  /** The actor behind a session cookie, or null when it is unknown, idle too long or past its absolute expiry. */
  async resolve(token: string | undefined): Promise<UserActor | null> {
    return (await this.resolveSession(token))?.actor ?? null;
  }

  /** The session behind a cookie: its actor, how it began, and whether it must add an authenticator first. */
  async resolveSession(token: string | undefined): Promise<ActiveSession | null> {
    if (!token || token.length > 200) return null;
    const tokenHash = hashToken(token);
    const [row] = await this.sessionActor.execute({ tokenHash });
    if (!row) return null;
    const { lastSeenAt, expiresAt, method, totpActive, ...actor } = row;
    const now = Date.now();
    const idleLimit = lastSeenAt.getTime() + this.policy.idleMinutes * 60_000;
    if (now >= expiresAt.getTime() || now >= idleLimit) {
      await deleteSession(this.db, tokenHash);
      return null;
    }
    if (now - lastSeenAt.getTime() > TOUCH_AFTER_MS) {
      await touchSession(this.db, tokenHash, new Date(now));
    }
    return {
      actor: { kind: 'user', ...actor },
      method,
      mustEnrolSecondFactor: mustEnrolSecondFactor({ method, role: actor.role, totpActive }, this.options.mfaRequiredRoles),
    };
  }

  /** Ends the session and audits it with its method; answers how it began, for signing out at the provider too. */
  async logout(token: string | undefined, meta: RequestMeta): Promise<{ method: SignInMethod; idToken: string | null } | null> {
    if (!token) return null;
    return this.db.transaction(async (tx) => {
      const ended = await endSession(tx, hashToken(token));
      if (!ended) return null;
      // Signed out by the person whose session it was: the entry names them as its actor.
      const row = await findUser(tx, ended.userId);
      const ctx = row ? { ...meta, actor: actorOf(toUser(row, await siteIdsOf(tx, row.id))) } : meta;
      await writeAudit(tx, ctx, { action: 'auth.logout', entityType: 'user', entityId: ended.userId, after: { method: ended.method } });
      return { method: ended.method, idToken: ended.idToken };
    });
  }

  private async checkPassword(email: string, password: string, meta: RequestMeta): Promise<UserRow> {
    // The email as typed, so an administrator sees who was tried; never the password, nor what was typed in the
    // email field when it is not an email address (it may be a password typed in the wrong box).
    const tried = /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
    if (!this.options.passwordSignIn) {
      await this.db.transaction((tx) =>
        writeAudit(tx, meta, { action: 'auth.login_failed', entityType: 'user', entityId: null, after: { email: tried, method: 'password', reason: 'password_sign_in_off' } }),
      );
      throw forbidden(`Signing in with a password is turned off here: sign in with ${this.options.ssoDisplayName}`);
    }
    const keys = limitKeys(email, meta);
    await refuseWhenLimited(this.db, keys);
    const row = await findUserByEmail(this.db, email);
    // A person who signs in only through the identity provider has no password: refused like a wrong one.
    const ok = row?.passwordHash ? await verifyPassword(row.passwordHash, password) : (await burnVerify(password), false);
    if (!row || !ok || !row.active) {
      const reason = ok ? 'account_inactive' : 'credentials';
      await recordFailure(this.db, meta, keys, { entityId: row?.id ?? null, after: { email: tried, method: 'password', reason } });
      throw ok ? forbidden('This account has been closed. Ask an administrator of Pump Pathway if you need it again.') : unauthorized('Email or password is not right');
    }
    return row;
  }

  private async hasAuthenticator(userId: string): Promise<boolean> {
    return !!(await findTotp(this.db, userId))?.confirmedAt;
  }

  /** A wrong code counts as a failed sign-in, towards the same limits as a wrong password. */
  private async checkSecondFactor(row: UserRow, code: string, meta: RequestMeta): Promise<SignInMethod> {
    const keys = limitKeys(row.email, meta);
    await refuseWhenLimited(this.db, keys);
    const method = await useSecondFactor(this.db, this.options.secrets, row.id, code);
    if (method) return method;
    await recordFailure(this.db, meta, keys, { entityId: row.id, after: { email: row.email, method: 'password+totp', reason: 'wrong_code' } });
    throw mfaRequired('The code is not right. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.');
  }
}
