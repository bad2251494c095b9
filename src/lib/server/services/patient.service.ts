import { and, asc, desc, eq, gt, ilike, inArray, like, or, type SQL } from 'drizzle-orm';
import { actingUserId, authorize, reachesSite, siteScope } from '../../domain/access';
import { conflict, forbidden, notFound, validation } from '../../domain/errors';
import { toMmolMol } from '../../domain/hba1c';
import type { CreateObservation, CreatePatient, Hba1cResult, Patient, PatientWithContext } from '../../schemas/patients.schema';
import type { Db, Tx } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { hypoglycaemiaEvents, observations, patientConditions, patients, sites } from '../db/schema';
import { writeAudit } from '../repositories/audit.repository';
import { todayIso } from '../clock';
import type { Ctx } from '../context';
import { decodeCursor, pageOf } from './cursor';

type PatientRow = typeof patients.$inferSelect;
type ObservationRow = typeof observations.$inferSelect;

export const toPatient = (r: PatientRow): Patient => ({
  id: r.id,
  nhsNumber: r.nhsNumber,
  givenName: r.givenName,
  familyName: r.familyName,
  birthDate: r.birthDate,
  sex: r.sex,
  siteId: r.siteId,
  diabetesType: r.diabetesType,
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

/** Instant used to order an observation: a bare date counts as the start of that day (UTC). */
export const effectiveAt = (effective: string) => new Date(effective.length === 10 ? `${effective}T00:00:00Z` : effective);

const sourceOf = (r: typeof patientConditions.$inferSelect | typeof hypoglycaemiaEvents.$inferSelect) => ({
  server: r.sourceServer,
  resourceType: r.sourceResourceType,
  resourceId: r.sourceResourceId,
  version: r.sourceVersion,
  lastUpdated: r.sourceLastUpdated,
  fetchedAt: r.fetchedAt,
});

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export class PatientService {
  constructor(private readonly db: Db) {}

  async create(ctx: Ctx, input: CreatePatient): Promise<Patient> {
    authorize(ctx.actor, 'patients:write');
    const errors = [];
    if (input.birthDate > todayIso()) errors.push({ path: 'birthDate', message: 'Date of birth cannot be in the future' });
    if (input.birthDate < '1900-01-01') errors.push({ path: 'birthDate', message: 'Date of birth must be after 1900' });
    if (errors.length) throw validation(errors);
    if (!reachesSite(ctx.actor, input.siteId)) {
      const [site] = await this.db.select({ id: sites.id }).from(sites).where(eq(sites.id, input.siteId));
      if (!site) throw validation([{ path: 'siteId', message: 'No site with this id' }]);
      throw forbidden('You can only add patients at the sites you work at');
    }
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(patients).values(input).returning();
        const patient = toPatient(row!);
        await writeAudit(tx, ctx, { action: 'patient.create', entityType: 'patient', entityId: patient.id, after: patient });
        return patient;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('A patient with this NHS number is already registered');
      throw e;
    }
  }

  async search(ctx: Ctx, q: { siteId?: string; q?: string; limit: number; cursor?: string }) {
    authorize(ctx.actor, 'patients:read', q.siteId);
    const scope = siteScope(ctx.actor);
    const after = decodeCursor(q.cursor, 3) as [string, string, string] | undefined;
    const conditions: (SQL | undefined)[] = [
      scope ? inArray(patients.siteId, scope) : undefined,
      q.siteId ? eq(patients.siteId, q.siteId) : undefined,
      after
        ? or(
            gt(patients.familyName, after[0]),
            and(eq(patients.familyName, after[0]), gt(patients.givenName, after[1])),
            and(eq(patients.familyName, after[0]), eq(patients.givenName, after[1]), gt(patients.id, after[2])),
          )
        : undefined,
    ];
    const term = q.q?.trim();
    if (term) {
      const digits = term.replaceAll(' ', '');
      conditions.push(
        /^\d+$/.test(digits)
          ? like(patients.nhsNumber, `${digits}%`)
          : or(ilike(patients.familyName, `%${escapeLike(term)}%`), ilike(patients.givenName, `%${escapeLike(term)}%`)),
      );
    }
    const rows = await this.db
      .select()
      .from(patients)
      .where(and(...conditions))
      .orderBy(asc(patients.familyName), asc(patients.givenName), asc(patients.id))
      .limit(q.limit + 1);
    return pageOf(rows.map(toPatient), q.limit, (p) => [p.familyName, p.givenName, p.id]);
  }

  /** The patient with their clinical context, newest results first. */
  async get(ctx: Ctx, id: string): Promise<PatientWithContext> {
    authorize(ctx.actor, 'patients:read');
    const row = await this.reachable(this.db, ctx, id);
    const results = await this.db
      .select()
      .from(observations)
      .where(and(eq(observations.patientId, id), eq(observations.kind, 'hba1c')))
      .orderBy(desc(observations.effectiveAt), desc(observations.createdAt));
    const [conditions, hypos] = await Promise.all([
      this.db.select().from(patientConditions).where(eq(patientConditions.patientId, id)).orderBy(desc(patientConditions.onset)),
      this.db.select().from(hypoglycaemiaEvents).where(eq(hypoglycaemiaEvents.patientId, id)).orderBy(desc(hypoglycaemiaEvents.effectiveAt)),
    ]);
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
    if (input.effective.slice(0, 10) > todayIso() || effectiveAt(input.effective).getTime() > Date.now()) {
      throw validation([{ path: 'effective', message: 'The result cannot be dated in the future' }]);
    }
    const { mmolMol, original } = toMmolMol({ value: input.value, unit: input.unit });
    return this.db.transaction(async (tx) => {
      const patient = await this.reachable(tx, ctx, patientId);
      if (input.effective.slice(0, 10) < patient.birthDate) {
        throw validation([{ path: 'effective', message: 'The result cannot be dated before the date of birth' }]);
      }
      const [row] = await tx
        .insert(observations)
        .values({
          patientId,
          kind: 'hba1c',
          effective: input.effective,
          effectiveAt: effectiveAt(input.effective),
          mmolMol,
          originalValue: String(original.value),
          originalUnit: original.unit,
          source: 'manual',
          enteredBy: actingUserId(ctx.actor),
        })
        .returning();
      const result = toHba1c(row!);
      await writeAudit(tx, ctx, { action: 'observation.create', entityType: 'observation', entityId: result.id, after: { patientId, ...result } });
      return result;
    });
  }

  /** The patient row, or 404 when it does not exist or lies outside the actor's sites. */
  async reachable(db: Db | Tx, ctx: Ctx, id: string): Promise<PatientRow> {
    const [row] = await db.select().from(patients).where(eq(patients.id, id));
    if (!row || !reachesSite(ctx.actor, row.siteId)) throw notFound('No patient with this id');
    return row;
  }
}
