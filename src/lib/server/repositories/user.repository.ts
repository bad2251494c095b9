import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { users, userSites } from '../db/schema';

export type UserRow = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

/** Users in email order, from just after `afterEmail`. */
export function listUsers(db: Db | Tx, q: { limit: number; afterEmail?: string }): Promise<UserRow[]> {
  return db
    .select()
    .from(users)
    .where(q.afterEmail !== undefined ? gt(users.email, q.afterEmail) : undefined)
    .orderBy(asc(users.email))
    .limit(q.limit);
}

export async function findUser(db: Db | Tx, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function findUserByEmail(db: Db | Tx, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

export async function anyUserExists(db: Db | Tx): Promise<boolean> {
  const rows = await db.select({ id: users.id }).from(users).limit(1);
  return rows.length > 0;
}

/** The sites of each of these users. */
export function membershipsOf(db: Db | Tx, userIds: string[]): Promise<{ userId: string; siteId: string }[]> {
  return db.select().from(userSites).where(inArray(userSites.userId, userIds));
}

export async function siteIdsOf(db: Db | Tx, userId: string): Promise<string[]> {
  const rows = await db.select({ siteId: userSites.siteId }).from(userSites).where(eq(userSites.userId, userId));
  return rows.map((m) => m.siteId);
}

export async function insertUser(tx: Tx, values: NewUser, siteIds: string[]): Promise<UserRow> {
  const [row] = await tx.insert(users).values(values).returning();
  if (siteIds.length) await tx.insert(userSites).values(siteIds.map((siteId) => ({ userId: row!.id, siteId })));
  return row!;
}

export async function findUserByOidcIdentity(db: Db | Tx, issuer: string, subject: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, subject)));
  return row;
}

/** Links the user to the provider's identity (no version bump: the record an admin edits has not changed). */
export async function linkOidcIdentity(tx: Tx, userId: string, issuer: string, subject: string): Promise<void> {
  await tx.update(users).set({ oidcIssuer: issuer, oidcSubject: subject }).where(eq(users.id, userId));
}

export async function lockUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).for('update');
  return row;
}

export async function updateUser(tx: Tx, id: string, changes: Partial<Pick<UserRow, 'active' | 'version' | 'updatedAt'>>): Promise<UserRow> {
  const [row] = await tx.update(users).set(changes).where(eq(users.id, id)).returning();
  return row!;
}
