import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError, type DomainError } from '../../src/lib/domain/errors';
import { patients } from '../../src/lib/server/db/schema';
import { generateDemoPopulation } from '../../src/lib/server/demo/fhir-demo.population';
import { createFhirClient } from '../../src/lib/server/fhir/fhir.client';
import { FhirImportService } from '../../src/lib/server/services/fhir-import.service';
import { listen } from '../../src/lib/server/demo/fhir.server';
import { openPostgres } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { buildApp } from '../../src/server/app';
import { ASSESS_ELIGIBLE, nextNhsNumber } from '../support/pathway';
import { fhirTestKit } from './fhir-test-kit';

/**
 * A FHIR server that fails in each of the ways real ones do. Every failure must reach the caller as the right
 * error (502 upstream_failed, 504 upstream_timeout) and leave the database exactly as it was.
 */

const TIMEOUT_MS = 300;
const population = generateDemoPopulation({ seed: 11, patientsPerSite: 5, today: '2025-06-01', yearsOfHistory: 4 });
// Small pages, so one patient's results span several and paging faults can strike in the middle.
const kit = await fhirTestKit({ resources: population.resources, client: { timeoutMs: TIMEOUT_MS, pageSize: 3, retries: 2, retryBaseMs: 10 } });
const person = population.patients.find((p) => p.odsCode === 'RDM01')!;
const target = { siteId: kit.site.id, nhsNumber: person.nhsNumber };
const laterPage = (q: URLSearchParams) => Number(q.get('_offset') ?? '0') > 0;
const hba1cSearch = (q: URLSearchParams) => (q.get('code') ?? '').includes('loinc');

afterEach(() => kit.server.clearFaults());
// The server's first searches compile their FHIRPath expressions, which on a busy machine can take longer than
// TIMEOUT_MS: done once here, unhurried (a look-up writes nothing), so that the timeout measures the faults.
beforeAll(() =>
  new FhirImportService(kit.db, createFhirClient({ baseUrl: kit.server.baseUrl, timeoutMs: 30_000 }), kit.patients).preview(kit.nurse, target),
);

async function importFails(expectedKind: DomainError['kind'], service = kit.service): Promise<DomainError> {
  const before = await kit.rowCounts();
  const outcome = await service.importPatient(kit.nurse, target).then(
    () => null,
    (e: unknown) => e,
  );
  expect(isDomainError(outcome), `expected a DomainError, got ${String(outcome)}`).toBe(true);
  const error = outcome as DomainError;
  expect(error.kind).toBe(expectedKind);
  expect(await kit.rowCounts()).toEqual(before);
  return error;
}

const requestsTo = (path: string, since: number) => kit.server.requests.slice(since).filter((r) => r.path === path);

describe('server errors', () => {
  it('maps a 500 to upstream_failed, without retrying it', async () => {
    const since = kit.server.requests.length;
    kit.server.fault({ path: 'Condition', fault: { kind: 'status', status: 500 } });
    const e = await importFails('upstream_failed');
    expect(e.detail).toBe('The FHIR server failed the Condition search (HTTP 500)');
    expect(requestsTo('Condition', since)).toHaveLength(1);
  });

  it('maps a 404 on a search (not a read) to upstream_failed', async () => {
    kit.server.fault({ path: 'Observation', fault: { kind: 'status', status: 404 } });
    await importFails('upstream_failed');
  });

  it('maps a server that cannot be reached to upstream_failed', async () => {
    const closed = await listen(async () => {});
    await closed.close();
    const client = createFhirClient({ baseUrl: `${closed.origin}/fhir`, timeoutMs: TIMEOUT_MS });
    const e = await importFails('upstream_failed', new FhirImportService(kit.db, client, kit.patients));
    expect(e.detail).toMatch(/could not be reached/);
  });
});

describe('a server that never answers', () => {
  it.each(['Patient', 'Condition', 'metadata'])('times out on %s within the configured timeout', async (path) => {
    // metadata is read once per client: a fresh client, so that it is asked.
    const client = createFhirClient({ baseUrl: kit.server.baseUrl, timeoutMs: TIMEOUT_MS });
    const service = new FhirImportService(kit.db, client, kit.patients);
    kit.server.fault({ path, fault: { kind: 'hang' } });
    const started = performance.now();
    const e = await importFails('upstream_timeout', service);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000);
    expect(e.detail).toMatch(/did not answer .* within 300 ms/);
  });
});

