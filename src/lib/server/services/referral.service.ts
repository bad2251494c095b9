import { randomUUID } from 'node:crypto';
import { authorize, can, personActing, reachesSite, siteScope, type Actor } from '../../domain/access';
import { ageOnDate } from '../../domain/age';
import { addDays, daysBetween } from '../../domain/calendar-date';
import { missingAssessmentAnswers } from '../../domain/assessment';
import {
  evaluateEligibility,
  hba1cForAssessment,
  latestHba1cWithin12Months,
  provisionalEligibility,
  type EligibilityResult,
} from '../../domain/eligibility';
import { conflict, forbidden, invalidTransition, notFound, validation, type FieldError } from '../../domain/errors';
import { checkEventDate, EVENT_DATE_FIELD, isCalendarDate } from '../../domain/event-dates';
import { allowedEvents, applyEvent, type PathwayEvent } from '../../domain/pathway';
import { placeOnWorklist, WORKLIST_STATUSES, type WorklistPlacement } from '../../domain/worklist';
import { existingStartErrors, existingTherapyPayload } from '../../domain/existing-therapy';
import type {
  CreateExistingTherapy,
  CreatePathwayReferral,
  CreateReferral,
  EventBody,
  QueueItem,
  Referral,
  ReferralEvent,
  ReferralListItem,
  ReferralSummary,
} from '../../schemas/referrals.schema';
import type { Db, Tx } from '../db/client';
import { writeAudit, type AuditEntry } from '../repositories/audit.repository';
import { hba1cValuesFor, hba1cValuesOf } from '../repositories/observation.repository';
import { findPatient, lockPatient, type PatientRow } from '../repositories/patient.repository';
import {
  appendEvent,
  appendSystemEvent,
  dueForAssessment,
  findReferralSummary,
  findReferralWithEvents,
  insertEvent,
  insertReferral,
  listReferrals,
  lockRecordsOnTherapy,
  referralsInStatuses,
  referralsOfPatient,
  type ReferralRow,
} from '../repositories/referral.repository';
import { deviceErrors } from './device.service';
import { todayIso } from '../clock';
import type { Ctx } from '../context';
import { decodeCursor, pageOf } from './cursor';
import { toPatient, type PatientService } from './patient.service';
import type { Patient } from '../../schemas/patients.schema';

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
  origin: r.origin,
  receivedOn: r.receivedOn,
  source: r.source,
  knownOn: r.knownOn,
  priorityGroup: r.priorityGroup,
  lastEventOn: r.lastEventOn,
  version: r.version,
});

/**
 * The audit entry of a new existing-therapy record: the record as created, with its event. Shared with the demo's
 * history, whose existing records must read in the audit trail as these do.
 */
export const existingTherapyAudit = (summary: ReferralSummary, event: ReferralEvent): AuditEntry => ({
  action: 'referral.existing_therapy',
  entityType: 'referral',
  entityId: summary.id,
  after: { ...summary, event },
});

