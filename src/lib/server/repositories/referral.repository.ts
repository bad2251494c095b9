import { and, asc, desc, eq, gt, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Role } from '../../domain/access';
import type { EligibilityResult } from '../../domain/eligibility';
import type { ReferralEvent, ReferralSummary } from '../../schemas/referrals.schema';
import { prepared, rowsOf, type Db, type Tx } from '../db/client';
import { patients, referralEvents, referrals } from '../db/schema';
import type { Ctx } from '../context';
import { auditInsertFor, auditValues, type AuditEntry } from './audit.repository';
import type { PatientRow } from './patient.repository';

export type ReferralRow = typeof referrals.$inferSelect;
export type NewReferralRow = typeof referrals.$inferInsert;

/** A referral's summary fields, selected under their API names. */
const SUMMARY_COLUMNS = sql.raw(
  'id, patient_id as "patientId", site_id as "siteId", therapy, status, origin, received_on as "receivedOn", source, known_on as "knownOn", priority_group as "priorityGroup", last_event_on as "lastEventOn", version',
);

/** An event as `eventsJson` gives it: JSON has no dates, and no criteria reads as null. */
type StoredEvent = Omit<ReferralEvent, 'criteria' | 'recordedAt'> & { criteria: EligibilityResult | null; recordedAt: string };

/**
 * The events in `source` (rows of referral_events) as one JSON array, oldest first, each with the name of who
 * recorded it: a referral and its whole history come back in one round trip.
 */
const eventsJson = (source: SQL) => sql`coalesce((
  select json_agg(json_build_object('id', e.id, 'type', e.type, 'occurredOn', e.occurred_on, 'payload', e.payload, 'criteria', e.criteria,
    'statusAfter', e.status_after, 'recordedBy', e.recorded_by, 'recordedByName', u.name, 'recordedAt', e.recorded_at) order by e.seq)
  from (${source}) e left join users u on u.id = e.recorded_by), '[]')`;

const fromStored = ({ criteria, recordedAt, ...e }: StoredEvent): ReferralEvent => ({
  id: e.id,
  type: e.type,
  occurredOn: e.occurredOn,
  payload: e.payload,
  ...(criteria ? { criteria } : {}),
  statusAfter: e.statusAfter,
  recordedBy: e.recordedBy,
  recordedByName: e.recordedByName,
  recordedAt: new Date(recordedAt),
});

const p = sql.placeholder;

const readReferral = prepared<ReferralSummary & { events: StoredEvent[] }>(
  'read_referral',
  sql`select ${SUMMARY_COLUMNS}, ${eventsJson(sql`select * from referral_events where referral_id = ${p('id')}`)} as events from referrals where id = ${p('id')}`,
);

const readSummary = prepared<ReferralSummary>('read_referral_summary', sql`select ${SUMMARY_COLUMNS} from referrals where id = ${p('id')}`);

/**
 * Appends an event, moves the referral on and audits both, if and only if the referral is still at the version
 * it was read at, and answers the referral's events as they now are; otherwise it writes nothing and answers no
 * row. One statement is atomic on its own, so the event, the new status and version, and the audit entry are
 * written together or not at all, with no transaction to open and close and no lock held across round trips.
 *
 * The update waits for any concurrent writer of the referral and then checks the version again, so of two events
 * sent from one version exactly one moves it on. Every event comes with a version change, so once the update has
 * matched, no event can have been written since this statement's snapshot: the highest sequence number it sees is
 * the latest (and the unique (referral, seq) index backs that up). The snapshot does not see the statement's own
 * insert, so the new event joins the earlier ones explicitly.
 */
const appendEventStatement = prepared<{ events: StoredEvent[] }>(
  'append_event',
  sql`with moved as (
      update referrals set status = ${p('status')}, version = ${p('version')}, last_event_on = ${p('occurredOn')}, reassess_on = ${p('reassessOn')},
        updated_at = ${p('recordedAt')}
      where id = ${p('id')} and version = ${p('readVersion')}
      returning id
    ),
    event as (
      insert into referral_events (id, referral_id, seq, type, occurred_on, payload, criteria, status_after, recorded_by, recorded_role, recorded_at)
      select ${p('eventId')}, moved.id, (select coalesce(max(seq), 0) + 1 from referral_events where referral_id = ${p('id')}), ${p('type')},
        ${p('occurredOn')}, ${p('payload')}, ${p('criteria')}, ${p('status')}, ${p('recordedBy')}, ${p('recordedRole')}, ${p('recordedAt')}
      from moved
      returning *
    ),
    audited as (${auditInsertFor(sql`event`)})
    select ${eventsJson(sql`select * from referral_events where referral_id = ${p('id')} union all select * from event`)} as events from event`,
);

