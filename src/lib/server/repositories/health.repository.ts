import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';

/** Rejects when the database cannot answer a trivial query. */
export async function ping(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