/** The audit entry of a pump record the system switched to closed loop: the record before, and after with its event. */
export const switchedToHclAudit = (before: ReferralSummary, event: ReferralEvent): AuditEntry => ({
  action: 'referral.switched_to_hcl',
  entityType: 'referral',
  entityId: before.id,
  before,
  after: { ...before, status: 'switched', version: before.version + 1, lastEventOn: event.occurredOn, event },
});

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

  /** A pathway referral, or an existing-therapy record (api.md, "Existing therapy"). */
  async create(ctx: Ctx, input: CreateReferral): Promise<Referral> {
    return input.origin === 'existing' ? this.createExisting(ctx, input) : this.createPathway(ctx, input);
  }

  private async createPathway(ctx: Ctx, { origin: _origin, ...input }: CreatePathwayReferral): Promise<Referral> {
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
      const summary = toSummary(await insertReferral(tx, { ...input, siteId: patient.siteId, lastEventOn: input.receivedOn, createdBy: person.userId }));
      await writeAudit(tx, ctx, { action: 'referral.create', entityType: 'referral', entityId: summary.id, after: summary });
      return this.withEvents(ctx.actor, summary, []);
    });
  }

  /**
   * A person already on a pump or closed loop: a record on therapy from the start, with one existing_therapy event
   * carrying what is known of the start, the devices and the funding. Every problem is reported at once; a patient
   * already on this therapy gets 409. The patient's row is locked first, so two such records for one person
   * cannot both pass that check.
   */
  private async createExisting(ctx: Ctx, { patientId, origin: _origin, ...input }: CreateExistingTherapy): Promise<Referral> {
    authorize(ctx.actor, 'referrals:write');
    const person = personActing(ctx.actor);
    return this.db.transaction(async (tx) => {
      const patient = await this.patients.reachable(tx, ctx, patientId);
      await lockPatient(tx, patient.id);
      // The event carries what is known of the therapy, not the request's patient and origin.
      const created = await this.createExistingIn(tx, ctx, patient, input);
      if (created === 'already_on_therapy') {
        throw conflict(`This patient already has a ${input.therapy === 'hcl' ? 'closed loop' : 'pump'} record on therapy`);
      }
      return this.withEvents(ctx.actor, created.summary, [created.event]);
    });
  }

  /**
   * Writes one existing-therapy record for a patient the caller has reached and locked, in the caller's
   * transaction, with its audit entry: what the caseload import shares with the single create.
   */
  async createExistingIn(
    tx: Tx,
    ctx: Ctx,
    patient: Pick<PatientRow, 'id' | 'siteId' | 'birthDate'>,
    input: Omit<CreateExistingTherapy, 'patientId' | 'origin'>,
  ): Promise<{ summary: ReferralSummary; event: ReferralEvent } | 'already_on_therapy'> {
    const person = personActing(ctx.actor);
    const errors = [...existingStartErrors(input, { today: todayIso(), birthDate: patient.birthDate }), ...(await deviceErrors(tx, input))];
    if (errors.length) throw validation(errors);
    if ((await lockRecordsOnTherapy(tx, patient.id, input.therapy)).length) return 'already_on_therapy';
    const { therapy } = input;
    const payload = existingTherapyPayload(input);
    const row = await insertReferral(tx, {
      patientId: patient.id,
      siteId: patient.siteId,
      therapy,
      status: 'on_therapy',
      origin: 'existing',
      knownOn: input.knownOn,
      lastEventOn: input.knownOn,
      createdBy: person.userId,
    });
    const event: ReferralEvent = {
      id: randomUUID(),
      type: 'existing_therapy',
      occurredOn: input.knownOn,
      payload,
      statusAfter: 'on_therapy',
      recordedBy: person.userId,
      recordedByName: null,
      recordedAt: new Date(),
    };
    await insertEvent(tx, row.id, 1, event, person.role);
    const summary = toSummary(row);
    await writeAudit(tx, ctx, existingTherapyAudit(summary, event));
    return { summary, event };
  }

  async list(
    ctx: Ctx,
    q: { siteId?: string; status?: ReferralSummary['status']; therapy?: ReferralSummary['therapy']; patientId?: string; limit: number; cursor?: string },
  ): Promise<{ items: ReferralListItem[]; nextCursor: string | null }> {
    authorize(ctx.actor, 'referrals:read', q.siteId);
    const after = decodeCursor(q.cursor, 2) as [string, string] | undefined;
    const rows = await listReferrals(this.db, {
      scope: siteScope(ctx.actor),
      siteId: q.siteId,
      status: q.status,
      therapy: q.therapy,
      patientId: q.patientId,
      after,
      limit: q.limit + 1,
    });
    return pageOf(
      rows.map(({ referral, patient }) => ({ ...toSummary(referral), patient })),
      q.limit,
      (r) => [(r.receivedOn ?? r.knownOn)!, r.id],
    );
  }

  async get(ctx: Ctx, id: string): Promise<Referral> {
    authorize(ctx.actor, 'referrals:read');
    const row = await findReferralWithEvents(this.db, id);
    if (!row || !reachesSite(ctx.actor, row.siteId)) throw notFound('No referral with this id');
    const { events, ...summary } = row;
    return this.withEvents(ctx.actor, summary, events);
  }

  /** A patient's referrals, each with its history: what their page says of each, and which one a switch ended. */
  async listForPatient(ctx: Ctx, patientId: string): Promise<Referral[]> {
    authorize(ctx.actor, 'referrals:read');
    const rows = await referralsOfPatient(this.db, { patientId, scope: siteScope(ctx.actor) });
    return rows.map(({ events, ...summary }) => this.withEvents(ctx.actor, summary, events));
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
    const current = await findReferralSummary(this.db, id);
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
    const occurredOn = (payload as Record<string, string>)[EVENT_DATE_FIELD[type]]!;

    // Every problem at once: the date, the therapy's own answers, the devices, the rationale and the reassessment.
    const errors = await this.fieldProblems(current, body);
    let criteria: EligibilityResult | undefined;
    let reassessOn: string | null = null;
    if (body.type === 'assessment') {
      criteria = await this.assess(current, body);
      const answered = !errors.some((e) => e.path === 'mdiTried');
      if (answered && body.decision !== 'deferred' && body.decision !== criteria.suggestion && !body.rationale) {
        errors.push({ path: 'rationale', message: `Give a rationale: the rules suggest ${criteria.suggestion.replace('_', ' ')}` });
      }
      if (body.decision === 'deferred') reassessOn = body.reassessOn ?? addDays(body.assessedOn, DEFAULT_DEFERRAL_DAYS);
    }
    if (errors.length) throw validation(errors);

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
    const write = { referralId: id, readVersion: current.version, version: updated.version, reassessOn, event, recordedRole: person.role };
    const audit = { action: `referral.${type}`, entityType: 'referral', entityId: id, before: current, after: { ...updated, event } };
    const events =
      type === 'device_started' && current.therapy === 'hcl'
        ? await this.db.transaction(async (tx) => {
            const written = await appendEvent(tx, ctx, write, audit);
            if (written) await this.switchPumpToClosedLoop(tx, ctx, current.patientId, { on: occurredOn, hclReferralId: id });
            return written;
          })
        : await appendEvent(this.db, ctx, write, audit);
    if (!events) {
      // Another write moved the referral on between the read and this one: report it as it now is.
      const latest = await findReferralSummary(this.db, id);
      if (!latest || !reachesSite(ctx.actor, latest.siteId)) throw notFound('No referral with this id');
      throw staleVersion(latest);
    }
    return { ...this.withEvents(ctx.actor, updated, events), ...(criteria ? { criteria } : {}) };
  }

  /**
   * What is wrong with an event's fields given the referral as it stands, for a body that may be incomplete (a form
   * with other problems too): the date against the referral's history, the answers the therapy's rules need, the
   * reassessment date, the devices. Fields that are absent or not yet well formed are left to the schema.
   */
  private async fieldProblems(current: ReferralSummary, values: Partial<Record<string, unknown>>): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const type = values.type as EventBody['type'];
    const dateField = EVENT_DATE_FIELD[type];
    const date = dateField ? values[dateField] : undefined;
    if (typeof date === 'string' && isCalendarDate(date)) {
      const dateError = checkEventDate({
        date,
        today: todayIso(),
        opensOn: current.receivedOn ?? current.knownOn!,
        opening: current.origin === 'existing' ? 'known' : 'received',
        previousEventDate: current.lastEventOn,
      });
      if (dateError) errors.push({ path: dateField, message: dateError.message });
    }
    if (type === 'assessment') {
      errors.push(...missingAssessmentAnswers(current.therapy, values));
      const { decision, reassessOn, assessedOn } = values;
      if (decision === 'deferred' && typeof reassessOn === 'string' && typeof assessedOn === 'string' && isCalendarDate(reassessOn) && reassessOn < assessedOn) {
        errors.push({ path: 'reassessOn', message: 'Reassessment cannot be before the assessment' });
      }
    }
    if (type === 'device_started') {
      const text = (x: unknown) => (typeof x === 'string' && x.trim() !== '' ? x.trim() : undefined);
      errors.push(...(await deviceErrors(this.db, { pump: text(values.pump) ?? '', cgm: text(values.cgm), algorithm: text(values.algorithm) })).filter(
        (e) => e.path !== 'pump' || text(values.pump) !== undefined,
      ));
    }
    return errors;
  }

  /**
   * The problems the referral's own state finds in an event that failed the schema, so that a form reports them
   * with the schema's in one answer rather than one after another. Nothing is written; a referral out of reach has none.
   */
  async eventFieldProblems(ctx: Ctx, id: string, values: Record<string, unknown>): Promise<FieldError[]> {
    // Only for a referral the caller may write to; for any other the schema's problems stand alone, as before.
    if (ctx.actor.kind !== 'user' || !can(ctx.actor, 'referrals:write')) return [];
    const current = await findReferralSummary(this.db, id);
    if (!current || !reachesSite(ctx.actor, current.siteId)) return [];
    if (typeof values.type !== 'string' || !(values.type in EVENT_DATE_FIELD)) return [];
    return this.fieldProblems(current, values);
  }

  /**
   * A closed-loop start ends the person's pump records on therapy (usually one) as `switched` (not a
   * discontinuation), in the start's transaction, each through the system's own event dated the start, audited on
   * its own. A pump record with an event after that date cannot have ended on it: the start is refused rather than
   * the history reordered.
   */
  private async switchPumpToClosedLoop(tx: Tx, ctx: Ctx, patientId: string, payload: { on: string; hclReferralId: string }): Promise<void> {
    for (const pump of await lockRecordsOnTherapy(tx, patientId, 'csii')) await this.switchPump(tx, ctx, pump, payload);
  }

  private async switchPump(tx: Tx, ctx: Ctx, pump: ReferralSummary, payload: { on: string; hclReferralId: string }): Promise<void> {
    if (pump.lastEventOn > payload.on) {
      throw validation([
        { path: 'startedOn', message: `The closed loop cannot start before the last event on the person's pump record (${pump.lastEventOn}), which it ends` },
      ]);
    }
    const event: ReferralEvent = {
      id: randomUUID(),
      type: 'switched_to_hcl',
      occurredOn: payload.on,
      payload,
      statusAfter: 'switched',
      recordedBy: null,
      recordedByName: null,
      recordedAt: new Date(),
    };
    await appendSystemEvent(tx, pump, event);
    await writeAudit(tx, ctx, switchedToHclAudit(pump, event));
  }

  /**
   * Referrals awaiting assessment, and deferred ones whose reassessment date has come, longest wait first,
   * each with what a consultant needs to triage it.
   */
  async eligibilityQueue(ctx: Ctx, q: { siteId?: string; limit: number; cursor?: string }) {
    authorize(ctx.actor, 'referrals:read', q.siteId);
    const today = todayIso();
    const after = decodeCursor(q.cursor, 2) as [string, string] | undefined;
    const rows = await dueForAssessment(this.db, { scope: siteScope(ctx.actor), siteId: q.siteId, today, after, limit: q.limit + 1 });
    // Only pathway referrals await assessment, and every one of them was received on a date.
    const page = pageOf(rows, q.limit, (r) => [r.referral.receivedOn!, r.referral.id]);
    const results = await hba1cValuesFor(this.db, page.items.map((r) => r.patient.id));
    const items: QueueItem[] = page.items.map(({ referral, patient }) => {
      const latest = latestHba1cWithin12Months(
        results.filter((r) => r.patientId === patient.id),
        today,
      );
      const receivedOn = referral.receivedOn!;
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
        waitingSince: receivedOn,
        waitingDays: daysBetween(receivedOn, today),
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
    const rows = await referralsInStatuses(this.db, { scope: siteScope(ctx.actor), siteId: q.siteId, statuses: WORKLIST_STATUSES });
    return rows.flatMap(({ referral, patient }) => {
      const placement = placeOnWorklist(referral, today);
      if (!placement) return [];
      return [{ ...placement, referral: toSummary(referral), patient: toPatient(patient) }];
    });
  }

  private async assess(referral: Pick<ReferralSummary, 'patientId' | 'therapy'>, body: Extract<EventBody, { type: 'assessment' }>): Promise<EligibilityResult> {
    const patient = await findPatient(this.db, referral.patientId);
    const results = await hba1cValuesOf(this.db, referral.patientId);
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

/** The queue's view: the same function the assessment form previews with, before any answer is given. */
function provisionalCriteria(referral: ReferralRow, patient: PatientRow, hba1c: number | null, today: string): EligibilityResult {
  return provisionalEligibility({
    therapy: referral.therapy,
    birthDate: patient.birthDate,
    assessedOn: today,
    diabetesType: patient.diabetesType,
    hba1cMmolMol: hba1c,
    priorityGroup: referral.priorityGroup,
  });
}