/** The referral's summary and its events, oldest first, in one round trip. */
export async function findReferralWithEvents(db: Db | Tx, id: string): Promise<(ReferralSummary & { events: ReferralEvent[] }) | undefined> {
  const [row] = await readReferral(db, { id });
  return row && { ...row, events: row.events.map(fromStored) };
}

export async function findReferralSummary(db: Db | Tx, id: string): Promise<ReferralSummary | undefined> {
  const [row] = await readSummary(db, { id });
  return row;
}

/**
 * A patient's referrals within `scope` (all sites when undefined), each with its events, newest received (or known)
 * first, in one round trip: a person has a handful, and their page needs what each one's history says.
 */
export async function referralsOfPatient(db: Db | Tx, q: { patientId: string; scope?: string[] }): Promise<(ReferralSummary & { events: ReferralEvent[] })[]> {
  const rows = rowsOf<ReferralSummary & { events: StoredEvent[] }>(
    await db.execute(sql`select ${SUMMARY_COLUMNS}, ${eventsJson(sql`select * from referral_events where referral_id = referrals.id`)} as events
      from referrals where patient_id = ${q.patientId} ${q.scope ? sql`and ${inArray(referrals.siteId, q.scope)}` : sql``}
      order by coalesce(received_on, known_on) desc, id`),
  );
  return rows.map(({ events, ...summary }) => ({ ...summary, events: events.map(fromStored) }));
}

/** One pathway step as appendEvent writes it: the event, and the referral's version and reassessment date after it. */
export interface EventWrite {
  referralId: string;
  /** The version the referral was read at: the write applies only if it is still at it. */
  readVersion: number;
  version: number;
  reassessOn: string | null;
  event: ReferralEvent;
  recordedRole: Role;
}

/** Runs append_event: the referral's events as they now are, or undefined (nothing written) if another write moved it on first. */
export async function appendEvent(db: Db | Tx, ctx: Ctx, write: EventWrite, audit: AuditEntry): Promise<ReferralEvent[] | undefined> {
  const { event } = write;
  const [written] = await appendEventStatement(db, {
    id: write.referralId,
    readVersion: write.readVersion,
    eventId: event.id,
    type: event.type,
    occurredOn: event.occurredOn,
    payload: JSON.stringify(event.payload),
    criteria: event.criteria ? JSON.stringify(event.criteria) : null,
    status: event.statusAfter,
    version: write.version,
    reassessOn: write.reassessOn,
    recordedBy: event.recordedBy,
    recordedRole: write.recordedRole,
    recordedAt: event.recordedAt.toISOString(),
    ...auditValues(ctx, audit),
  });
  return written?.events.map(fromStored);
}

export async function insertReferral(db: Db | Tx, values: NewReferralRow): Promise<ReferralRow> {
  const [row] = await db.insert(referrals).values(values).returning();
  return row!;
}

/** The first event of a record created with one (an existing-therapy record), or an event the system appends. */
export async function insertEvent(db: Db | Tx, referralId: string, seq: number, event: ReferralEvent, recordedRole: Role | null): Promise<void> {
  await db.insert(referralEvents).values({
    id: event.id,
    referralId,
    seq,
    type: event.type,
    occurredOn: event.occurredOn,
    payload: event.payload,
    statusAfter: event.statusAfter,
    recordedBy: event.recordedBy,
    recordedRole,
    recordedAt: event.recordedAt,
  });
}

/** The patient's records of this therapy that are on therapy now, locked until the transaction ends. */
export async function lockRecordsOnTherapy(tx: Tx, patientId: string, therapy: ReferralRow['therapy']): Promise<ReferralSummary[]> {
  const rows = await tx.execute(
    sql`select ${SUMMARY_COLUMNS} from referrals where patient_id = ${patientId} and therapy = ${therapy} and status = 'on_therapy' order by id for update`,
  );
  return rowsOf<ReferralSummary>(rows);
}

/**
 * Moves a locked referral on by one event the system records (the switch to closed loop): its status, version and
 * latest date, and the event as the next in its history.
 */
