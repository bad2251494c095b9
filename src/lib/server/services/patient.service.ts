import { actingUserId, authorize, reachesSite, siteScope } from '../../domain/access';
import { conflict, forbidden, notFound, validation } from '../../domain/errors';
import { instantOf } from '../../domain/calendar-date';
import { toMmolMol } from '../../domain/hba1c';
import { normaliseNhsNumber } from '../../domain/nhs-number';
import type { CreateObservation, CreatePatient, Hba1cResult, Patient, PatientWithContext, UpdatePatient } from '../../schemas/patients.schema';
import type { Db, Tx } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { writeAudit } from '../repositories/audit.repository';
import { siteExists } from '../repositories/site.repository';
import { hba1cResultsOf, insertManualHba1c, type ObservationRow } from '../repositories/observation.repository';
import {
  conditionsOf,
  findPatient,
  findPatientByNhsNumber,
  hypoglycaemiaOf,
  insertPatient,
  lockPatient,
  searchPatients,
  updatePatient,
  type ConditionRow,
  type HypoglycaemiaRow,
  type PatientRow,
} from '../repositories/patient.repository';
import { todayIso } from '../clock';
import type { Ctx } from '../context';
import { decodeCursor, pageOf } from './cursor';

export const toPatient = (r: PatientRow): Patient => ({
  id: r.id,
  nhsNumber: r.nhsNumber,
  givenName: r.givenName,
  familyName: r.familyName,
  birthDate: r.birthDate,
  sex: r.sex,
  siteId: r.siteId,
  diabetesType: r.diabetesType,
  ethnicCategory: r.ethnicCategory,
  postcode: r.postcode,
  imdDecile: r.imdDecile,
  fhirId: r.fhirId,
  version: r.version,
});

export const toHba1c = (o: ObservationRow): Hba1cResult => ({
  id: o.id,
  effective: o.effective,
  mmolMol: o.mmolMol,
  original: { value: o.originalValue, unit: o.originalUnit },
  source: { kind: o.source, server: o.sourceServer, resourceId: o.sourceResourceId, version: o.sourceVersion, fetchedAt: o.fetchedAt },
});

const sourceOf = (r: ConditionRow | HypoglycaemiaRow) => ({
  server: r.sourceServer,
  resourceType: r.sourceResourceType,
  resourceId: r.sourceResourceId,
  version: r.sourceVersion,
  lastUpdated: r.sourceLastUpdated,
  fetchedAt: r.fetchedAt,
});

export class PatientService {
  constructor(private readonly db: Db) {}

