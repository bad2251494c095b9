import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { authorize, personActing, reachesSite, siteScope, type Actor } from '../../domain/access';
import { ageOnDate } from '../../domain/age';
import { addDays, daysBetween } from '../../domain/calendar-date';
import { evaluateEligibility, hba1cForAssessment, latestHba1cWithin12Months, type EligibilityResult } from '../../domain/eligibility';
import { conflict, forbidden, invalidTransition, notFound, validation } from '../../domain/errors';
import { checkEventDate, EVENT_DATE_FIELD } from '../../domain/event-dates';
import { allowedEvents, applyEvent, type PathwayEvent } from '../../domain/pathway';
import { placeOnWorklist, WORKLIST_STATUSES, type WorklistPlacement } from '../../domain/worklist';
import type { CreateReferral, EventBody, QueueItem, Referral, ReferralEvent, ReferralSummary } from '../../schemas/referrals.schema';
import { prepared, type Db } from '../db/client';
import { observations, patients, referrals } from '../db/schema';
import { auditInsertFor, auditValues, writeAudit } from '../repositories/audit.repository';
import { checkDeviceStart } from './device.service';
import { todayIso } from '../clock';
import type { Ctx } from '../context';
import { decodeCursor, pageOf } from './cursor';
import { toPatient, type PatientService } from './patient.service';
import type { Patient } from '../../schemas/patients.schema';

type ReferralRow = typeof referrals.$inferSelect;
type PatientRow = typeof patients.$inferSelect;

export interface WorklistItem extends WorklistPlacement {
  referral: ReferralSummary;
  patient: Patient;
}

const EVENT_NAME: Record<EventBody['type'], string> = {
  assessment: 'eligibility assessment',
  funding_requested: 'funding request',
  funding_decision: 'funding decision',
  device_started: 'device start',
  review: 'review',
  withdrawn: 'withdrawal',
};

/** How long a deferred referral stays out of the eligibility queue when the consultant names no date. */
export const DEFAULT_DEFERRAL_DAYS = 90;

export const toSummary = (r: ReferralRow): ReferralSummary => ({
  id: r.id,
  patientId: r.patientId,
  siteId: r.siteId,
  therapy: r.therapy,
  status: r.status,
  receivedOn: r.receivedOn,
  source: r.source,
  priorityGroup: r.priorityGroup,
  lastEventOn: r.lastEventOn,
  version: r.version,
});