export async function appendSystemEvent(tx: Tx, referral: ReferralSummary, event: ReferralEvent): Promise<void> {
  await tx
    .update(referrals)
    .set({ status: event.statusAfter, version: referral.version + 1, lastEventOn: event.occurredOn, updatedAt: event.recordedAt })
    .where(eq(referrals.id, referral.id));
  const [next] = rowsOf<{ seq: number }>(await tx.execute(sql`select coalesce(max(seq), 0)::int + 1 as seq from referral_events where referral_id = ${referral.id}`));
  await insertEvent(tx, referral.id, next!.seq, event, null);
}

/** The date a referral is listed by: when it was received, or when an existing therapy became known. */
const LISTED_ON = sql<string>`coalesce(${referrals.receivedOn}, ${referrals.knownOn})`;

/** Who a listed referral is for: enough to tell people apart in a list. */
export interface ListedPatient {
  id: string;
  nhsNumber: string | null;
  givenName: string;
  familyName: string;
}

/**
 * Referrals newest received (or known) first (then by id), each with its patient (one join, not a query a row),
 * from after the cursor's key, up to `limit` rows.
 */
export function listReferrals(
  db: Db | Tx,
  q: {
    scope?: string[];
    siteId?: string;
    status?: ReferralRow['status'];
    therapy?: ReferralRow['therapy'];
    patientId?: string;
    after?: [string, string];
    limit: number;
  },
): Promise<{ referral: ReferralRow; patient: ListedPatient }[]> {
  const { after } = q;
  return db
    .select({
      referral: referrals,
      patient: { id: patients.id, nhsNumber: patients.nhsNumber, givenName: patients.givenName, familyName: patients.familyName },
    })
    .from(referrals)
    .innerJoin(patients, eq(patients.id, referrals.patientId))
    .where(
      and(
        q.scope ? inArray(referrals.siteId, q.scope) : undefined,
        q.siteId ? eq(referrals.siteId, q.siteId) : undefined,
        q.status ? eq(referrals.status, q.status) : undefined,
        q.therapy ? eq(referrals.therapy, q.therapy) : undefined,
        q.patientId ? eq(referrals.patientId, q.patientId) : undefined,
        after ? or(lt(LISTED_ON, after[0]), and(eq(LISTED_ON, after[0]), gt(referrals.id, after[1]))) : undefined,
      ),
    )
    .orderBy(desc(LISTED_ON), asc(referrals.id))
    .limit(q.limit);
}

export interface ReferralWithPatient {
  referral: ReferralRow;
  patient: PatientRow;
}

/** Referrals with their patients, within `scope` (all sites when undefined) and the site asked for, matching `conditions`. */
function withPatients(db: Db | Tx, scope: string[] | undefined, siteId: string | undefined, ...conditions: (SQL | undefined)[]) {
  return db
    .select({ referral: referrals, patient: patients })
    .from(referrals)
    .innerJoin(patients, eq(patients.id, referrals.patientId))
    .where(and(scope ? inArray(referrals.siteId, scope) : undefined, siteId ? eq(referrals.siteId, siteId) : undefined, ...conditions));
}

/**
 * Referrals awaiting assessment, and deferred ones whose reassessment date is on or before `today`, longest
 * wait (since the referral arrived) first, from after the cursor's key, up to `limit` rows.
 */
export function dueForAssessment(
  db: Db | Tx,
  q: { scope?: string[]; siteId?: string; today: string; after?: [string, string]; limit: number },
): Promise<ReferralWithPatient[]> {
  const { after } = q;
  // The patient has waited since the referral arrived, deferred or not.
  const waitingSince = referrals.receivedOn;
  return withPatients(
    db,
    q.scope,
    q.siteId,
    or(eq(referrals.status, 'awaiting_assessment'), and(eq(referrals.status, 'deferred'), lte(referrals.reassessOn, q.today))),
    after ? or(gt(waitingSince, after[0]), and(eq(waitingSince, after[0]), gt(referrals.id, after[1]))) : undefined,
  )
    .orderBy(asc(waitingSince), asc(referrals.id))
    .limit(q.limit);
}

/** Referrals in any of `statuses`, least recently moved first. */
export function referralsInStatuses(
  db: Db | Tx,
  q: { scope?: string[]; siteId?: string; statuses: ReferralRow['status'][] },
): Promise<ReferralWithPatient[]> {
  return withPatients(db, q.scope, q.siteId, inArray(referrals.status, q.statuses)).orderBy(asc(referrals.lastEventOn), asc(referrals.id));
}
