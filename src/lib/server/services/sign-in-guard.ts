import { normaliseRecoveryCode, normaliseTotpCode } from '../../domain/sign-in';
import { rateLimited } from '../../domain/errors';
import { verifyPassword } from '../auth/password';
import type { SecretBox } from '../auth/secret-box';
import { matchingStep } from '../auth/totp';
import type { Db, Tx } from '../db/client';
import { writeAudit, type AuditEntry } from '../repositories/audit.repository';
import { findTotp, unusedRecoveryCodes, useRecoveryCode, useTotpStep } from '../repositories/second-factor.repository';
import { clearLoginFailuresBefore, countLoginFailures, recordLoginFailures } from '../repositories/session.repository';
import type { RequestMeta } from '../context';

/** Failed sign-ins allowed in the window before further attempts are refused with 429. */
export const LOGIN_LIMITS = { windowMinutes: 15, perAccount: 5, perAddress: 30 } as const;

/** The two counters a failed attempt adds to: the account tried, and the address it came from. */
export const limitKeys = (email: string, meta: RequestMeta) => ({ account: `account:${email}`, address: `address:${meta.clientAddress ?? 'unknown'}` });

/** 429 while either counter is at its limit; a wrong password and a wrong code count alike. */
export async function refuseWhenLimited(db: Db, keys: { account: string; address: string }): Promise<void> {
  const since = new Date(Date.now() - LOGIN_LIMITS.windowMinutes * 60_000);
  // Old failures no longer count; clearing them here keeps the table small without a scheduler.
  await clearLoginFailuresBefore(db, since);
  const rows = await countLoginFailures(db, keys.account, keys.address, since);
  for (const r of rows) {
    const limit = r.key === keys.account ? LOGIN_LIMITS.perAccount : LOGIN_LIMITS.perAddress;
    if (r.n >= limit) {
      const freesAt = (r.oldest ? new Date(r.oldest).getTime() : Date.now()) + LOGIN_LIMITS.windowMinutes * 60_000;
      throw rateLimited(Math.max(1, Math.ceil((freesAt - Date.now()) / 1000)));
    }
  }
}

/** A failed attempt: it counts towards the limits and is audited, in one transaction. */
export async function recordFailure(db: Db, meta: RequestMeta, keys: { account: string; address: string }, audit: Omit<AuditEntry, 'action' | 'entityType'>) {
  await db.transaction(async (tx) => {
    await recordLoginFailures(tx, [keys.account, keys.address]);
    await writeAudit(tx, meta, { action: 'auth.login_failed', entityType: 'user', ...audit });
  });
}

/**
 * Checks a second-factor code for the user's active authenticator and uses it up: a current TOTP code whose step is
 * later than the last one used (so a code is never accepted twice), or an unused recovery code. Answers how the
 * person proved it, or null.
 */
export async function useSecondFactor(db: Db | Tx, box: SecretBox | null, userId: string, typed: string): Promise<'password+totp' | 'recovery_code' | null> {
  const row = await findTotp(db, userId);
  if (!row?.confirmedAt) return null;
  const totpCode = normaliseTotpCode(typed);
  if (totpCode) {
    const secret = box?.open(row.secret, userId);
    const step = secret ? matchingStep(secret, totpCode) : null;
    return step !== null && (await useTotpStep(db, userId, step)) ? 'password+totp' : null;
  }
  const recovery = normaliseRecoveryCode(typed);
  if (!recovery) return null;
  for (const code of await unusedRecoveryCodes(db, userId)) {
    if (await verifyPassword(code.codeHash, recovery)) return (await useRecoveryCode(db, code.id)) ? 'recovery_code' : null;
  }
  return null;
}
