import { and, count, eq } from 'drizzle-orm';
import { hypoglycaemiaEvents, observations } from '../../src/lib/server/db/schema';
import { HBA1C_CODE_SEARCH, HYPOGLYCAEMIA_CODE_SEARCH, SYSTEMS } from '../../src/lib/server/fhir/codes';
import { generateDemoPopulation } from '../../src/lib/server/demo/fhir-demo.population';
import { DEFAULT_PAGE_SIZE } from '../../src/lib/server/fhir/fhir.client';
import { fetchPatientRecord } from '../../src/lib/server/fhir/import.fetch';
import { todayIso } from '../../src/lib/server/clock';
import { ctxAs, elapsedMs, fhirBench, percentile, round } from './fhir-bench-kit';
import { longRecord } from './fhir-fixtures';

const ODS = 'BEN01';

/**
 * One patient with ten years of history (about 400 resources), among a few hundred other patients, imported
 * through FhirImportService into PostgreSQL again and again (each re-import refreshes in place), beside the
 * same FHIR searches made directly with fhir-kit-client: what the import adds to the network work it needs.
 */
export async function fhirImportBench(serverUrl: string, repetitions: number) {
  const today = todayIso();
  const background = generateDemoPopulation({ seed: 5, today, patientsPerSite: 100, yearsOfHistory: 3 });
  const record = longRecord({ seed: 5, today, years: 10, organizationId: background.organizations[0]!.id });
  const bench = await fhirBench(serverUrl, 'bench_fhir_import', [...background.resources, ...record.resources], ODS);
  try {
    const nurse = ctxAs('nurse', [bench.site.id]);
    const target = { siteId: bench.site.id, nhsNumber: record.nhsNumber };
    const page = { _count: String(DEFAULT_PAGE_SIZE) };
    const subject = `Patient/${record.patientId}`;
    // The importer's searches, in its order: the patient by NHS number, then three searches together.
    const raw = async () => {
      const patients = await bench.rawSearch('Patient', { identifier: `${SYSTEMS.nhsNumber}|${record.nhsNumber}`, ...page });
      const found = await Promise.all([
        bench.rawSearch('Observation', { patient: subject, code: HBA1C_CODE_SEARCH, ...page }),
        bench.rawSearch('Condition', { patient: subject, ...page }),
        bench.rawSearch('Observation', { patient: subject, code: HYPOGLYCAEMIA_CODE_SEARCH, ...page }),
      ]);
      return found.reduce((a, b) => a + b, patients);
    };

    // The first import registers the patient (and the client reads the capability statement once).
    const first = await elapsedMs(() => bench.service.importPatient(nurse, target));
    const fetchedPerImport = await raw();
    const importMs: number[] = [];
    const fetchMs: number[] = [];
    const rawMs: number[] = [];
    // Interleaved, so that a busy moment on the machine slows all three alike. The fetch alone (the network,
    // validation and mapping half of an import) shows how the rest splits between reading and writing.
    for (let i = 0; i < repetitions; i++) {
      rawMs.push(await elapsedMs(raw));
      fetchMs.push(await elapsedMs(() => fetchPatientRecord(bench.client, { nhsNumber: record.nhsNumber }, () => new Date())));
      importMs.push(await elapsedMs(() => bench.service.importPatient(nurse, target)));
    }

    const { patientId } = await bench.service.importPatient(nurse, target);
    const stored = async (table: typeof observations | typeof hypoglycaemiaEvents) =>
      (await bench.database.db.select({ n: count() }).from(table).where(and(eq(table.patientId, patientId)))).at(0)!.n;
    const storedHba1c = await stored(observations);
    const storedHypos = await stored(hypoglycaemiaEvents);
    if (storedHba1c !== record.expected.hba1c || storedHypos !== record.expected.hypoglycaemia) {
      throw new Error(`the import stored ${storedHba1c} HbA1c and ${storedHypos} hypoglycaemia entries, not ${record.expected.hba1c} and ${record.expected.hypoglycaemia}`);
    }

    return {
      fhirServer: { resources: background.resources.length + record.size, loadSeconds: bench.loadSeconds },
      patient: { resources: record.size, fetchedPerImport, hba1c: storedHba1c, hypoglycaemia: storedHypos },
      repetitions,
      firstImportMs: round(first, 1),
      importMs: { p50: percentile(importMs, 50), p95: percentile(importMs, 95) },
      fetchAndMapMs: { p50: percentile(fetchMs, 50), p95: percentile(fetchMs, 95) },
      rawFhirSearchMs: { p50: percentile(rawMs, 50), p95: percentile(rawMs, 95) },
      ratioImportToRaw: round(percentile(importMs, 50) / percentile(rawMs, 50)),
      ratioFetchAndMapToRaw: round(percentile(fetchMs, 50) / percentile(rawMs, 50)),
    };
  } finally {
    await bench.close();
  }
}
