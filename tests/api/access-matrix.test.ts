import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/lib/domain/access';
import { createTestApp } from '../support/app';
import { ASSESS_ELIGIBLE, nextNhsNumber, pathwayClient } from '../support/pathway';
import { systemCtx } from '../../src/lib/server/context';

const t = await createTestApp();
const site = await t.site('ACC01');
const cookies = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, (await t.as(r, [site.id])).cookie]))) as Record<Role, string>;

// One patient and referral at the site, made by a nurse of the site, for the patient-level endpoints.
const clinic = pathwayClient(t, cookies.nurse);
const patient = await clinic.createPatient(site.id);
const referralFor = async () => (await clinic.refer((await clinic.createPatient(site.id)).id)).id;

type Who = Role | 'anonymous';
interface Case {
  name: string;
  request: () => Promise<{ method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object }>;
  expect: Record<Who, number>;
}

let seq = 0;
const currentVersion = async () => (await t.services.sites.all(systemCtx('tests'))).find((s) => s.id === site.id)!.version;
/** What each role gets from each endpoint, with a valid request. */
const CASES: Case[] = [
  {
    name: 'GET /api/v1/me',
    request: async () => ({ method: 'GET', url: '/api/v1/me' }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 200, admin: 200 },
  },
  {
    name: 'GET /api/v1/sites',
    request: async () => ({ method: 'GET', url: '/api/v1/sites' }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 200, admin: 200 },
  },
  {
    name: 'GET /api/v1/sites/{id}',
    request: async () => ({ method: 'GET', url: `/api/v1/sites/${site.id}` }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 200, admin: 200 },
  },
  {
    name: 'POST /api/v1/sites',
    request: async () => ({ method: 'POST', url: '/api/v1/sites', payload: { odsCode: `M${++seq}X`, name: 'Matrix', icb: 'ICB' } }),
    expect: { anonymous: 401, nurse: 403, consultant: 403, commissioner: 403, admin: 201 },
  },
  {
    name: 'PATCH /api/v1/sites/{id}',
    // The current version, so that only the role decides the answer.
    request: async () => ({ method: 'PATCH', url: `/api/v1/sites/${site.id}`, payload: { version: await currentVersion(), name: `Renamed ${++seq}` } }),
    expect: { anonymous: 401, nurse: 403, consultant: 403, commissioner: 403, admin: 200 },
  },
  {
    name: 'POST /api/v1/users',
    request: async () => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: `m${++seq}@test.nhs.uk`, name: 'M', role: 'nurse', siteIds: [site.id], password: 'long-enough-password' },
    }),
    expect: { anonymous: 401, nurse: 403, consultant: 403, commissioner: 403, admin: 201 },
  },
  {
    name: 'GET /api/v1/users',
    request: async () => ({ method: 'GET', url: '/api/v1/users' }),
    expect: { anonymous: 401, nurse: 403, consultant: 403, commissioner: 403, admin: 200 },
  },
  {
    name: 'POST /api/v1/patients',
    request: async () => ({
      method: 'POST',
      url: '/api/v1/patients',
      payload: { nhsNumber: nextNhsNumber(500_000 + ++seq), givenName: 'A', familyName: 'B', birthDate: '1990-01-01', sex: 'female', siteId: site.id, diabetesType: 'type1' },
    }),
    expect: { anonymous: 401, nurse: 201, consultant: 201, commissioner: 403, admin: 403 },
  },
  {
    name: 'GET /api/v1/patients',
    request: async () => ({ method: 'GET', url: '/api/v1/patients' }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 403, admin: 200 },
  },
  {
    name: 'GET /api/v1/patients/{id}',
    request: async () => ({ method: 'GET', url: `/api/v1/patients/${patient.id}` }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 403, admin: 200 },
  },
  {
    name: 'PATCH /api/v1/patients/{id}',
    request: async () => {
      const { version } = await t.services.patients.get(systemCtx('tests'), patient.id);
      return { method: 'PATCH', url: `/api/v1/patients/${patient.id}`, payload: { version, imdDecile: 1 + (++seq % 10) } };
    },
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 403, admin: 403 },
  },
  {
    name: 'POST /api/v1/patients/{id}/observations',
    request: async () => ({ method: 'POST', url: `/api/v1/patients/${patient.id}/observations`, payload: { kind: 'hba1c', effective: '2026-01-01', value: 70, unit: 'mmol/mol' } }),
    expect: { anonymous: 401, nurse: 201, consultant: 201, commissioner: 403, admin: 403 },
  },
  {
    name: 'POST /api/v1/referrals',
    request: async () => ({ method: 'POST', url: '/api/v1/referrals', payload: { patientId: patient.id, therapy: 'csii', receivedOn: '2026-01-05', source: 'gp' } }),
    expect: { anonymous: 401, nurse: 201, consultant: 201, commissioner: 403, admin: 403 },
  },
  {
    name: 'GET /api/v1/referrals',
    request: async () => ({ method: 'GET', url: '/api/v1/referrals' }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 403, admin: 200 },
  },
  {
    name: 'GET /api/v1/referrals/{id}',
    request: async () => ({ method: 'GET', url: `/api/v1/referrals/${await referralFor()}` }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 403, admin: 200 },
  },
  {
    name: 'POST /api/v1/referrals/{id}/events (assessment)',
    request: async () => ({ method: 'POST', url: `/api/v1/referrals/${await referralFor()}/events`, payload: { ...ASSESS_ELIGIBLE, version: 1 } }),
    expect: { anonymous: 401, nurse: 403, consultant: 201, commissioner: 403, admin: 403 },
  },
  {
    name: 'POST /api/v1/referrals/{id}/events (withdrawn)',
    request: async () => ({ method: 'POST', url: `/api/v1/referrals/${await referralFor()}/events`, payload: { type: 'withdrawn', version: 1, on: '2026-01-06', reason: 'patient_declined' } }),
    expect: { anonymous: 401, nurse: 201, consultant: 201, commissioner: 403, admin: 403 },
  },
  {
    name: 'GET /api/v1/queues/eligibility',
    request: async () => ({ method: 'GET', url: '/api/v1/queues/eligibility' }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 403, admin: 200 },
  },
  {
    name: 'GET /api/v1/exports/national-hcl',
    request: async () => ({ method: 'GET', url: `/api/v1/exports/national-hcl?siteId=${site.id}&quarter=2025-Q4` }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 403, admin: 200 },
  },
  {
    name: 'GET /api/v1/exports/national-hcl.csv',
    request: async () => ({ method: 'GET', url: `/api/v1/exports/national-hcl.csv?siteId=${site.id}&quarter=2025-Q4` }),
    expect: { anonymous: 401, nurse: 200, consultant: 200, commissioner: 403, admin: 200 },
  },
  {
    name: 'GET /api/v1/audit',
    request: async () => ({ method: 'GET', url: `/api/v1/audit?entityId=${patient.id}` }),
    expect: { anonymous: 401, nurse: 403, consultant: 403, commissioner: 403, admin: 200 },
  },
];

describe.each(CASES)('$name', (c) => {
  it.each(['anonymous', ...ROLES] as Who[])('answers %s as the access rules say', async (who) => {
    const { method, url, payload } = await c.request();
    const res = await t.app.inject({ method, url, payload, headers: who === 'anonymous' ? {} : { cookie: cookies[who] } });
    expect(res.statusCode, res.body).toBe(c.expect[who]);
    if (res.statusCode >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
