import { asc, eq, gt, inArray } from 'drizzle-orm';
import { authorize, type UserActor } from '../../domain/access';
import { conflict, validation } from '../../domain/errors';
import type { CreateUser, User } from '../../schemas/users.schema';
import { hashPassword } from '../auth/password';
import type { Db, Tx } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { sites, users, userSites } from '../db/schema';
import { writeAudit } from '../repositories/audit.repository';
import type { Ctx, RequestMeta } from '../context';
import { decodeCursor, pageOf } from './cursor';

export class UserService {
  constructor(private readonly db: Db) {}

  async create(ctx: Ctx, input: CreateUser): Promise<User> {
    authorize(ctx.actor, 'users:manage');
    return this.insert(ctx, input);
  }

  /** For the system itself: demo accounts, the first admin from the environment or the command line. */
  async createAsSystem(meta: RequestMeta, input: CreateUser): Promise<User> {
    return this.insert(meta, input);
  }

  async list(ctx: Ctx, q: { limit: number; cursor?: string }) {
    authorize(ctx.actor, 'users:manage');
    const after = decodeCursor(q.cursor, 1) as [string] | undefined;
    const rows = await this.db
      .select()
      .from(users)
      .where(after ? gt(users.email, after[0]) : undefined)
      .orderBy(asc(users.email))
      .limit(q.limit + 1);
    const memberships = rows.length
      ? await this.db.select().from(userSites).where(inArray(userSites.userId, rows.map((r) => r.id)))
      : [];
    const items = rows.map((r) => toUser(r, memberships.filter((m) => m.userId === r.id).map((m) => m.siteId)));
    return pageOf(items, q.limit, (u) => [u.email]);
  }

  private async insert(ctx: Ctx | RequestMeta, input: CreateUser): Promise<User> {
    const siteIds = [...new Set(input.siteIds)];
    // Hash before the transaction: argon2 is deliberately slow and must not hold a connection.
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.db.transaction(async (tx) => {
        await assertSitesExist(tx, siteIds);
        const [row] = await tx
          .insert(users)
          .values({ email: input.email, name: input.name, role: input.role, passwordHash })
          .returning();
        if (siteIds.length) await tx.insert(userSites).values(siteIds.map((siteId) => ({ userId: row!.id, siteId })));
        const user = toUser(row!, siteIds);
        await writeAudit(tx, ctx, { action: 'user.create', entityType: 'user', entityId: user.id, after: user });
        return user;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`A user with email ${input.email} already exists`);
      throw e;
    }
  }
}

async function assertSitesExist(tx: Tx, siteIds: string[]) {
  if (!siteIds.length) return;
  const found = await tx.select({ id: sites.id }).from(sites).where(inArray(sites.id, siteIds));
  const known = new Set(found.map((s) => s.id));
  const errors = siteIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: `siteIds.${i}`, message: `No site with id ${id}` }]));
  if (errors.length) throw validation(errors);
}

export function toUser(row: typeof users.$inferSelect, siteIds: string[]): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role, siteIds };
}

export function actorOf(user: User): UserActor {
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, role: user.role, siteIds: user.siteIds };
}

export async function findUserByEmail(db: Db | Tx, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}
