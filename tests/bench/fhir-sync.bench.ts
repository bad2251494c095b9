import { ACTIVE_CLINICAL_STATUS_SEARCH, SYSTEMS, TYPE1_CODE_SEARCH } from '../../src/lib/server/fhir/codes';
import { POPULATION_PAGE_SIZE, POPULATION_PATIENT_ELEMENTS, POPULATION_CONDITION_ELEMENTS } from '../../src/lib/server/fhir/population.count';
import { DEFAULT_PAGE_SIZE } from '../../src/lib/server/fhir/fhir.client';
import { ctxAs, elapsedMs, fhirBench, percentile, round } from './fhir-bench-kit';
import { syncPopulation } from './fhir-fixtures';

/**
 * A site's type 1 population counted on a FHIR server holding 10,000 such patients and the noise around them
 * (about 15,000 patients, 16,000 Conditions), through FhirImportService.syncPopulation into PostgreSQL,
 * beside the same searches made directly with fhir-kit-client. The data is loaded once, before any timing.
 */
export async function fhirSyncBench(serverUrl: string, repetitions: number) {
  const population = syncPopulation({ seed: 9, type1: 10_000 });
  const bench = await fhirBench(serverUrl, 'bench_fhir_sync', population.resources, population.odsCode);
  try {
    const admin = ctxAs('admin', []);
    // The count's searches, in its order: the organisation, then its patients and the type 1 Conditions together.
    const raw = async () => {
      await bench.rawSearch('Organization', { identifier: `${SYSTEMS.odsOrganisation}|${population.odsCode}`, _count: String(DEFAULT_PAGE_SIZE) });
      await Promise.all([
        bench.rawSearch('Patient', { organization: `Organization/org-${population.odsCode}`, _elements: POPULATION_PATIENT_ELEMENTS, _count: String(POPULATION_PAGE_SIZE) }),
        bench.rawSearch('Condition', {
          code: TYPE1_CODE_SEARCH,
          'clinical-status': ACTIVE_CLINICAL_STATUS_SEARCH,
          _elements: POPULATION_CONDITION_ELEMENTS,
          _count: String(POPULATION_PAGE_SIZE),
        }),
      ]);
    };

    // Once each before timing: the server's first answer to a search does the matching, later pages and
    // repeats reuse it, and both sides should be timed alike.
    const { t1dPopulation } = await bench.service.syncPopulation(admin, bench.site.id);
    if (t1dPopulation !== population.expectedCount) throw new Error(`the sync counted ${t1dPopulation}, not ${population.expectedCount}`);
    await raw();
    const syncMs: number[] = [];
    const countMs: number[] = [];
    const rawMs: number[] = [];
    // Interleaved, so that a busy moment on the machine slows all three alike. The count alone (no database)
    // shows how much of the sync is reading and checking the FHIR answers.
    for (let i = 0; i < repetitions; i++) {
      rawMs.push(await elapsedMs(raw));
      countMs.push(await elapsedMs(() => bench.service.populationCount(population.odsCode)));
      syncMs.push(await elapsedMs(() => bench.service.syncPopulation(admin, bench.site.id)));
    }

    return {
      fhirServer: { patients: population.patients, resources: population.resources.length, loadSeconds: bench.loadSeconds },
      count: t1dPopulation,
      repetitions,
      syncMs: { p50: percentile(syncMs, 50), max: percentile(syncMs, 100) },
      countOnlyMs: { p50: percentile(countMs, 50), max: percentile(countMs, 100) },
      rawFhirSearchMs: { p50: percentile(rawMs, 50), max: percentile(rawMs, 100) },
      ratioSyncToRaw: round(percentile(syncMs, 50) / percentile(rawMs, 50)),
    };
  } finally {
    await bench.close();
  }
}
