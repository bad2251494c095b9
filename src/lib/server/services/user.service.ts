import { actingUserId, authorize, type UserActor } from '../../domain/access';
import { conflict, fieldError, forbidden, notFound, validation } from '../../domain/errors';
import type { CreateUser, ManagedUser, User } from '../../schemas/users.schema';
import { hashPassword } from '../auth/password';
import type { Db, Tx } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { writeAudit } from '../repositories/audit.repository';
import { existingSiteIds } from '../repositories/site.repository';
import { usersWithActiveTotp } from '../repositories/second-factor.repository';
import { deleteSessionsOf } from '../repositories/session.repository';
import { anyUserExists, insertUser, listUsers, lockUser, membershipsOf, siteIdsOf, updateUser, type UserRow } from '../repositories/user.repository';
import type { Ctx } from '../context';
import { decodeCursor, pageOf } from './cursor';

export class UserService {
  constructor(
    private readonly db: Db,
    /** Whether single sign-on is set up: only then may a person have no password. */
    private readonly singleSignOn = false,
  ) {}

  async create(ctx: Ctx, input: CreateUser): Promise<User> {
    authorize(ctx.actor, 'users:manage');
    if (input.password === undefined && !this.singleSignOn) {
      throw fieldError('password', 'Password is required: single sign-on is not set up here, so this person needs a password to sign in');
    }
    const siteIds = [...new Set(input.siteIds)];
    // Hash before the transaction: argon2 is deliberately slow and must not hold a connection.
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    try {
      return await this.db.transaction(async (tx) => {
        await assertSitesExist(tx, siteIds);
        const row = await insertUser(tx, { email: input.email, name: input.name, role: input.role, passwordHash }, siteIds);
        const user = toUser(row, siteIds);
        await writeAudit(tx, ctx, { action: 'user.create', entityType: 'user', entityId: user.id, after: user });
        return user;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`A user with email ${input.email} already exists`);
      throw e;
    }
  }

  /** Users in email order, each with how they sign in (the API's schema gives clients the user alone). */
  async list(ctx: Ctx, q: { limit: number; cursor?: string }) {
    authorize(ctx.actor, 'users:manage');
    const after = decodeCursor(q.cursor, 1) as [string] | undefined;
    const rows = await listUsers(this.db, { limit: q.limit + 1, afterEmail: after?.[0] });
    const ids = rows.map((r) => r.id);
    const [memberships, withTotp] = rows.length ? await Promise.all([membershipsOf(this.db, ids), usersWithActiveTotp(this.db, ids)]) : [[], new Set<string>()];
    const items = rows.map(
      (r): ManagedUser => ({
        ...toUser(r, memberships.filter((m) => m.userId === r.id).map((m) => m.siteId)),
        version: r.version,
        active: r.active,
        ssoOnly: r.passwordHash === null,
        ssoLinked: r.oidcSubject !== null,
        authenticator: withTotp.has(r.id),
      }),
    );
    return pageOf(items, q.limit, (u) => [u.email]);
  }

  /**
   * Closes an account, or opens it again. A closed account keeps its history and its links but signs in by no
   * method, and its sessions end at once. Administrators cannot close their own (nobody could then reopen it).
   */
  async setActive(ctx: Ctx, id: string, input: { version: number; active: boolean }): Promise<User> {
    authorize(ctx.actor, 'users:manage');
    if (!input.active && actingUserId(ctx.actor) === id) throw forbidden('You cannot close your own account: ask another administrator');
    return this.db.transaction(async (tx) => {
      const current = await lockUser(tx, id);
      if (!current) throw notFound('No such user');
      if (current.version !== input.version) throw conflict(`This user has changed since you read it (now version ${current.version})`, { currentVersion: current.version });
      const row = await updateUser(tx, id, { active: input.active, version: current.version + 1, updatedAt: new Date() });
      if (!input.active) await deleteSessionsOf(tx, id);
      const user = toUser(row, await siteIdsOf(tx, id));
      await writeAudit(tx, ctx, {
        action: input.active ? 'user.reopen' : 'user.close',
        entityType: 'user',
        entityId: id,
        before: { active: current.active, version: current.version },
        after: { active: row.active, version: row.version },
      });
      return user;
    });
  }

  /** Whether anyone has an account yet: an empty database is set up on its first start. */
  async anyExist(ctx: Ctx): Promise<boolean> {
    authorize(ctx.actor, 'users:manage');
    return anyUserExists(this.db);
  }
}

async function assertSitesExist(tx: Tx, siteIds: string[]) {
  if (!siteIds.length) return;
  const known = await existingSiteIds(tx, siteIds);
  const errors = siteIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: `siteIds.${i}`, message: `No site with id ${id}` }]));
  if (errors.length) throw validation(errors);
}

export function toUser(row: UserRow, siteIds: string[]): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role, siteIds };
}

export function actorOf(user: User): UserActor {
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, role: user.role, siteIds: user.siteIds };
}
