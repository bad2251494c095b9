import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, gte, lt, min, or, sql } from 'drizzle-orm';
import type { UserActor } from '../../domain/access';
import { rateLimited, unauthorized } from '../../domain/errors';
import type { User } from '../../schemas/users.schema';
import { burnVerify, verifyPassword } from '../auth/password';
import type { Db } from '../db/client';
import { loginFailures, sessions, users, userSites } from '../db/schema';
import { writeAudit } from '../repositories/audit.repository';
import type { RequestMeta } from '../context';
import { actorOf, findUserByEmail, toUser } from './user.service';

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
  /** Every request asks this, so it is built once: the session, its user and the user's sites in one query. */
  private readonly sessionActor;

  constructor(
    private readonly db: Db,
    private readonly policy: SessionPolicy,
  ) {
    this.sessionActor = db
      .select({
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        userId: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        siteIds: sql<string[]>`coalesce((select array_agg(${userSites.siteId}) from ${userSites} where ${userSites.userId} = ${users.id}), '{}')`,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
      .prepare('session_actor');
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
      await this.db.insert(loginFailures).values([{ key: accountKey }, { key: addressKey }]);
      throw unauthorized('Email or password is not right');
    }

    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.policy.absoluteHours * 3_600_000);
    const memberships = await this.db.select({ siteId: userSites.siteId }).from(userSites).where(eq(userSites.userId, row.id));
    const user = toUser(row, memberships.map((m) => m.siteId));
    await this.db.transaction(async (tx) => {
      if (previousToken) await tx.delete(sessions).where(eq(sessions.tokenHash, hashToken(previousToken)));
      await tx.delete(loginFailures).where(eq(loginFailures.key, accountKey));
      await tx.insert(sessions).values({
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
      await this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
      return null;
    }
    if (now - lastSeenAt.getTime() > TOUCH_AFTER_MS) {
      await this.db.update(sessions).set({ lastSeenAt: new Date(now) }).where(eq(sessions.tokenHash, tokenHash));
    }
    return { kind: 'user', ...actor };
  }

  async logout(token: string | undefined, meta: RequestMeta): Promise<void> {
    if (!token) return;
    await this.db.transaction(async (tx) => {
      const [ended] = await tx.delete(sessions).where(eq(sessions.tokenHash, hashToken(token))).returning();
      if (ended) await writeAudit(tx, meta, { action: 'auth.logout', entityType: 'user', entityId: ended.userId });
    });
  }

  private async refuseWhenLimited(accountKey: string, addressKey: string) {
    const since = new Date(Date.now() - LOGIN_LIMITS.windowMinutes * 60_000);
    // Old failures no longer count; clearing them here keeps the table small without a scheduler.
    await this.db.delete(loginFailures).where(lt(loginFailures.at, since));
    const rows = await this.db
      .select({ key: loginFailures.key, n: count(), oldest: min(loginFailures.at) })
      .from(loginFailures)
      .where(and(or(eq(loginFailures.key, accountKey), eq(loginFailures.key, addressKey)), gte(loginFailures.at, since)))
      .groupBy(loginFailures.key);
    for (const r of rows) {
      const limit = r.key === accountKey ? LOGIN_LIMITS.perAccount : LOGIN_LIMITS.perAddress;
      if (r.n >= limit) {
        const freesAt = (r.oldest ? new Date(r.oldest).getTime() : Date.now()) + LOGIN_LIMITS.windowMinutes * 60_000;
        throw rateLimited(Math.max(1, Math.ceil((freesAt - Date.now()) / 1000)));
      }
    }
  }
}
