import { and, asc, desc, eq, gt, inArray, lt, lte, max, or, type SQL } from 'drizzle-orm';
import { authorize, reachesSite, siteScope, type Actor } from '../../domain/access';
import { ageOnDate } from '../../domain/age';
import { addDays, daysBetween } from '../../domain/calendar-date';
import { evaluateEligibility, hba1cForAssessment, latestHba1cWithin12Months, type EligibilityResult } from '../../domain/eligibility';
import { conflict, forbidden, invalidTransition, notFound, validation } from '../../domain/errors';
import { checkEventDate, EVENT_DATE_FIELD } from '../../domain/event-dates';
import { allowedEvents, applyEvent, type PathwayEvent } from '../../domain/pathway';
import { placeOnWorklist, WORKLIST_STATUSES, type WorklistPlacement } from '../../domain/worklist';
import type { CreateReferral, EventBody, QueueItem, Referral, ReferralEvent, ReferralSummary } from '../../schemas/referrals.schema';
import type { Db, Tx } from '../db/client';
import { observations, patients, referralEvents, referrals, users } from '../db/schema';
import { writeAudit } from '../repositories/audit.repository';
import { checkDeviceStart } from './device.service';
import { todayIso } from './clock';
import type { Ctx } from './context';
import { decodeCursor, pageOf } from './cursor';
import { toPatient, type PatientService } from './patient.service';
import type { Patient } from '../../schemas/patients.schema';

type ReferralRow = typeof referrals.$inferSelect;
type EventRow = typeof referralEvents.$inferSelect;
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

const toEvent = (e: EventRow, recordedByName: string | null = null): ReferralEvent => ({
  id: e.id,
  type: e.type,
  occurredOn: e.occurredOn,
  payload: e.payload as Record<string, unknown>,
  ...(e.criteria ? { criteria: e.criteria as EligibilityResult } : {}),
  statusAfter: e.statusAfter,
  recordedBy: e.recordedBy,
  recordedByName,
  recordedAt: e.recordedAt,
});

export class ReferralService {
  constructor(
    private readonly db: Db,
    private readonly patients: PatientService,
  ) {}

  async create(ctx: Ctx, input: CreateReferral): Promise<Referral> {
    authorize(ctx.actor, 'referrals:write');
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
        .values({ ...input, siteId: patient.siteId, lastEventOn: input.receivedOn, createdBy: ctx.actor.userId })
        .returning();
      const summary = toSummary(row!);
      await writeAudit(tx, ctx, { action: 'referral.create', entityType: 'referral', entityId: summary.id, after: summary });
      return this.withEvents(ctx.actor, row!, []);
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
    const row = await this.reachable(this.db, ctx.actor, id);
    return this.withEvents(ctx.actor, row, await eventsOf(this.db, id));
  }

  /**
   * Records one step of the pathway. Inside one transaction: lock the referral, check the version (before
   * anything else about the referral), apply the pathway table, check the dates, append the event, move the
   * status and version on, and audit it. Any failure leaves no trace.
   */
  async recordEvent(ctx: Ctx, id: string, body: EventBody): Promise<Referral> {
    authorize(ctx.actor, 'referrals:write');
    return this.db.transaction(async (tx) => {
      const [current] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
      if (!current || !reachesSite(ctx.actor, current.siteId)) throw notFound('No referral with this id');
      if (current.version !== body.version) {
        throw conflict(`Someone else has changed this referral since you read it (it is now version ${current.version}, status ${current.status})`, {
          currentVersion: current.version,
          currentStatus: current.status,
        });
      }
      const step = applyEvent(current.status, body as PathwayEvent, ctx.actor.role);
      if (!step.ok) {
        if (step.reason === 'forbidden_role') {
          const event = EVENT_NAME[body.type];
          throw forbidden(`A ${ctx.actor.role} cannot record ${/^[aeiou]/.test(event) ? 'an' : 'a'} ${event}`);
        }
        throw invalidTransition(current.status);
      }
      const { type, version: _version, ...payload } = body;
      const dateField = EVENT_DATE_FIELD[type];
      const occurredOn = (payload as Record<string, string>)[dateField]!;
      const dateError = checkEventDate({ date: occurredOn, today: todayIso(), receivedOn: current.receivedOn, previousEventDate: current.lastEventOn });
      if (dateError) throw validation([{ path: dateField, message: dateError.message }]);

      if (body.type === 'device_started') await checkDeviceStart(tx, body);

      let criteria: EligibilityResult | undefined;
      let reassessOn: string | null = null;
      if (body.type === 'assessment') {
        criteria = await this.assess(tx, current, body);
        if (body.decision !== 'deferred' && body.decision !== criteria.suggestion && !body.rationale) {
          throw validation([{ path: 'rationale', message: `Give a rationale: the rules suggest ${criteria.suggestion.replace('_', ' ')}` }]);
        }
        if (body.decision === 'deferred') {
          reassessOn = body.reassessOn ?? addDays(body.assessedOn, DEFAULT_DEFERRAL_DAYS);
          if (reassessOn < body.assessedOn) throw validation([{ path: 'reassessOn', message: 'Reassessment cannot be before the assessment' }]);
        }
      }

      const [{ last } = { last: 0 }] = await tx.select({ last: max(referralEvents.seq) }).from(referralEvents).where(eq(referralEvents.referralId, id));
      const [event] = await tx
        .insert(referralEvents)
        .values({
          referralId: id,
          seq: (last ?? 0) + 1,
          type,
          occurredOn,
          payload,
          criteria: criteria ?? null,
          statusAfter: step.next,
          recordedBy: ctx.actor.userId,
          recordedRole: ctx.actor.role,
        })
        .returning();
      const [updated] = await tx
        .update(referrals)
        .set({ status: step.next, version: current.version + 1, lastEventOn: occurredOn, reassessOn, updatedAt: new Date() })
        .where(eq(referrals.id, id))
        .returning();
      await writeAudit(tx, ctx, {
        action: `referral.${type}`,
        entityType: 'referral',
        entityId: id,
        before: toSummary(current),
        after: { ...toSummary(updated!), event: toEvent(event!) },
      });
      return { ...this.withEvents(ctx.actor, updated!, await eventsOf(tx, id)), ...(criteria ? { criteria } : {}) };
    });
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

  private async assess(tx: Tx, referral: ReferralRow, body: Extract<EventBody, { type: 'assessment' }>): Promise<EligibilityResult> {
    const [patient] = await tx.select().from(patients).where(eq(patients.id, referral.patientId));
    const results = await tx
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

  private async reachable(db: Db | Tx, actor: Actor, id: string): Promise<ReferralRow> {
    const [row] = await db.select().from(referrals).where(eq(referrals.id, id));
    if (!row || !reachesSite(actor, row.siteId)) throw notFound('No referral with this id');
    return row;
  }

  private withEvents(actor: Actor, row: ReferralRow, events: ReferralEvent[]): Referral {
    return { ...toSummary(row), events, allowedEvents: allowedEvents(row.status, actor.role) };
  }
}

/** A referral's events, oldest first, each with the name of who recorded it. */
async function eventsOf(db: Db | Tx, referralId: string): Promise<ReferralEvent[]> {
  const rows = await db
    .select({ event: referralEvents, name: users.name })
    .from(referralEvents)
    .leftJoin(users, eq(users.id, referralEvents.recordedBy))
    .where(eq(referralEvents.referralId, referralId))
    .orderBy(asc(referralEvents.seq));
  return rows.map((r) => toEvent(r.event, r.name));
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
