import { randomUUID } from 'node:crypto';
import { Client } from 'fhir-kit-client';
import type { Role, UserActor } from '../../src/lib/domain/access';
import { migrate, openPostgres } from '../../src/lib/server/db/client';
import { sites } from '../../src/lib/server/db/schema';
import { createFhirClient } from '../../src/lib/server/fhir/fhir.client';
import { startFhirServer } from '../../src/lib/server/demo/fhir.server';
import type { FhirJson } from '../../src/lib/server/demo/fhir.store';
import { FhirImportService } from '../../src/lib/server/services/fhir-import.service';
import type { Ctx } from '../../src/lib/server/context';
import { PatientService } from '../../src/lib/server/services/patient.service';
import { freshBenchDatabase } from './postgres';

/**
 * What both FHIR benchmarks share: the production FHIR server over HTTP on loopback with the data loaded once
 * (outside any timing), the real import service on a fresh PostgreSQL database, and the same searches made
 * directly with fhir-kit-client, page by page, as the yardstick for what the service adds.
 */

export const elapsedMs = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await work();
  return performance.now() - start;
};

/** Nearest-rank percentile, in whole milliseconds to one decimal. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return Math.round(value * 10) / 10;
}

export const round = (x: number, places = 2) => Math.round(x * 10 ** places) / 10 ** places;

export const ctxAs = (role: Role, siteIds: string[]): Ctx<UserActor> => ({
  actor: { kind: 'user', userId: randomUUID(), email: `bench-${role}@bench.test`, name: `Bench ${role}`, role, siteIds },
  requestId: `bench-${randomUUID()}`,
  clientAddress: '127.0.0.1',
});

export async function fhirBench(serverUrl: string, name: string, resources: readonly FhirJson[], odsCode: string) {
  const loadStart = performance.now();
  const fhir = await startFhirServer({ resources });
  const loadSeconds = round((performance.now() - loadStart) / 1000, 1);

  const url = await freshBenchDatabase(serverUrl, name);
  const database = openPostgres(url, { max: 10 });
  await migrate(database, url);
  const [site] = await database.db.insert(sites).values({ odsCode, name: `Bench ${odsCode}`, icb: 'Bench ICB' }).returning();
  const client = createFhirClient({ baseUrl: fhir.baseUrl, timeoutMs: 120_000, retries: 0 });
  const service = new FhirImportService(database.db, client, new PatientService(database.db));

  const raw = new Client({ baseUrl: fhir.baseUrl });
  /** One search followed to its last page, as fhir-kit-client does it; the number of resources matched. */
  const rawSearch = async (resourceType: string, searchParams: Record<string, string>): Promise<number> => {
    let bundle = (await raw.search({ resourceType, searchParams })) as { entry?: unknown[]; link?: { relation: string; url: string }[] };
    let matched = bundle.entry?.length ?? 0;
    for (;;) {
      const next = raw.nextPage({ bundle: bundle as never });
      if (!next) return matched;
      bundle = (await next) as typeof bundle;
      matched += bundle.entry?.length ?? 0;
    }
  };

  return {
    fhir,
    database,
    site: site!,
    client,
    service,
    rawSearch,
    loadSeconds,
    async close() {
      await database.close();
      await fhir.close();
    },
  };
}
