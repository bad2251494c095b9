import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { serverKeys } from '../db/schema';

/**
 * The 32-byte key kept under `name`, made on first use. Processes starting together agree on one: the first insert
 * wins and every process reads back what it wrote.
 */
export async function keptKey(db: Db, name: string): Promise<Buffer> {
  await db.insert(serverKeys).values({ name, key: randomBytes(32).toString('base64') }).onConflictDoNothing();
  const [row] = await db.select({ key: serverKeys.key }).from(serverKeys).where(eq(serverKeys.name, name));
  return Buffer.from(row!.key, 'base64');
}