/** A referral's summary fields, selected under their API names. */
const SUMMARY_COLUMNS = sql.raw(
  'id, patient_id as "patientId", site_id as "siteId", therapy, status, received_on as "receivedOn", source, priority_group as "priorityGroup", last_event_on as "lastEventOn", version',
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
const appendEvent = prepared<{ events: StoredEvent[] }>(
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

/** 409 for an event sent from an earlier version than `current`'s. */
const staleVersion = (current: ReferralSummary) =>
  conflict(`Someone else has changed this referral since you read it (it is now version ${current.version}, status ${current.status})`, {
    currentVersion: current.version,
    currentStatus: current.status,
  });

export class ReferralService {
  constructor(
    private readonly db: Db,
    private readonly patients: PatientService,
  ) {}

  async create(ctx: Ctx, input: CreateReferral): Promise<Referral> {
    authorize(ctx.actor, 'referrals:write');
    const person = personActing(ctx.actor);
    return this.db.transaction(async (tx) => {
      const patient = await this.patients.reachable(tx, ctx, input.patientId);
      const errors = [];
      if (input.receivedOn > todayIso()) errors.push({ path: 'receivedOn', message: 'Date cannot be in the future' });
      if (input.receivedOn < patient.birthDate) errors.push({ path: 'receivedOn', message: 'Date cannot be before the date of birth' });
      if (input.priorityGroup && input.therapy !== 'hcl') {
        errors.push({ path: 'priorityGroup', message: 'A priority group applies to hybrid closed loop referrals only' });
      }
      if (errors.length) throw validation(errors);
      const [row] = await tx
        .insert(referrals)
        .values({ ...input, siteId: patient.siteId, lastEventOn: input.receivedOn, createdBy: person.userId })
        .returning();
      const summary = toSummary(row!);
      await writeAudit(tx, ctx, { action: 'referral.create', entityType: 'referral', entityId: summary.id, after: summary });
      return this.withEvents(ctx.actor, summary, []);
    });
  }

  async list(ctx: Ctx, q: { siteId?: string; status?: ReferralSummary['status']; patientId?: string; limit: number; cursor?: string }) {
    authorize(ctx.actor, 'referrals:read', q.siteId);
    const scope = siteScope(ctx.actor);
    const after = decodeCursor(q.cursor, 2) as [string, string] | undefined;
    const rows = await this.db
      .select()
      .from(referrals)
      .where(
        and(
          scope ? inArray(referrals.siteId, scope) : undefined,
          q.siteId ? eq(referrals.siteId, q.siteId) : undefined,
          q.status ? eq(referrals.status, q.status) : undefined,
          q.patientId ? eq(referrals.patientId, q.patientId) : undefined,
          after ? or(lt(referrals.receivedOn, after[0]), and(eq(referrals.receivedOn, after[0]), gt(referrals.id, after[1]))) : undefined,
        ),
      )
      .orderBy(desc(referrals.receivedOn), asc(referrals.id))
      .limit(q.limit + 1);
    return pageOf(rows.map(toSummary), q.limit, (r) => [r.receivedOn, r.id]);
  }

  async get(ctx: Ctx, id: string): Promise<Referral> {
    authorize(ctx.actor, 'referrals:read');
    const [row] = await readReferral(this.db, { id });
    if (!row || !reachesSite(ctx.actor, row.siteId)) throw notFound('No referral with this id');
    const { events, ...summary } = row;
    return this.withEvents(ctx.actor, summary, events.map(fromStored));
  }

  /**
   * Records one step of the pathway: read the referral, check the version (before anything else about the
   * referral), apply the pathway table, check the dates, then write the event, the new status and version, and
   * the audit entry in one statement that applies only if the referral is still at the version read. Any
   * refusal leaves no trace; a write that lost a race with another on the same referral changes nothing and
   * answers 409, as a stale version does.
   * Under load every round trip counts: a read and a write, with no transaction around them.
   */
  async recordEvent(ctx: Ctx, id: string, body: EventBody): Promise<Referral> {
    authorize(ctx.actor, 'referrals:write');
    const person = personActing(ctx.actor);
    const [current] = await readSummary(this.db, { id });
    if (!current || !reachesSite(ctx.actor, current.siteId)) throw notFound('No referral with this id');
    if (current.version !== body.version) throw staleVersion(current);
    const step = applyEvent(current.status, body as PathwayEvent, person.role);
    if (!step.ok) {
      if (step.reason === 'forbidden_role') {
        const event = EVENT_NAME[body.type];
        throw forbidden(`A ${person.role} cannot record ${/^[aeiou]/.test(event) ? 'an' : 'a'} ${event}`);
      }
      throw invalidTransition(current.status);
    }
    const { type, version: _version, ...payload } = body;
    const dateField = EVENT_DATE_FIELD[type];
    const occurredOn = (payload as Record<string, string>)[dateField]!;
    const dateError = checkEventDate({ date: occurredOn, today: todayIso(), receivedOn: current.receivedOn, previousEventDate: current.lastEventOn });
    if (dateError) throw validation([{ path: dateField, message: dateError.message }]);

    if (body.type === 'device_started') await checkDeviceStart(this.db, body);

    let criteria: EligibilityResult | undefined;
    let reassessOn: string | null = null;
    if (body.type === 'assessment') {
      criteria = await this.assess(current, body);
      if (body.decision !== 'deferred' && body.decision !== criteria.suggestion && !body.rationale) {
        throw validation([{ path: 'rationale', message: `Give a rationale: the rules suggest ${criteria.suggestion.replace('_', ' ')}` }]);
      }
      if (body.decision === 'deferred') {
        reassessOn = body.reassessOn ?? addDays(body.assessedOn, DEFAULT_DEFERRAL_DAYS);
        if (reassessOn < body.assessedOn) throw validation([{ path: 'reassessOn', message: 'Reassessment cannot be before the assessment' }]);
      }
    }

    const now = new Date();
    const updated: ReferralSummary = { ...current, status: step.next, version: current.version + 1, lastEventOn: occurredOn };
    const event: ReferralEvent = {
      id: randomUUID(),
      type,
      occurredOn,
      payload,
      ...(criteria ? { criteria } : {}),
      statusAfter: step.next,
      recordedBy: person.userId,
      recordedByName: null,
      recordedAt: now,
    };
    const [written] = await appendEvent(this.db, {
      id,
      readVersion: current.version,
      eventId: event.id,
      type,
      occurredOn,
      payload: JSON.stringify(payload),
      criteria: criteria ? JSON.stringify(criteria) : null,
      status: step.next,
      version: updated.version,
      reassessOn,
      recordedBy: person.userId,
      recordedRole: person.role,
      recordedAt: now.toISOString(),
      ...auditValues(ctx, { action: `referral.${type}`, entityType: 'referral', entityId: id, before: current, after: { ...updated, event } }),
    });
    if (!written) {
      // Another write moved the referral on between the read and this one: report it as it now is.
      const [latest] = await readSummary(this.db, { id });
      if (!latest || !reachesSite(ctx.actor, latest.siteId)) throw notFound('No referral with this id');
      throw staleVersion(latest);
    }
    return { ...this.withEvents(ctx.actor, updated, written.events.map(fromStored)), ...(criteria ? { criteria } : {}) };
  }

  /**
   * Referrals awaiting assessment, and deferred ones whose reassessment date has come, longest wait first,
   * each with what a consultant needs to triage it.
   */
  async eligibilityQueue(ctx: Ctx, q: { siteId?: string; limit: number; cursor?: string }) {
    authorize(ctx.actor, 'referrals:read', q.siteId);
    const today = todayIso();
    const after = decodeCursor(q.cursor, 2) as [string, string] | undefined;
    // The patient has waited since the referral arrived, deferred or not.
    const waitingSince = referrals.receivedOn;
    const rows = await this.withPatients(
      ctx.actor,
      q.siteId,
      or(eq(referrals.status, 'awaiting_assessment'), and(eq(referrals.status, 'deferred'), lte(referrals.reassessOn, today))),
      after ? or(gt(waitingSince, after[0]), and(eq(waitingSince, after[0]), gt(referrals.id, after[1]))) : undefined,
    )
      .orderBy(asc(waitingSince), asc(referrals.id))
      .limit(q.limit + 1);
    const page = pageOf(rows, q.limit, (r) => [r.referral.receivedOn, r.referral.id]);
    const results = page.items.length
      ? await this.db
          .select({ patientId: observations.patientId, effective: observations.effective, mmolMol: observations.mmolMol })
          .from(observations)
          .where(and(inArray(observations.patientId, page.items.map((r) => r.patient.id)), eq(observations.kind, 'hba1c')))
      : [];
    const items: QueueItem[] = page.items.map(({ referral, patient }) => {
      const latest = latestHba1cWithin12Months(
        results.filter((r) => r.patientId === patient.id),
        today,
      );
      return {
        referral: toSummary(referral),
        patient: {
          id: patient.id,
          nhsNumber: patient.nhsNumber,
          givenName: patient.givenName,
          familyName: patient.familyName,
          birthDate: patient.birthDate,
          ageYears: ageOnDate(patient.birthDate, today),
          diabetesType: patient.diabetesType,
        },
        waitingSince: referral.receivedOn,
        waitingDays: daysBetween(referral.receivedOn, today),
        latestHba1c: latest ? { mmolMol: latest.mmolMol, effective: latest.effective } : null,
        criteria: provisionalCriteria(referral, patient, latest?.mmolMol ?? null, today),
      };
    });
    return { items, nextCursor: page.nextCursor };
  }

  /** The nurse's worklist: open referrals at the actor's sites, placed by what needs doing next (longest wait first). */
  async worklist(ctx: Ctx, q: { siteId?: string } = {}): Promise<WorklistItem[]> {
    authorize(ctx.actor, 'referrals:read', q.siteId);
    const today = todayIso();
    const rows = await this.withPatients(ctx.actor, q.siteId, inArray(referrals.status, WORKLIST_STATUSES)).orderBy(
      asc(referrals.lastEventOn),
      asc(referrals.id),
    );
    return rows.flatMap(({ referral, patient }) => {
      const placement = placeOnWorklist(referral, today);
      if (!placement) return [];
      return [{ ...placement, referral: toSummary(referral), patient: toPatient(patient) }];
    });
  }

  /** Referrals with their patients, within the actor's sites (and the one asked for), matching `conditions`. */
  private withPatients(actor: Actor, siteId: string | undefined, ...conditions: (SQL | undefined)[]) {
    const scope = siteScope(actor);
    return this.db
      .select({ referral: referrals, patient: patients })
      .from(referrals)
      .innerJoin(patients, eq(patients.id, referrals.patientId))
      .where(and(scope ? inArray(referrals.siteId, scope) : undefined, siteId ? eq(referrals.siteId, siteId) : undefined, ...conditions));
  }

  private async assess(referral: Pick<ReferralSummary, 'patientId' | 'therapy'>, body: Extract<EventBody, { type: 'assessment' }>): Promise<EligibilityResult> {
    const [patient] = await this.db.select().from(patients).where(eq(patients.id, referral.patientId));
    const results = await this.db
      .select({ effective: observations.effective, mmolMol: observations.mmolMol })
      .from(observations)
      .where(and(eq(observations.patientId, referral.patientId), eq(observations.kind, 'hba1c')));
    return evaluateEligibility({
      therapy: referral.therapy,
      birthDate: patient!.birthDate,
      assessedOn: body.assessedOn,
      diabetesType: patient!.diabetesType,
      hba1cMmolMol: hba1cForAssessment(body.hba1cMmolMol ?? null, results, body.assessedOn),
      disablingHypoglycaemia: body.disablingHypoglycaemia,
      mdiTried: body.mdiTried,
      mdiImpractical: body.mdiImpractical,
      currentTechnology: body.currentTechnology,
      structuredEducation: body.structuredEducation,
      pregnancy: body.pregnancy,
    });
  }

  private withEvents(actor: Actor, summary: ReferralSummary, events: ReferralEvent[]): Referral {
    return { ...summary, events, allowedEvents: actor.kind === 'user' ? allowedEvents(summary.status, actor.role) : [] };
  }
}

function provisionalCriteria(referral: ReferralRow, patient: PatientRow, hba1c: number | null, today: string): EligibilityResult {
  return evaluateEligibility({
    therapy: referral.therapy,
    birthDate: patient.birthDate,
    assessedOn: today,
    diabetesType: patient.diabetesType,
    hba1cMmolMol: hba1c,
    disablingHypoglycaemia: false,
    mdiTried: true,
    structuredEducation: true,
    pregnancy: referral.priorityGroup === 'pregnancy',
    currentTechnology: referral.priorityGroup === 'existing_pump_user' ? ['csii'] : [],
  });
}
