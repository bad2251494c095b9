import { randomUUID } from 'node:crypto';
import { count } from 'drizzle-orm';
import { afterAll } from 'vitest';
import type { Role, UserActor } from '../../src/lib/domain/access';
import { isDomainError, type DomainError } from '../../src/lib/domain/errors';
import { auditLog, hypoglycaemiaEvents, observations, patientConditions, patients, sites } from '../../src/lib/server/db/schema';
import { createFhirClient, type FhirClientOptions } from '../../src/lib/server/fhir/fhir.client';
import { FhirImportService } from '../../src/lib/server/services/fhir-import.service';
import { PatientService } from '../../src/lib/server/services/patient.service';
import type { Ctx } from '../../src/lib/server/context';
import { freshDatabase } from '../support/database';
import { startTestFhirServer, type TestFhirServerOptions } from '../support/fhir-server';

/**
 * One FHIR test server and one fresh database per test file, with the import service between them and
 * actors made directly (no sign-in: these tests exercise the service, the API's own tests the routes).
 */

export const ctxFor = (role: Role, siteIds: string[]): Ctx<UserActor> => {
  const actor: UserActor = { kind: 'user', userId: randomUUID(), email: `${role}@test.nhs.uk`, name: `Test ${role}`, role, siteIds };
  return { actor, requestId: `test-${randomUUID()}`, clientAddress: '127.0.0.1' };
};

/** The DomainError a promise rejects with (and a test failure if it resolves, or rejects with anything else). */
export async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const e = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  if (!isDomainError(e)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}

/** Who may not bring a patient in at a site (import or look up), and what each is told: for it.each. */
export const outsiders = (otherSiteId: () => string) =>
  [
    ['a commissioner', () => ctxFor('commissioner', []), 'forbidden'],
    ['an admin (patients are clinical work)', () => ctxFor('admin', []), 'forbidden'],
    ['a nurse of another site', () => ctxFor('nurse', [otherSiteId()]), 'forbidden'],
  ] as const;

export async function fhirTestKit(options: TestFhirServerOptions & { client?: Partial<FhirClientOptions>; siteOds?: string } = {}) {
  const { client: clientOptions, siteOds, ...serverOptions } = options;
  const [database, server] = await Promise.all([freshDatabase(), startTestFhirServer(serverOptions)]);
  afterAll(async () => {
    await server.close();
    await database.close();
  });
  const { db } = database;
  const [site] = await db.insert(sites).values({ odsCode: siteOds ?? 'RDM01', name: 'Test site', icb: 'Test ICB' }).returning();
  const client = createFhirClient({ baseUrl: server.baseUrl, timeoutMs: 5000, retries: 2, retryBaseMs: 20, ...clientOptions });
  const patientService = new PatientService(db);
  const service = new FhirImportService(db, client, patientService);

  /** Rows in every table an import or a sync may write: compared before and after a failure. */
  const rowCounts = async () => {
    const n = async (table: typeof patients | typeof observations | typeof patientConditions | typeof hypoglycaemiaEvents | typeof auditLog | typeof sites) =>
      (await db.select({ n: count() }).from(table))[0]!.n;
    return {
      patients: await n(patients),
      observations: await n(observations),
      conditions: await n(patientConditions),
      hypoglycaemia: await n(hypoglycaemiaEvents),
      audit: await n(auditLog),
    };
  };

  return { database, db, server, site: site!, client, service, patients: patientService, nurse: ctxFor('nurse', [site!.id]), rowCounts };
}

export type FhirTestKit = Awaited<ReturnType<typeof fhirTestKit>>;
