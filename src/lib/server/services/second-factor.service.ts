import { authorize, personActing } from '../../domain/access';
import { conflict, fieldError, forbidden, notFound, unavailable } from '../../domain/errors';
import { formatRecoveryCode, normaliseTotpCode } from '../../domain/sign-in';
import { hashPassword } from '../auth/password';
import type { SecretBox } from '../auth/secret-box';
import { matchingStep, newRecoveryCodes, newTotpSecret, otpauthUri } from '../auth/totp';
import type { Db } from '../db/client';
import { writeAudit } from '../repositories/audit.repository';
import { confirmTotp, countUnusedRecoveryCodes, findTotp, removeSecondFactor, savePendingTotp } from '../repositories/second-factor.repository';
import { findUser } from '../repositories/user.repository';
import type { Ctx } from '../context';
import { limitKeys, recordFailure, refuseWhenLimited, useSecondFactor } from './sign-in-guard';

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  recoveryCodes: string[];
}

export interface SecondFactorStatus {
  /** Whether the account signs in with a password (only those can add an authenticator here). */
  hasPassword: boolean;
  state: 'none' | 'pending' | 'active';
  recoveryCodesLeft: number;
}

/** A person's authenticator app (TOTP) and recovery codes: adding, confirming and removing them, and an admin's reset. */
export class SecondFactorService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox | null,
  ) {}

  async status(ctx: Ctx): Promise<SecondFactorStatus> {
    const me = personActing(ctx.actor);
    const [row, totp] = await Promise.all([findUser(this.db, me.userId), findTotp(this.db, me.userId)]);
    return {
      hasPassword: !!row?.passwordHash,
      state: !totp ? 'none' : totp.confirmedAt ? 'active' : 'pending',
      recoveryCodesLeft: totp?.confirmedAt ? await countUnusedRecoveryCodes(this.db, me.userId) : 0,
    };
  }

  /** An enrolment started and not yet confirmed: its secret again, for the person to scan or type. */
  async pending(ctx: Ctx): Promise<{ secret: string; otpauthUri: string } | null> {
    const me = personActing(ctx.actor);
    const totp = await findTotp(this.db, me.userId);
    const secret = totp && !totp.confirmedAt ? this.secrets?.open(totp.secret, me.userId) : null;
    return secret ? { secret, otpauthUri: otpauthUri(secret, me.email) } : null;
  }

  /**
   * Starts adding an authenticator: a new secret and ten recovery codes, shown this once (the codes are kept only as
   * argon2id hashes). Nothing is asked for at sign-in until a code from the app confirms it. Starting again replaces
   * an unconfirmed enrolment.
   */
  async begin(ctx: Ctx): Promise<TotpEnrolment> {
    const me = personActing(ctx.actor);
    const secrets = this.requireSecrets();
    const row = await findUser(this.db, me.userId);
    if (!row?.passwordHash) throw forbidden('Your account signs in through your organisation, which looks after its second factor');
    if ((await findTotp(this.db, me.userId))?.confirmedAt) throw conflict('An authenticator app is already active: remove it first to add another');
    const secret = newTotpSecret();
    const recoveryCodes = newRecoveryCodes();
    // Hashed before the transaction: argon2 is deliberately slow and must not hold a connection.
    const hashes = await Promise.all(recoveryCodes.map((c) => hashPassword(c)));
    await this.db.transaction(async (tx) => {
      await savePendingTotp(tx, me.userId, secrets.seal(secret, me.userId), hashes);
      await writeAudit(tx, ctx, { action: 'user.totp_started', entityType: 'user', entityId: me.userId });
    });
    return { secret, otpauthUri: otpauthUri(secret, me.email), recoveryCodes: recoveryCodes.map(formatRecoveryCode) };
  }

  /** Makes the pending authenticator active with a current code from it; a wrong code is a 400 and changes nothing. */
  async confirm(ctx: Ctx, code: string): Promise<void> {
    const me = personActing(ctx.actor);
    const secrets = this.requireSecrets();
    const totp = await findTotp(this.db, me.userId);
    if (!totp) throw conflict('There is no authenticator being added: start again');
    if (totp.confirmedAt) throw conflict('The authenticator app is already active');
    const secret = secrets.open(totp.secret, me.userId);
    const typed = normaliseTotpCode(code);
    const step = secret && typed ? matchingStep(secret, typed) : null;
    if (step === null) throw fieldError('code', 'The code is not right: enter the 6-digit code the app shows now');
    await this.db.transaction(async (tx) => {
      if (!(await confirmTotp(tx, me.userId, step))) throw conflict('The authenticator app is already active');
      await writeAudit(tx, ctx, { action: 'user.totp_enabled', entityType: 'user', entityId: me.userId });
    });
  }

  /**
   * Removes the person's own authenticator, with a current code or a recovery code, so that a session left open is
   * not enough. A wrong code counts as a failed sign-in.
   */
  async disable(ctx: Ctx, code: string): Promise<void> {
    const me = personActing(ctx.actor);
    if (!(await findTotp(this.db, me.userId))?.confirmedAt) throw notFound('There is no active authenticator app');
    const keys = limitKeys(me.email, ctx);
    await refuseWhenLimited(this.db, keys);
    if (!(await useSecondFactor(this.db, this.secrets, me.userId, code))) {
      await recordFailure(this.db, ctx, keys, { entityId: me.userId, after: { email: me.email, method: 'password+totp', reason: 'wrong_code' } });
      throw fieldError('code', 'The code is not right: enter the 6-digit code the app shows now, or a recovery code');
    }
    await this.db.transaction(async (tx) => {
      await removeSecondFactor(tx, me.userId);
      await writeAudit(tx, ctx, { action: 'user.totp_disabled', entityType: 'user', entityId: me.userId });
    });
  }

  /** An admin removes someone's authenticator (a lost phone): they sign in with their password and add a new one. */
  async reset(ctx: Ctx, userId: string): Promise<void> {
    authorize(ctx.actor, 'users:manage');
    if (!(await findUser(this.db, userId))) throw notFound('No such user');
    await this.db.transaction(async (tx) => {
      if (!(await removeSecondFactor(tx, userId))) throw notFound('This person has no authenticator app');
      await writeAudit(tx, ctx, { action: 'user.totp_reset', entityType: 'user', entityId: userId });
    });
  }

  private requireSecrets(): SecretBox {
    if (!this.secrets) throw unavailable('Authenticator apps are not set up on this server (TOTP_ENCRYPTION_KEY)');
    return this.secrets;
  }
}
