import fc from 'fast-check';
import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { pathwayClient } from '../support/pathway';

const t = await createTestApp();
const site = await t.site('HOS01');
const nurse = await t.as('nurse', [site.id]);
const consultant = await t.as('consultant', [site.id]);
const admin = await t.as('admin');
const client = pathwayClient(t, nurse.cookie);
const patient = await client.createPatient(site.id);
const referral = await client.refer(patient.id);

const INJECTIONS = ["'; drop table patients; --", '<script>alert(1)</script>', '{{7*7}}', '${7*7}', '../../etc/passwd', '\u0000', '\uD800', '🩸💉', 'NaN', '-1e309'];
const nasty = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom('2025-02-30', '2026-13-01', '0000-00-00', '2026-1-1', '99999-01-01'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('x'.repeat(100_000)),
);
/** A body of the right shape with wrong values, or no shape at all, or nested past any sense. */
const hostileBody = (fields: string[]) =>
  fc.oneof(
    fc.record(Object.fromEntries(fields.map((f) => [f, nasty])), { requiredKeys: [] }),
    fc.anything({ maxDepth: 4 }),
    fc.integer({ min: 50, max: 2000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
  );

const ENDPOINTS: { method: 'POST' | 'PATCH' | 'GET'; url: string; fields: string[]; cookie: string; auditsRefusal?: boolean }[] = [
  // A refused sign-in is audited by design (auth.login_failed), and writes nothing else.
  { method: 'POST', url: '/api/v1/auth/login', fields: ['email', 'password'], cookie: '', auditsRefusal: true },
  { method: 'POST', url: '/api/v1/users', fields: ['email', 'name', 'role', 'siteIds', 'password'], cookie: admin.cookie },
  { method: 'POST', url: '/api/v1/sites', fields: ['odsCode', 'name', 'icb'], cookie: admin.cookie },
  { method: 'PATCH', url: `/api/v1/sites/${site.id}`, fields: ['version', 'name', 'icb', 't1dPopulation', 't1dPopulationAsOf'], cookie: admin.cookie },
  { method: 'POST', url: '/api/v1/patients', fields: ['nhsNumber', 'givenName', 'familyName', 'birthDate', 'sex', 'siteId', 'diabetesType'], cookie: nurse.cookie },
  { method: 'POST', url: `/api/v1/patients/${patient.id}/observations`, fields: ['kind', 'effective', 'value', 'unit'], cookie: nurse.cookie },
  { method: 'POST', url: '/api/v1/referrals', fields: ['patientId', 'therapy', 'receivedOn', 'source', 'priorityGroup'], cookie: nurse.cookie },
  {
    method: 'POST',
    url: `/api/v1/referrals/${referral.id}/events`,
    fields: ['type', 'version', 'assessedOn', 'hba1cMmolMol', 'disablingHypoglycaemia', 'mdiTried', 'structuredEducation', 'decision', 'rationale'],
    cookie: consultant.cookie,
  },
  { method: 'POST', url: `/api/v1/sites/${site.id}/facilitation`, fields: ['on', 'mode', 'kind', 'facilitator', 'notes'], cookie: nurse.cookie },
  { method: 'POST', url: `/api/v1/sites/${site.id}/barriers`, fields: ['raisedOn', 'category', 'description', 'resolvedOn'], cookie: nurse.cookie },
  { method: 'POST', url: '/api/v1/devices', fields: ['kind', 'name', 'manufacturer'], cookie: admin.cookie },
];

const auditCount = async () => (await t.database.db.select({ n: count() }).from(auditLog))[0]!.n;

describe('hostile input', () => {
  it.each(ENDPOINTS)('$method $url never answers 5xx and writes nothing when it refuses', async ({ method, url, fields, cookie, auditsRefusal }) => {
    await fc.assert(
      fc.asyncProperty(hostileBody(fields), async (body) => {
        const before = await auditCount();
        const res = await t.app.inject({ method, url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) } });
        expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          const failedSignIn = auditsRefusal && res.statusCode === 401 ? 1 : 0;
          expect(await auditCount()).toBe(before + failedSignIn);
        }
      }),
      { numRuns: 40 },
    );
  });

  it.each(['/api/v1/patients', '/api/v1/referrals', '/api/v1/queues/eligibility', '/api/v1/audit', '/api/v1/sites'])('GET %s with hostile query strings never answers 5xx', async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('q', 'siteId', 'status', 'limit', 'cursor', 'from', 'to', 'entityId'), nasty.map(String)), async (query) => {
        const res = await t.app.inject({ method: 'GET', url: path, query, headers: { cookie: path === '/api/v1/audit' ? admin.cookie : nurse.cookie } });
        expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
  });

  it('stores a script tag as text and returns it as JSON text, never as markup', async () => {
    const p = await client.createPatient(site.id, { givenName: '<script>alert(1)</script>' });
    const res = await client.call('GET', `/api/v1/patients/${p.id}`);
    expect(res.body.givenName).toBe('<script>alert(1)</script>');
  });
});

describe('text that PostgreSQL cannot store', () => {
  it.each([['a NUL character', 'Ann\u0000e'], ['a lone surrogate', 'Ann\uD800e']])('refuses a name with %s as a field error, not a server error', async (_what, givenName) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: { cookie: nurse.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ nhsNumber: '9434765919', givenName, familyName: 'B', birthDate: '1990-01-01', sex: 'female', siteId: site.id, diabetesType: 'type1' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('givenName');
  });
});

describe('control characters where the database would choke', () => {
  it('answers a sign-in with a NUL in the email as bad input', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a\u0000@b.nhs.uk', password: 'x' } });
    expect(res.statusCode).toBe(400);
  });

  it('answers a patient search with a NUL as bad input', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/patients', query: { q: 'an\u0000n' }, headers: { cookie: nurse.cookie } });
    expect(res.statusCode).toBe(400);
  });
});
