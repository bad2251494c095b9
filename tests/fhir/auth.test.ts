import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/lib/domain/errors';
import { generateDemoPopulation } from '../../src/lib/server/demo/fhir-demo.population';
import { createFhirClient, type FhirAuth } from '../../src/lib/server/fhir/fhir.client';
import { FhirImportService } from '../../src/lib/server/services/fhir-import.service';
import { startTestFhirServer, type TestAuth } from '../support/fhir-server';
import { fhirTestKit } from './fhir-test-kit';

/**
 * Authentication to the FHIR server: a static bearer token, and SMART Backend Services, against a token
 * endpoint that verifies the signed client assertion with the registered public key as a real one would.
 */

const population = generateDemoPopulation({ seed: 5, patientsPerSite: 3, today: '2025-06-01' });
const kit = await fhirTestKit();
// Each test runs its own server (a different base URL), and a patient stays linked to the server it came
// from: so each test imports a person of its own.
let next = 0;
const nextTarget = () => ({ siteId: kit.site.id, nhsNumber: population.patients[next++]!.nhsNumber });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const SCOPE = 'system/Patient.rs system/Observation.rs system/Condition.rs system/Organization.rs';

async function withServer(auth: TestAuth) {
  const server = await startTestFhirServer({ resources: population.resources, auth });
  const service = (clientAuth: FhirAuth) =>
    new FhirImportService(kit.db, createFhirClient({ baseUrl: server.baseUrl, timeoutMs: 5000, auth: clientAuth }), kit.patients);
  return { server, service };
}

const fhirRequests = (server: Awaited<ReturnType<typeof startTestFhirServer>>) =>
  server.requests.filter((r) => !r.path.startsWith('.well-known') && r.path !== '/auth/token');

describe('SMART Backend Services', () => {
  it.each([
    ['RS384 with a PEM key', 'RS384', rsa.publicKey, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['ES384 with a JWK', 'ES384', ec.publicKey, ec.privateKey.export({ format: 'jwk' })],
  ] as const)('%s: signs an assertion the token endpoint accepts, and sends the token it gets', async (_, alg, publicKey, privateKey) => {
    const { server, service } = await withServer({ kind: 'smart', clientId: 'pump-pathway', publicKey, alg, keyId: 'key-1' });
    try {
      const importer = service({ kind: 'smart-backend', clientId: 'pump-pathway', privateKey, keyId: 'key-1', scope: SCOPE, alg });
      const target = nextTarget();
      await importer.importPatient(kit.nurse, target);
      await importer.importPatient(kit.nurse, target);

      // One token for both imports: it is cached until shortly before it expires.
      expect(server.tokenRequests).toHaveLength(1);
      const [token] = server.tokenRequests;
      expect(token).toMatchObject({ ok: true, scope: SCOPE, header: { alg, kid: 'key-1', typ: 'JWT' } });
      expect(token!.payload).toMatchObject({ iss: 'pump-pathway', sub: 'pump-pathway', aud: server.tokenUrl });
      const [issued] = [...server.issuedTokens];
      const requests = fhirRequests(server);
      expect(requests.length).toBeGreaterThan(4);
      for (const r of requests) expect(r.authorization).toBe(`Bearer ${issued}`);
    } finally {
      await server.close();
    }
  });

  it('fetches a new token when the server stops accepting the cached one', async () => {
    const { server, service } = await withServer({ kind: 'smart', clientId: 'c', publicKey: rsa.publicKey, alg: 'RS384' });
    try {
      const importer = service({ kind: 'smart-backend', clientId: 'c', privateKey: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, scope: SCOPE, alg: 'RS384' });
      const target = nextTarget();
      await importer.importPatient(kit.nurse, target);
      server.issuedTokens.clear(); // revoked
      await importer.importPatient(kit.nurse, target);
      expect(server.tokenRequests.map((t) => t.ok)).toEqual([true, true]);
    } finally {
      await server.close();
    }
  });

  it('fails with upstream_failed, writing nothing, when the token endpoint refuses the assertion', async () => {
    const { server, service } = await withServer({ kind: 'smart', clientId: 'c', publicKey: rsa.publicKey, alg: 'RS384' });
    const impostor = generateKeyPairSync('rsa', { modulusLength: 2048 });
    try {
      const before = await kit.rowCounts();
      const e = await service({ kind: 'smart-backend', clientId: 'c', privateKey: impostor.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, scope: SCOPE, alg: 'RS384' })
        .importPatient(kit.nurse, nextTarget())
        .catch((err: unknown) => err);
      expect(isDomainError(e) && e.kind).toBe('upstream_failed');
      expect(server.tokenRequests).toEqual([expect.objectContaining({ ok: false, reason: 'signature' })]);
      expect(await kit.rowCounts()).toEqual(before);
    } finally {
      await server.close();
    }
  });
});

describe('static bearer token', () => {
  it('sends the configured token with every request', async () => {
    const { server, service } = await withServer({ kind: 'bearer', token: 's3cret-token' });
    try {
      await service({ kind: 'bearer', token: 's3cret-token' }).importPatient(kit.nurse, nextTarget());
      const requests = fhirRequests(server);
      expect(requests.length).toBeGreaterThan(0);
      for (const r of requests) expect(r.authorization).toBe('Bearer s3cret-token');
    } finally {
      await server.close();
    }
  });

  it('fails with upstream_failed without a token, or with the wrong one', async () => {
    const { server, service } = await withServer({ kind: 'bearer', token: 's3cret-token' });
    try {
      for (const auth of [{ kind: 'none' }, { kind: 'bearer', token: 'wrong' }] as const) {
        const e = await service(auth).importPatient(kit.nurse, nextTarget()).catch((err: unknown) => err);
        expect(isDomainError(e) && e.detail).toMatch(/HTTP 401/);
      }
    } finally {
      await server.close();
    }
  });
});
