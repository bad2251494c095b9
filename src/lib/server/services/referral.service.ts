import { randomUUID } from 'node:crypto';
import { authorize, personActing, reachesSite, siteScope, type Actor } from '../../domain/access';
import { ageOnDate } from '../../domain/age';
import { addDays, daysBetween } from '../../domain/calendar-date';
import { evaluateEligibility, hba1cForAssessment, latestHba1cWithin12Months, type EligibilityResult } from '../../domain/eligibility';
import { conflict, forbidden, invalidTransition, notFound, validation } from '../../domain/errors';
import { checkEventDate, EVENT_DATE_FIELD } from '../../domain/event-dates';
import { allowedEvents, applyEvent, type PathwayEvent } from '../../domain/pathway';
import { placeOnWorklist, WORKLIST_STATUSES, type WorklistPlacement } from '../../domain/worklist';
import type { CreateReferral, EventBody, QueueItem, Referral, ReferralEvent, ReferralSummary } from '../../schemas/referrals.schema';
import type { Db } from '../db/client';
import { writeAudit } from '../repositories/audit.repository';
import { hba1cValuesFor, hba1cValuesOf } from '../repositories/observation.repository';
import { findPatient, type PatientRow } from '../repositories/patient.repository';
import {
  appendEvent,
  dueForAssessment,
  findReferralSummary,
  findReferralWithEvents,
  insertReferral,
  listReferrals,
  referralsInStatuses,
  type ReferralRow,
} from '../repositories/referral.repository';
import { checkDeviceStart } from './device.service';
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
  receivedOn: r.receivedOn,
  source: r.source,
  priorityGroup: r.priorityGroup,
  lastEventOn: r.lastEventOn,
  version: r.version,
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
      const summary = toSummary(await insertReferral(tx, { ...input, siteId: patient.siteId, lastEventOn: input.receivedOn, createdBy: person.userId }));
      await writeAudit(tx, ctx, { action: 'referral.create', entityType: 'referral', entityId: summary.id, after: summary });
      return this.withEvents(ctx.actor, summary, []);
    });
  }

  async list(ctx: Ctx, q: { siteId?: string; status?: ReferralSummary['status']; patientId?: string; limit: number; cursor?: string }) {
    authorize(ctx.actor, 'referrals:read', q.siteId);
    const after = decodeCursor(q.cursor, 2) as [string, string] | undefined;
    const rows = await listReferrals(this.db, {
      scope: siteScope(ctx.actor),
      siteId: q.siteId,
      status: q.status,
      patientId: q.patientId,
      after,
      limit: q.limit + 1,
    });
    return pageOf(rows.map(toSummary), q.limit, (r) => [r.receivedOn, r.id]);
  }

  async get(ctx: Ctx, id: string): Promise<Referral> {
    authorize(ctx.actor, 'referrals:read');
    const row = await findReferralWithEvents(this.db, id);
    if (!row || !reachesSite(ctx.actor, row.siteId)) throw notFound('No referral with this id');
    const { events, ...summary } = row;
    return this.withEvents(ctx.actor, summary, events);
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
    const events = await appendEvent(
      this.db,
      ctx,
      { referralId: id, readVersion: current.version, version: updated.version, reassessOn, event, recordedRole: person.role },
      { action: `referral.${type}`, entityType: 'referral', entityId: id, before: current, after: { ...updated, event } },
    );
    if (!events) {
      // Another write moved the referral on between the read and this one: report it as it now is.
      const latest = await findReferralSummary(this.db, id);
      if (!latest || !reachesSite(ctx.actor, latest.siteId)) throw notFound('No referral with this id');
      throw staleVersion(latest);
    }
    return { ...this.withEvents(ctx.actor, updated, events), ...(criteria ? { criteria } : {}) };
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
    const page = pageOf(rows, q.limit, (r) => [r.referral.receivedOn, r.referral.id]);
    const results = await hba1cValuesFor(this.db, page.items.map((r) => r.patient.id));
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
