import { createHash, randomBytes } from 'node:crypto';
import type { UserActor } from '../../domain/access';
import { rateLimited, unauthorized } from '../../domain/errors';
import type { User } from '../../schemas/users.schema';
import { burnVerify, verifyPassword } from '../auth/password';
import type { Db } from '../db/client';
import { writeAudit } from '../repositories/audit.repository';
import {
  clearLoginFailures,
  clearLoginFailuresBefore,
  countLoginFailures,
  deleteSession,
  endSession,
  insertSession,
  prepareSessionActor,
  recordLoginFailures,
  touchSession,
} from '../repositories/session.repository';
import { findUser, findUserByEmail, siteIdsOf } from '../repositories/user.repository';
import type { RequestMeta } from '../context';
import { actorOf, toUser } from './user.service';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** Failed sign-ins allowed in the window before further attempts are refused with 429. */
export const LOGIN_LIMITS = { windowMinutes: 15, perAccount: 5, perAddress: 30 } as const;

// Touching last_seen on every request would turn every page view into a write.
const TOUCH_AFTER_MS = 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SignedIn {
  token: string;
  user: User;
  expiresAt: Date;
}

export class AuthService {
  /** The actor behind a session cookie: every request asks, so it is prepared once. */
  private readonly sessionActor;

  constructor(
    private readonly db: Db,
    private readonly policy: SessionPolicy,
  ) {
    this.sessionActor = prepareSessionActor(db);
  }

  /**
   * Checks the password and opens a new session. The same 401 answers an unknown email and a wrong password,
   * after the same work. Any session the browser already had is ended, so a planted cookie never becomes a
   * signed-in one.
   */
  async login(email: string, password: string, meta: RequestMeta, previousToken?: string): Promise<SignedIn> {
    const accountKey = `account:${email}`;
    const addressKey = `address:${meta.clientAddress ?? 'unknown'}`;
    await this.refuseWhenLimited(accountKey, addressKey);

    const row = await findUserByEmail(this.db, email);
    const ok = row ? await verifyPassword(row.passwordHash, password) : (await burnVerify(password), false);
    if (!row || !ok) {
      await this.db.transaction(async (tx) => {
        await recordLoginFailures(tx, [accountKey, addressKey]);
        // The email as typed, so an administrator sees who was tried; never the password, nor what was typed in the
        // email field when it is not an email address (it may be a password typed in the wrong box).
        const tried = /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
        await writeAudit(tx, meta, { action: 'auth.login_failed', entityType: 'user', entityId: row?.id ?? null, after: { email: tried } });
      });
      throw unauthorized('Email or password is not right');
    }

    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.policy.absoluteHours * 3_600_000);
    const user = toUser(row, await siteIdsOf(this.db, row.id));
    await this.db.transaction(async (tx) => {
      if (previousToken) await deleteSession(tx, hashToken(previousToken));
      await clearLoginFailures(tx, accountKey);
      await insertSession(tx, {
        tokenHash: hashToken(token),
        userId: row.id,
        expiresAt,
        clientAddress: meta.clientAddress,
        userAgent: meta.userAgent?.slice(0, 500) ?? null,
      });
      await writeAudit(tx, { ...meta, actor: actorOf(user) }, { action: 'auth.login', entityType: 'user', entityId: row.id });
    });
    return { token, user, expiresAt };
  }

  /** The actor behind a session cookie, or null when it is unknown, idle too long or past its absolute expiry. */
  async resolve(token: string | undefined): Promise<UserActor | null> {
    if (!token || token.length > 200) return null;
    const tokenHash = hashToken(token);
    const [row] = await this.sessionActor.execute({ tokenHash });
    if (!row) return null;
    const { lastSeenAt, expiresAt, ...actor } = row;
    const now = Date.now();
    const idleLimit = lastSeenAt.getTime() + this.policy.idleMinutes * 60_000;
    if (now >= expiresAt.getTime() || now >= idleLimit) {
      await deleteSession(this.db, tokenHash);
      return null;
    }
    if (now - lastSeenAt.getTime() > TOUCH_AFTER_MS) {
      await touchSession(this.db, tokenHash, new Date(now));
    }
    return { kind: 'user', ...actor };
  }

  async logout(token: string | undefined, meta: RequestMeta): Promise<void> {
    if (!token) return;
    await this.db.transaction(async (tx) => {
      const ended = await endSession(tx, hashToken(token));
      if (!ended) return;
      // Signed out by the person whose session it was: the entry names them as its actor.
      const row = await findUser(tx, ended.userId);
      const ctx = row ? { ...meta, actor: actorOf(toUser(row, await siteIdsOf(tx, row.id))) } : meta;
      await writeAudit(tx, ctx, { action: 'auth.logout', entityType: 'user', entityId: ended.userId });
    });
  }

  private async refuseWhenLimited(accountKey: string, addressKey: string) {
    const since = new Date(Date.now() - LOGIN_LIMITS.windowMinutes * 60_000);
    // Old failures no longer count; clearing them here keeps the table small without a scheduler.
    await clearLoginFailuresBefore(this.db, since);
    const rows = await countLoginFailures(this.db, accountKey, addressKey, since);
    for (const r of rows) {
      const limit = r.key === accountKey ? LOGIN_LIMITS.perAccount : LOGIN_LIMITS.perAddress;
      if (r.n >= limit) {
        const freesAt = (r.oldest ? new Date(r.oldest).getTime() : Date.now()) + LOGIN_LIMITS.windowMinutes * 60_000;
        throw rateLimited(Math.max(1, Math.ceil((freesAt - Date.now()) / 1000)));
      }
    }
  }
}