describe('garbage', () => {
  it('maps a body that is not JSON to upstream_failed', async () => {
    kit.server.fault({ path: 'Patient', fault: { kind: 'malformed' } });
    expect((await importFails('upstream_failed')).detail).toMatch(/not JSON/);
  });

  it('maps a connection dropped half-way through the answer to upstream_failed', async () => {
    kit.server.fault({ path: 'Observation', fault: { kind: 'reset' } });
    await importFails('upstream_failed');
  });

  it('maps JSON that is not a search Bundle to upstream_failed', async () => {
    kit.server.fault({ path: 'Condition', fault: { kind: 'invalid', body: { resourceType: 'Patient', id: 'x' } } });
    expect((await importFails('upstream_failed')).detail).toMatch(/cannot read/);
  });

  it('maps a resource that breaks the schema (an Observation without code) to upstream_failed', async () => {
    kit.server.fault({
      path: 'Observation',
      when: hba1cSearch,
      fault: { kind: 'invalid', body: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Observation', id: 'o', status: 'final' } }] } },
    });
    expect((await importFails('upstream_failed')).detail).toMatch(/cannot read/);
  });

  it('refuses an answer about someone else (a server that ignored the patient parameter)', async () => {
    const stranger = population.resources.find((r) => r.resourceType === 'Condition' && (r.subject as { reference: string }).reference !== `Patient/${person.id}`)!;
    kit.server.fault({ path: 'Condition', fault: { kind: 'invalid', body: { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: stranger }] } } });
    expect((await importFails('upstream_failed')).detail).toMatch(/another patient's Condition/);
  });

  it('refuses a patient who does not carry the NHS number searched for', async () => {
    const stranger = population.resources.find((r) => r.resourceType === 'Patient' && r.id !== person.id)!;
    kit.server.fault({ path: 'Patient', fault: { kind: 'invalid', body: { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: stranger }] } } });
    await importFails('upstream_failed');
  });

  it('refuses a server that does not speak R4', async () => {
    const client = createFhirClient({ baseUrl: kit.server.baseUrl, timeoutMs: TIMEOUT_MS });
    kit.server.fault({ path: 'metadata', fault: { kind: 'invalid', body: { resourceType: 'CapabilityStatement', fhirVersion: '3.0.2' } } });
    expect((await importFails('upstream_failed', new FhirImportService(kit.db, client, kit.patients))).detail).toMatch(/FHIR 3.0.2/);
  });
});

describe('paging that ends early', () => {
  it('fails when a next link leads to a page that 404s', async () => {
    kit.server.fault({ path: 'Observation', when: (q) => hba1cSearch(q) && laterPage(q), fault: { kind: 'status', status: 404 } });
    expect((await importFails('upstream_failed')).detail).toBe('The FHIR server failed the Observation search (HTTP 404)');
  });

  it('fails when a later page has lost its entries', async () => {
    kit.server.fault({ path: 'Observation', when: (q) => hba1cSearch(q) && laterPage(q), fault: { kind: 'drop-entries' } });
    expect((await importFails('upstream_failed')).detail).toMatch(/empty page in the middle|ended early/);
  });

  it('fails when the next link is missing before the total is reached', async () => {
    kit.server.fault({ path: 'Observation', when: (q) => hba1cSearch(q) && !laterPage(q), fault: { kind: 'drop-next-link' } });
    expect((await importFails('upstream_failed')).detail).toMatch(/ended early/);
  });

  it('never follows a next link to another server', async () => {
    kit.server.fault({
      path: 'Condition',
      fault: {
        kind: 'invalid',
        body: { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: 'http://attacker.invalid/fhir/Condition?page=2' }], entry: [{ resource: { resourceType: 'Condition', id: 'c', subject: { reference: `Patient/${person.id}` } } }] },
      },
    });
    expect((await importFails('upstream_failed')).detail).toMatch(/next link to another server/);
  });
});

