import { randomUUID } from 'node:crypto';
import { actingUserId, authorize, reachesSite } from '../../domain/access';
import type { OnTherapyRow, WaitingRow } from '../../domain/caseload';
import type { CaseloadReading } from '../../domain/caseload-file';
import { planCaseload, problemsOf, type CaseloadPlan, type NewPatient } from '../../domain/caseload-import';
import { conflict, notFound } from '../../domain/errors';
import { existingTherapyPayload } from '../../domain/existing-therapy';
import { INITIAL_STATUS } from '../../domain/pathway';
import type { CaseloadMode, CaseloadReport } from '../../schemas/caseload.schema';
import type { Patient } from '../../schemas/patients.schema';
import { EARLIEST_START_YEAR, type ReferralEvent, type ReferralSummary } from '../../schemas/referrals.schema';
import type { Db, Tx } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import type { AuditEntry } from '../repositories/audit.repository';
import { insertEvents, insertPatients, insertReferrals, patientsByNhsNumber, recordsOfPatients, writeAudits } from '../repositories/caseload.repository';
import { listDevices } from '../repositories/device.repository';
import { findSite, lockSite } from '../repositories/site.repository';
import { todayIso } from '../clock';
import type { Ctx } from '../context';
import { parseCaseloadCsv } from './caseload.csv';

export type CaseloadBody = AsyncIterable<Uint8Array> | Uint8Array;

/**
 * Bringing a site's caseload in from a CSV file (docs/api.md, "Bringing in a service's caseload"): `check` reports
 * what the file would do and every problem in it, writing nothing; `apply` does the same checks again in one
 * transaction and writes all of it, or nothing. The rules are lib/domain/caseload*.ts; this reads the file, gathers
 * what the rules need in a few set-based queries, and writes in bulk, each record audited as its single endpoint
 * audits it.
 */
export class CaseloadImportService {
  constructor(private readonly db: Db) {}

  /** The report of what applying the file would do; nothing is written, not even an audit entry. */
  async check(ctx: Ctx, siteId: string, body: CaseloadBody): Promise<CaseloadReport> {
    await this.site(ctx, siteId);
    const today = todayIso();
    const reading = await parseCaseloadCsv(body, today);
    return reportOf('check', reading, (await this.judge(this.db, ctx, siteId, reading, today, false)).plan);
  }

  /**
   * Writes the file, or nothing when it has any problem (the report then has them). The file is read before the
   * transaction opens, so a slow upload holds no lock; the site's row is locked first, so two applies for one site
   * run one after the other and the second finds the first's records already there.
   */
  async apply(ctx: Ctx, siteId: string, body: CaseloadBody): Promise<CaseloadReport> {
    await this.site(ctx, siteId);
    const today = todayIso();
    const reading = await parseCaseloadCsv(body, today);
    try {
      return await this.db.transaction(async (tx) => {
        await lockSite(tx, siteId);
        const { plan, matched } = await this.judge(tx, ctx, siteId, reading, today, true);
        const report = reportOf('apply', reading, plan);
        if (report.errors.length === 0) await this.write(tx, ctx, { siteId, plan, matched, report, sha256: reading.sha256 });
        return report;
      });
    } catch (e) {
      // Someone registered one of the file's people between the checks and the insert (the locks cover only
      // people already registered).
      if (isUniqueViolation(e)) throw conflict('Someone registered one of these people while the file was being applied. Nothing was written: check the file again.');
      throw e;
    }
  }

  /** 403 for a role that may not import, 404 for a site outside the caller's or no such site, before the file is read. */
  private async site(ctx: Ctx, siteId: string) {
    authorize(ctx.actor, 'imports:caseload', siteId);
    if (!(await findSite(this.db, siteId))) throw notFound('No site with this id');
  }

  /**
   * The file's rows against what is held: who is registered (locked, when applying), their records, the catalogue.
   * With the plan come the ids of the people registered at the site, by NHS number.
   */
  private async judge(db: Db | Tx, ctx: Ctx, siteId: string, reading: CaseloadReading, today: string, lock: boolean) {
    const nhsNumbers = [...new Set(reading.rows.map((r) => r.nhsNumber))];
    const found = await patientsByNhsNumber(db, nhsNumbers, { lock });
    const here = found.filter((p) => p.siteId === siteId).map((p) => p.id);
    const [records, devices] = await Promise.all([recordsOfPatients(db, here), reading.rows.some((r) => r.record === 'on_therapy') ? listDevices(db, {}) : []]);
    const registered = found.map((p) => ({
      ...p,
      nhsNumber: p.nhsNumber!,
      siteName: reachesSite(ctx.actor, p.siteId) ? p.siteName : null,
    }));
    const plan = planCaseload(reading.rows, { siteId, today, registered, records, devices, earliestStartYear: EARLIEST_START_YEAR });
    const matched = new Map(registered.filter((p) => p.siteId === siteId).map((p) => [p.nhsNumber, p.id]));
    return { plan, matched };
  }

