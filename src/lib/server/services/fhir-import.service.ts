import { authorize, reachesSite } from '../../domain/access';
import { conflict, forbidden, isDomainError, notFound, validation } from '../../domain/errors';
import { splitCountsOf } from '../../domain/equity';
import { compactPostcode } from '../../domain/imd-file';
import { normaliseNhsNumber } from '../../domain/nhs-number';
import type { PatientWithContext } from '../../schemas/patients.schema';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { todayIso } from '../clock';
import type { Ctx } from '../context';
import { writeAudit } from '../repositories/audit.repository';
import { countImported, findLocalPatient, replaceImportedValues, upsertPatient } from '../repositories/fhir-import.repository';
import { imdDecilesOf } from '../repositories/imd.repository';
import { recordPopulationSplitCounts } from '../repositories/population.repository';
import { findSite, lockSite, siteExists, updateSite } from '../repositories/site.repository';
import type { FhirClient } from '../fhir/fhir.client';
import { fetchPatientRecord, type PatientLookup, type PatientRecord } from '../fhir/import.fetch';
import { previewOf, type ImportPreview, type LocalMatch } from '../fhir/import.preview';
import { countType1Population } from '../fhir/population.count';
import { toPatient, type PatientService } from './patient.service';
import { toSite } from './site.service';
import { recordPopulationCountIn } from './population.service';

/**
 * Pulls patients and population figures from the configured FHIR server. The rule for every write: check
 * access, do all the network work, then write everything in one transaction with its audit entry. A failure
 * anywhere (the server, the mapping, a conflict) leaves the database exactly as it was.
 */

export type ImportTarget = { siteId: string; nhsNumber: string } | { siteId: string; fhirId: string };