describe('retries', () => {
  it('retries a 429, then succeeds', async () => {
    const since = kit.server.requests.length;
    kit.server.fault({ path: 'Condition', times: 1, fault: { kind: 'status', status: 429, headers: { 'retry-after': '0' } } });
    const result = await kit.service.importPatient(kit.nurse, target);
    expect(result.patientId).toEqual(expect.any(String));
    expect(requestsTo('Condition', since)).toHaveLength(2);
  });

  it('retries 503 up to the configured number of times, then gives up with upstream_failed', async () => {
    const since = kit.server.requests.length;
    kit.server.fault({ path: 'Condition', times: 2, fault: { kind: 'status', status: 503 } });
    await kit.service.importPatient(kit.nurse, target);
    expect(requestsTo('Condition', since)).toHaveLength(3);

    const [row] = await kit.db.select().from(patients).where(eq(patients.nhsNumber, person.nhsNumber));
    kit.server.fault({ path: 'Condition', fault: { kind: 'status', status: 503 } });
    await importFails('upstream_failed');
    const [unchanged] = await kit.db.select().from(patients).where(eq(patients.nhsNumber, person.nhsNumber));
    expect(unchanged).toEqual(row); // a failed refresh leaves the patient as it was
  });

  it('waits as long as Retry-After says, when that is within bounds', async () => {
    const client = createFhirClient({ baseUrl: kit.server.baseUrl, timeoutMs: 2000, retries: 1 });
    const service = new FhirImportService(kit.db, client, kit.patients);
    kit.server.fault({ path: 'Patient', times: 1, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } });
    const started = performance.now();
    await service.importPatient(kit.nurse, target);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('does not wait for a Retry-After longer than it may: fails at once instead', async () => {
    kit.server.fault({ path: 'Patient', fault: { kind: 'status', status: 503, headers: { 'retry-after': '120' } } });
    const started = performance.now();
    await importFails('upstream_failed');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('a FHIR server that hangs blocks nobody else', () => {
  // Long enough that everything else has plainly finished first; the assertions are on order, not on time.
  const HANG_TIMEOUT_MS = 5000;
  const IMPORTS = 4;

  it('answers health, a patient search and a pathway event while imports wait, and the imports hold no database connection', { timeout: 60_000 }, async () => {
    // A pool of two connections on PostgreSQL (PGlite has one): four imports each holding one while they wait
    // would leave nothing for anyone else until they time out.
    const database = kit.database.kind === 'postgres' ? openPostgres(kit.database.url!, { max: 2 }) : kit.database;
    const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 }, { fhir: { baseUrl: kit.server.baseUrl, timeoutMs: HANG_TIMEOUT_MS } });
    const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'test' }, services });
    try {
      const password = 'hanging-fhir-1';
      for (const role of ['nurse', 'consultant'] as const) {
        await services.users.create(systemCtx('tests'), { email: `${role}@hang.test`, name: role, role, siteIds: [kit.site.id], password });
      }
      const signIn = async (email: string) => {
        const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
        return `pp_session=${res.cookies.find((c) => c.name === 'pp_session')!.value}`;
      };
      const [nurse, consultant] = [await signIn('nurse@hang.test'), await signIn('consultant@hang.test')];
      const call = (cookie: string, method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, payload, headers: { cookie } });
      const patient = (await call(nurse, 'POST', '/api/v1/patients', { nhsNumber: nextNhsNumber(31_337), givenName: 'Waits', familyName: 'Nobody', birthDate: '1990-05-17', sex: 'female', siteId: kit.site.id, diabetesType: 'type1' })).json();
      const referral = (await call(nurse, 'POST', '/api/v1/referrals', { patientId: patient.id, therapy: 'csii', receivedOn: '2026-01-05', source: 'gp' })).json();

      kit.server.fault({ path: 'Patient', fault: { kind: 'hang' } });
      const finished: string[] = [];
      const since = kit.server.requests.length;
      const imports = Array.from({ length: IMPORTS }, () =>
        call(nurse, 'POST', '/api/v1/patients/import', target).then((res) => {
          finished.push('import');
          return res;
        }),
      );
      // Every import has reached the FHIR server and is waiting for an answer that never comes.
      await expect.poll(() => requestsTo('Patient', since).length, { timeout: HANG_TIMEOUT_MS / 2 }).toBe(IMPORTS);
      if (kit.database.kind === 'postgres') {
        const busy = await kit.db.execute(
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and state <> 'idle' and pid <> pg_backend_pid()`,
        );
        expect((busy as unknown as { n: number }[])[0]!.n, 'connections busy or in a transaction while the imports wait').toBe(0);
      }

      const others = await Promise.all(
        (
          [
            ['health', app.inject({ method: 'GET', url: '/api/health' })],
            ['search', call(nurse, 'GET', `/api/v1/patients?q=Nobody&siteId=${kit.site.id}`)],
            ['event', call(consultant, 'POST', `/api/v1/referrals/${referral.id}/events`, { ...ASSESS_ELIGIBLE, version: referral.version })],
          ] as const
        ).map(([name, request]) =>
          request.then((res) => {
            finished.push(name);
            return res;
          }),
        ),
      );
      expect(others.map((r) => r.statusCode)).toEqual([200, 200, 201]);
      expect(others[1]!.json().items.map((p: { id: string }) => p.id)).toEqual([patient.id]);
      expect([...finished].sort(), 'every other request finished while all the imports were still waiting').toEqual(['event', 'health', 'search']);

      const answers = await Promise.all(imports);
      expect(answers.map((r) => r.statusCode)).toEqual(Array(IMPORTS).fill(504));
      expect(finished.slice(3)).toEqual(Array(IMPORTS).fill('import'));
    } finally {
      await app.close();
      if (database !== kit.database) await database.close();
    }
  });
});
