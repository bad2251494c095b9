import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Therapy } from '../../domain/vocabulary';
import { prepared, type Db, type Tx } from '../db/client';
import { auditLog, barriers, devices, facilitationActivities, observations, patients, referrals, sites, users } from '../db/schema';
import type { Ctx, RequestMeta } from '../context';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

const p = sql.placeholder;

const AUDIT_COLUMNS = sql`audit_log (actor_id, actor_role, action, entity_type, entity_id, request_id, client_address, before, after)`;
const AUDIT_VALUES = sql`${p('auditActorId')}, ${p('auditActorRole')}, ${p('auditAction')}, ${p('auditEntityType')}, ${p('auditEntityId')}, ${p('auditRequestId')},
    ${p('auditClientAddress')}, ${p('auditBefore')}, ${p('auditAfter')}`;

/** The insert of one audit entry. */
const AUDIT_INSERT = sql`insert into ${AUDIT_COLUMNS} values (${AUDIT_VALUES})`;

/**
 * The insert of one audit entry for each row of `source` (a CTE of the same statement), so that a busy write can
 * audit a change in the very statement that makes it, and only if it made it.
 */
export const auditInsertFor = (source: SQL) => sql`insert into ${AUDIT_COLUMNS} select ${AUDIT_VALUES} from ${source}`;

const jsonOrNull = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/** The values for AUDIT_INSERT's placeholders. */
export function auditValues(ctx: Ctx | RequestMeta, entry: AuditEntry) {
  const actor = 'actor' in ctx && ctx.actor.kind === 'user' ? ctx.actor : null;
  return {
    auditActorId: actor?.userId ?? null,
    auditActorRole: actor?.role ?? null,
    auditAction: entry.action,
    auditEntityType: entry.entityType,
    auditEntityId: entry.entityId,
    auditRequestId: ctx.requestId,
    auditClientAddress: ctx.clientAddress,
    auditBefore: jsonOrNull(entry.before),
    auditAfter: jsonOrNull(entry.after),
  };
}

const insertAudit = prepared('write_audit', AUDIT_INSERT);

/**
 * Written inside the same transaction as the change it records, so neither exists without the other. Only a
 * failed sign-in passes a request without an actor: its entry holds the email tried.
 */
export async function writeAudit(tx: Tx, ctx: Ctx | RequestMeta, entry: AuditEntry): Promise<void> {
  await insertAudit(tx, auditValues(ctx, entry));
}

export type AuditRow = typeof auditLog.$inferSelect;

const actor = alias(users, 'audit_actor');
const subjectUser = alias(users, 'audit_subject_user');

/** An entry with the names behind its ids: who acted, and the patient, referral, user, site or device it is about. */
export interface AuditRowNamed extends AuditRow {
  actorName: string | null;
  actorEmail: string | null;
  patient: { id: string; givenName: string; familyName: string; nhsNumber: string | null } | null;
  referral: { id: string; therapy: Therapy; on: string | null } | null;
  user: { id: string; name: string; email: string } | null;
  site: { id: string; name: string } | null;
  device: { id: string; name: string } | null;
}

const about = (type: string) => sql`${auditLog.entityType} = ${type}`;

/** Entries newest first, narrowed by any of the filters; `beforeId` continues a page. */
export async function listAudit(
  db: Db | Tx,
  q: { entityId?: string; actorId?: string; from?: Date; before?: Date; beforeId?: number; limit: number },
): Promise<AuditRowNamed[]> {
  const rows = await db
    .select({
      entry: auditLog,
      actorName: actor.name,
      actorEmail: actor.email,
      patient: { id: patients.id, givenName: patients.givenName, familyName: patients.familyName, nhsNumber: patients.nhsNumber },
      referral: { id: referrals.id, therapy: referrals.therapy, on: sql<string | null>`coalesce(${referrals.receivedOn}, ${referrals.knownOn})` },
      user: { id: subjectUser.id, name: subjectUser.name, email: subjectUser.email },
      site: { id: sites.id, name: sites.name },
      device: { id: devices.id, name: devices.name },
    })
    .from(auditLog)
    .leftJoin(actor, eq(actor.id, auditLog.actorId))
    .leftJoin(referrals, and(about('referral'), eq(referrals.id, auditLog.entityId)))
    .leftJoin(observations, and(about('observation'), eq(observations.id, auditLog.entityId)))
    .leftJoin(facilitationActivities, and(about('facilitation'), eq(facilitationActivities.id, auditLog.entityId)))
    .leftJoin(barriers, and(about('barrier'), eq(barriers.id, auditLog.entityId)))
    .leftJoin(
      patients,
      eq(patients.id, sql`coalesce(${referrals.patientId}, ${observations.patientId}, case when ${about('patient')} then ${auditLog.entityId} end)`),
    )
    .leftJoin(subjectUser, and(about('user'), eq(subjectUser.id, auditLog.entityId)))
    .leftJoin(
      sites,
      eq(sites.id, sql`coalesce(${facilitationActivities.siteId}, ${barriers.siteId}, case when ${about('site')} then ${auditLog.entityId} end)`),
    )
    .leftJoin(devices, and(about('device'), eq(devices.id, auditLog.entityId)))
    .where(
      and(
        q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
        q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
        q.from ? gte(auditLog.at, q.from) : undefined,
        q.before ? lt(auditLog.at, q.before) : undefined,
        q.beforeId !== undefined ? lt(auditLog.id, q.beforeId) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(q.limit);
  return rows.map(({ entry, patient, referral, user, site, device, ...names }) => ({
    ...entry,
    ...names,
    patient: patient?.id ? patient : null,
    referral: referral?.id ? referral : null,
    user: user?.id ? user : null,
    site: site?.id ? site : null,
    device: device?.id ? device : null,
  }));
}
