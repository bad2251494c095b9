import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { signInFlows } from '../db/schema';

export type SignInFlowRow = typeof signInFlows.$inferSelect;
export type SignInFlowKind = SignInFlowRow['kind'];

export async function insertSignInFlow(db: Db | Tx, values: typeof signInFlows.$inferInsert): Promise<void> {
  // Flows left unfinished (the person closed the tab) are cleared here, which keeps the table small without a scheduler.
  await db.delete(signInFlows).where(lt(signInFlows.expiresAt, new Date()));
  await db.insert(signInFlows).values(values);
}

/** The flow, if it exists, is of this kind and has not expired. */
export async function findSignInFlow(db: Db | Tx, tokenHash: string, kind: SignInFlowKind): Promise<SignInFlowRow | undefined> {
  const [row] = await db
    .select()
    .from(signInFlows)
    .where(and(eq(signInFlows.tokenHash, tokenHash), eq(signInFlows.kind, kind), gt(signInFlows.expiresAt, new Date())));
  return row;
}

/** Ends the flow and answers it, if it was live: a flow is finished once, whichever process gets there first. */
export async function takeSignInFlow(db: Db | Tx, tokenHash: string, kind: SignInFlowKind): Promise<SignInFlowRow | undefined> {
  const [row] = await db.delete(signInFlows).where(and(eq(signInFlows.tokenHash, tokenHash), eq(signInFlows.kind, kind))).returning();
  return row && row.expiresAt.getTime() > Date.now() ? row : undefined;
}