export interface ImportResult {
  created: boolean;
  patientId: string;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const SERVER_NAME_WAIT_MS = 1500;

export class FhirImportService {
  constructor(
    private readonly db: Db,
    private readonly client: FhirClient,
    private readonly patients: PatientService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Registers (201) or refreshes (200) a patient from the FHIR server with their HbA1c, conditions and hypos. */
  async importPatient(ctx: Ctx, target: ImportTarget): Promise<ImportResult> {
    authorize(ctx.actor, 'patients:write');
    const lookup = this.lookupOf(target);
    await this.checkSite(ctx, target.siteId);

    const record = await fetchPatientRecord(this.client, lookup, this.now);

    try {
      return await this.db.transaction(async (tx) => {
        const existing = await findLocalPatient(tx, record, target.siteId, { lock: true });
        const before = existing ? { patient: toPatient(existing), counts: await countImported(tx, existing.id, record.server) } : null;
        const row = await upsertPatient(tx, record, target.siteId, existing);
        await replaceImportedValues(tx, row.id, record);
        await writeAudit(tx, ctx, {
          action: 'patient.import',
          entityType: 'patient',
          entityId: row.id,
          before,
          after: { patient: toPatient(row), counts: await countImported(tx, row.id, record.server), ...provenanceSummary(record) },
        });
        return { created: existing === undefined, patientId: row.id };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('A patient with this NHS number or FHIR record is already registered');
      throw e;
    }
  }

  /**
   * What importPatient would bring in, read from the FHIR server and mapped the same way, and whether the
   * patient is already registered, for a person to check before importing. The same access checks as the
   * import; it writes nothing and opens no transaction.
   */
  async preview(ctx: Ctx, target: ImportTarget): Promise<ImportPreview> {
    authorize(ctx.actor, 'patients:write');
    const lookup = this.lookupOf(target);
    await this.checkSite(ctx, target.siteId);

    const record = await fetchPatientRecord(this.client, lookup, this.now);
    let local: LocalMatch;
    try {
      const existing = await findLocalPatient(this.db, record, target.siteId, { lock: false });
      local = existing ? { state: 'registered', patientId: existing.id } : { state: 'new' };
    } catch (e) {
      if (!isDomainError(e) || e.kind !== 'conflict') throw e;
      local = { state: 'refused', reason: e.detail };
    }
    return previewOf(record, this.client.baseUrl, local);
  }

  /** importPatient, then the patient as PatientService.get shows them (what the API answers). */
  async importPatientWithContext(ctx: Ctx, target: ImportTarget): Promise<{ created: boolean; patient: PatientWithContext }> {
    const { created, patientId } = await this.importPatient(ctx, target);
    return { created, patient: await this.patients.get(ctx, patientId) };
  }

  /** The FHIR server's name and version, from its capability statement (read once per process). */
  async serverInfo(ctx: Ctx): Promise<{ baseUrl: string; software: string | null; fhirVersion: string }> {
    authorize(ctx.actor, 'sites:manage');
    const { software, fhirVersion } = await this.client.capabilities();
    return { baseUrl: this.client.baseUrl, software, fhirVersion };
  }

  /**
   * What pages call the configured FHIR server beside the results read from it (which name it by its id, often a
   * URN): its software's name from the capability statement, else its host. The statement is read once per process;
   * a page waits for it briefly, never for the full FHIR timeout.
   */
  async serverName(): Promise<{ serverId: string; name: string }> {
    const host = new URL(this.client.baseUrl).host;
    try {
      const { software } = await this.client.capabilities({ signal: AbortSignal.timeout(SERVER_NAME_WAIT_MS) });
      return { serverId: this.client.serverId, name: software ?? host };
    } catch {
      return { serverId: this.client.serverId, name: host };
    }
  }

  /** The site's type 1 population on the FHIR server (see fhir/population.count.ts), as of today. */
  async populationCount(siteOdsCode: string): Promise<{ count: number; asOf: string }> {
    const { count, countedAt } = await countType1Population(this.client, siteOdsCode, this.now);
    return { count, asOf: todayIso(countedAt) };
  }

  /** Stores the site's population figure from the FHIR server; on any failure the previous figure stays. */
  async syncPopulation(ctx: Ctx, siteId: string): Promise<{ t1dPopulation: number; t1dPopulationAsOf: string }> {
    authorize(ctx.actor, 'sites:manage');
    const site = await findSite(this.db, siteId);
    if (!site) throw notFound('No site with this id');
    const { count, people, organizations, countedAt } = await countType1Population(this.client, site.odsCode, this.now);
    const asOf = todayIso(countedAt);
    const postcodes = [...new Set(people.flatMap((p) => (p.postcode ? [compactPostcode(p.postcode)!] : [])))];
    const deciles = await imdDecilesOf(this.db, postcodes);
    const splits = splitCountsOf(people, asOf, (postcode) => deciles.get(compactPostcode(postcode) ?? '') ?? null);

    return this.db.transaction(async (tx) => {
      const current = await lockSite(tx, siteId);
      if (!current) throw notFound('No site with this id');
      const newest = await recordPopulationCountIn(tx, ctx, current, { asOf, t1dPopulation: count, source: 'fhir' });
      await recordPopulationSplitCounts(tx, siteId, asOf, splits);
      const row = await updateSite(tx, siteId, { ...newest, version: current.version + 1 });
      await writeAudit(tx, ctx, {
        action: 'site.population_sync',
        entityType: 'site',
        entityId: siteId,
        before: toSite(current),
        after: { ...toSite(row), splits, source: { fhirServer: this.client.serverId, organizations, countedAt } },
      });
      return { t1dPopulation: count, t1dPopulationAsOf: asOf };
    });
  }

  private lookupOf(target: ImportTarget): PatientLookup {
    if ('nhsNumber' in target) {
      const nhsNumber = normaliseNhsNumber(target.nhsNumber);
      if (nhsNumber === null) throw validation([{ path: 'nhsNumber', message: 'NHS number is not valid: check the digits' }]);
      return { nhsNumber };
    }
    if (!FHIR_ID.test(target.fhirId)) throw validation([{ path: 'fhirId', message: 'Not a FHIR id (letters, digits, - and ., up to 64)' }]);
    return { fhirId: target.fhirId };
  }

  /** As PatientService.create: an unknown site is a bad field; someone else's site is 403. */
  private async checkSite(ctx: Ctx, siteId: string): Promise<void> {
    if (!(await siteExists(this.db, siteId))) throw validation([{ path: 'siteId', message: 'No site with this id' }]);
    if (!reachesSite(ctx.actor, siteId)) throw forbidden('You can only add patients at the sites you work at');
  }
}

function provenanceSummary(record: PatientRecord) {
  return {
    fhir: { server: record.server, id: record.patient.fhirId, version: record.patient.version, lastUpdated: record.patient.lastUpdated },
    fetchedAt: record.fetchedAt,
    skipped: record.skipped,
  };
}