  /**
   * Writes the plan. Ids are made first, so that each record, its event and its audit entry name one another yet are
   * each made only as it is written, and let go as soon as it is sent: a file's thousands of records are never all
   * held at once, which keeps the server's memory down. Each audit entry holds the record as its single endpoint's
   * does (a Patient, a ReferralSummary), typed so that a field added there must be added here.
   */
  private async write(
    tx: Tx,
    ctx: Ctx,
    { siteId, plan, matched, report, sha256 }: { siteId: string; plan: CaseloadPlan; matched: Map<string, string>; report: CaseloadReport; sha256: string },
  ): Promise<void> {
    const userId = actingUserId(ctx.actor);
    const role = ctx.actor.kind === 'user' ? ctx.actor.role : null;

    const patientIds = plan.newPatients.map(() => randomUUID());
    const patientOf = (p: NewPatient, i: number): Patient => ({
      id: patientIds[i]!,
      nhsNumber: p.nhsNumber,
      givenName: p.givenName,
      familyName: p.familyName,
      birthDate: p.birthDate,
      sex: p.sex,
      siteId,
      diabetesType: p.diabetesType,
      ethnicCategory: p.ethnicCategory ?? null,
      postcode: p.postcode ?? null,
      imdDecile: p.imdDecile ?? null,
      fhirId: null,
      version: 1,
    });
    await insertPatients(tx, each(plan.newPatients, patientOf));
    await writeAudits(tx, ctx, each(plan.newPatients, (p, i): AuditEntry => ({ action: 'patient.create', entityType: 'patient', entityId: patientIds[i]!, after: patientOf(p, i) })));

    const patientId = new Map(matched);
    plan.newPatients.forEach((p, i) => patientId.set(p.nhsNumber, patientIds[i]!));
    const existingIds = plan.existingTherapies.map(() => randomUUID());
    const eventIds = plan.existingTherapies.map(() => randomUUID());
    const waitingIds = plan.referrals.map(() => randomUUID());
    const existingOf = (row: OnTherapyRow, i: number): ReferralSummary => ({
      id: existingIds[i]!,
      patientId: patientId.get(row.nhsNumber)!,
      siteId,
      therapy: row.therapy,
      status: 'on_therapy',
      origin: 'existing',
      receivedOn: null,
      source: null,
      knownOn: row.knownOn,
      priorityGroup: null,
      lastEventOn: row.knownOn,
      version: 1,
    });
    const waitingOf = (row: WaitingRow, i: number): ReferralSummary => ({
      id: waitingIds[i]!,
      patientId: patientId.get(row.nhsNumber)!,
      siteId,
      therapy: row.therapy,
      status: INITIAL_STATUS,
      origin: 'pathway',
      receivedOn: row.receivedOn,
      source: row.source,
      knownOn: null,
      priorityGroup: row.priorityGroup ?? null,
      lastEventOn: row.receivedOn,
      version: 1,
    });
    const recordedAt = new Date();
    const eventOf = (row: OnTherapyRow, i: number): ReferralEvent => ({
      id: eventIds[i]!,
      type: 'existing_therapy',
      occurredOn: row.knownOn,
      // What the single existing-therapy record's event carries.
      payload: existingTherapyPayload(row),
      statusAfter: 'on_therapy',
      recordedBy: userId,
      recordedByName: null,
      recordedAt,
    });

    await insertReferrals(
      tx,
      concat(
        each(plan.existingTherapies, (row, i) => ({ ...existingOf(row, i), createdBy: userId })),
        each(plan.referrals, (row, i) => ({ ...waitingOf(row, i), createdBy: userId })),
      ),
    );
    await insertEvents(tx, each(plan.existingTherapies, (row, i) => ({ ...eventOf(row, i), referralId: existingIds[i]!, seq: 1, recordedRole: role })));
    const { mode: _mode, errors: _errors, ...counts } = report;
    await writeAudits(
      tx,
      ctx,
      concat<AuditEntry>(
        each(plan.existingTherapies, (row, i) => ({ action: 'referral.existing_therapy', entityType: 'referral', entityId: existingIds[i]!, after: { ...existingOf(row, i), event: eventOf(row, i) } })),
        each(plan.referrals, (row, i) => ({ action: 'referral.create', entityType: 'referral', entityId: waitingIds[i]!, after: waitingOf(row, i) })),
        [{ action: 'import.caseload', entityType: 'site', entityId: siteId, after: { siteId, sha256, ...counts } }],
      ),
    );
  }
}

/** Each item made into another only as it is taken: what is written is let go once it is sent. */
function* each<T, R>(items: readonly T[], make: (item: T, index: number) => R): Generator<R> {
  for (let i = 0; i < items.length; i++) yield make(items[i]!, i);
}

function* concat<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const part of parts) yield* part;
}

function reportOf(mode: CaseloadMode, reading: CaseloadReading, plan: CaseloadPlan): CaseloadReport {
  return { mode, rows: reading.rowCount, errors: problemsOf(reading, plan.errors), ...plan.counts };
}