  async create(ctx: Ctx, input: CreatePatient): Promise<Patient> {
    authorize(ctx.actor, 'patients:write');
    const errors = [];
    if (input.birthDate > todayIso()) errors.push({ path: 'birthDate', message: 'Date of birth cannot be in the future' });
    if (input.birthDate < '1900-01-01') errors.push({ path: 'birthDate', message: 'Date of birth must be after 1900' });
    if (errors.length) throw validation(errors);
    if (!reachesSite(ctx.actor, input.siteId)) {
      if (!(await siteExists(this.db, input.siteId))) throw validation([{ path: 'siteId', message: 'No site with this id' }]);
      throw forbidden('You can only add patients at the sites you work at');
    }
    try {
      return await this.db.transaction(async (tx) => {
        const patient = toPatient(await insertPatient(tx, input));
        await writeAudit(tx, ctx, { action: 'patient.create', entityType: 'patient', entityId: patient.id, after: patient });
        return patient;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw await this.alreadyRegistered(ctx, input.nhsNumber);
      throw e;
    }
  }

  /**
   * The answer to registering an NHS number twice: the patient it belongs to, for someone who may see them, so
   * that they can open the record; for anyone else only that it is taken elsewhere, never whose it is.
   */
  private async alreadyRegistered(ctx: Ctx, nhsNumber: string) {
    const existing = await findPatientByNhsNumber(this.db, nhsNumber);
    if (existing && reachesSite(ctx.actor, existing.siteId)) {
      return conflict('A patient with this NHS number is already registered', { existingPatientId: existing.id });
    }
    return conflict('A patient with this NHS number is already registered at another site');
  }

  /**
   * Adds what was not recorded (an NHS number for a patient imported without one, or in place of a stored one that
   * is not valid) and changes demographics. A valid NHS number identifies the patient and is never changed here.
   */
  async update(ctx: Ctx, id: string, input: UpdatePatient): Promise<Patient> {
    authorize(ctx.actor, 'patients:write');
    const { version, ...changes } = input;
    try {
      return await this.db.transaction(async (tx) => {
        const current = await lockPatient(tx, id);
        if (!current || !reachesSite(ctx.actor, current.siteId)) throw notFound('No patient with this id');
        if (current.version !== version) {
          throw conflict(`The patient has changed since you read them (now version ${current.version})`, { currentVersion: current.version });
        }
        // A number stored by an import that is not a valid NHS number may be put right; a valid one stays.
        const recorded = current.nhsNumber === null ? null : normaliseNhsNumber(current.nhsNumber);
        if (changes.nhsNumber !== undefined && recorded !== null && changes.nhsNumber !== recorded) {
          throw validation([{ path: 'nhsNumber', message: 'This patient already has an NHS number, which cannot be changed' }]);
        }
        const patient = toPatient(await updatePatient(tx, id, { ...changes, version: current.version + 1, updatedAt: new Date() }));
        await writeAudit(tx, ctx, { action: 'patient.update', entityType: 'patient', entityId: id, before: toPatient(current), after: patient });
        return patient;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('Another patient is registered with this NHS number');
      throw e;
    }
  }

  async search(ctx: Ctx, q: { siteId?: string; q?: string; limit: number; cursor?: string }) {
    authorize(ctx.actor, 'patients:read', q.siteId);
    const after = decodeCursor(q.cursor, 3) as [string, string, string] | undefined;
    const rows = await searchPatients(this.db, { scope: siteScope(ctx.actor), siteId: q.siteId, text: q.q, after, limit: q.limit + 1 });
    return pageOf(rows.map(toPatient), q.limit, (p) => [p.familyName, p.givenName, p.id]);
  }

  /** The patient with their clinical context, newest results first. */
  async get(ctx: Ctx, id: string): Promise<PatientWithContext> {
    authorize(ctx.actor, 'patients:read');
    const row = await this.reachable(this.db, ctx, id);
    const results = await hba1cResultsOf(this.db, id);
    const [conditions, hypos] = await Promise.all([conditionsOf(this.db, id), hypoglycaemiaOf(this.db, id)]);
    return {
      ...toPatient(row),
      context: {
        hba1c: results.map(toHba1c),
        hypoglycaemia: hypos.map((h) => ({ id: h.id, effective: h.effective, description: h.description, source: sourceOf(h) })),
        conditions: conditions.map((c) => ({
          id: c.id,
          kind: c.kind,
          system: c.system,
          code: c.code,
          display: c.display,
          clinicalStatus: c.clinicalStatus,
          onset: c.onset,
          source: sourceOf(c),
        })),
        fetchedAt: row.fhirFetchedAt,
        fhirServer: row.fhirServer,
      },
    };
  }

  /** A manually entered result; % is converted to IFCC mmol/mol and the original kept. */
  async addObservation(ctx: Ctx, patientId: string, input: CreateObservation): Promise<Hba1cResult> {
    authorize(ctx.actor, 'patients:write');
    if (input.effective.slice(0, 10) > todayIso() || instantOf(input.effective)!.getTime() > Date.now()) {
      throw validation([{ path: 'effective', message: 'The result cannot be dated in the future' }]);
    }
    const { mmolMol, original } = toMmolMol({ value: input.value, unit: input.unit });
    return this.db.transaction(async (tx) => {
      const patient = await this.reachable(tx, ctx, patientId);
      if (input.effective.slice(0, 10) < patient.birthDate) {
        throw validation([{ path: 'effective', message: 'The result cannot be dated before the date of birth' }]);
      }
      const result = toHba1c(await insertManualHba1c(tx, { patientId, effective: input.effective, mmolMol, original, enteredBy: actingUserId(ctx.actor) }));
      await writeAudit(tx, ctx, { action: 'observation.create', entityType: 'observation', entityId: result.id, after: { patientId, ...result } });
      return result;
    });
  }

  /** The patient row, or 404 when it does not exist or lies outside the actor's sites. */
  async reachable(db: Db | Tx, ctx: Ctx, id: string): Promise<PatientRow> {
    const row = await findPatient(db, id);
    if (!row || !reachesSite(ctx.actor, row.siteId)) throw notFound('No patient with this id');
    return row;
  }
}
