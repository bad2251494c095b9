import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/lib/domain/access';
import { createTestApp } from '../support/app';

const t = await createTestApp();
const site = await t.site('ACC01');
const cookies = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, (await t.as(r, [site.id])).cookie]))) as Record<Role, string>;

type Who = Role | 'anonymous';
interface Case {
  name: string;
  request: () => Promise<{ method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object }>;
  expect: Record<Who, number>;
}

let seq = 0;
const currentVersion = async () => (await t.services.sites.listAsSystem()).find((s) => s.id === site.id)!.version;
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
];

describe.each(CASES)('$name', (c) => {
  it.each(['anonymous', ...ROLES] as Who[])('answers %s as the access rules say', async (who) => {
    const { method, url, payload } = await c.request();
    const res = await t.app.inject({ method, url, payload, headers: who === 'anonymous' ? {} : { cookie: cookies[who] } });
    expect(res.statusCode, res.body).toBe(c.expect[who]);
    if (res.statusCode >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
