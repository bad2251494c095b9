import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { pathwayClient } from '../support/pathway';

const t = await createTestApp();
const site = await t.site('IMP01');
const other = await t.site('IMP02');
const admin = pathwayClient(t, (await t.as('admin')).cookie);
const nurse = pathwayClient(t, (await t.as('nurse', [site.id])).cookie);
const commissioner = pathwayClient(t, (await t.as('commissioner')).cookie);

describe('facilitation activities', () => {
  it('lets a nurse of the site log hands-on facilitation, which everyone can read', async () => {
    const res = await nurse.call('POST', `/api/v1/sites/${site.id}/facilitation`, {
      on: '2026-03-01',
      mode: 'active',
      kind: 'site_visit',
      facilitator: 'National pump implementation team',
      notes: 'Business case and clinic redesign',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ siteId: site.id, mode: 'active', kind: 'site_visit' });
    const list = await commissioner.call('GET', `/api/v1/sites/${site.id}/facilitation`);
    expect(list.body.items.map((f: { id: string }) => f.id)).toEqual([res.body.id]);
  });

  it('answers 404 to a nurse logging for a site that is not hers, and 403 to a commissioner', async () => {
    const body = { on: '2026-03-01', mode: 'passive', kind: 'web_resource' };
    expect((await nurse.call('POST', `/api/v1/sites/${other.id}/facilitation`, body)).status).toBe(404);
    expect((await commissioner.call('POST', `/api/v1/sites/${site.id}/facilitation`, body)).status).toBe(403);
    expect((await admin.call('POST', `/api/v1/sites/${other.id}/facilitation`, body)).status).toBe(201);
  });

  it.each([
    [{ on: '2999-01-01', mode: 'active', kind: 'workshop' }, 'on'],
    [{ on: '2026-01-01', mode: 'sometimes', kind: 'workshop' }, 'mode'],
    [{ on: '2026-01-01', mode: 'active', kind: 'telepathy' }, 'kind'],
  ])('refuses %j on %s', async (body, path) => {
    const res = await nurse.call('POST', `/api/v1/sites/${site.id}/facilitation`, body);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe(path);
  });
});

describe('barriers', () => {
  it('records a barrier, then resolves it with the version read', async () => {
    const raised = await nurse.call('POST', `/api/v1/sites/${site.id}/barriers`, { raisedOn: '2026-02-01', category: 'funding', description: 'ICB will not fund HCL for adults this year' });
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({ resolvedOn: null, version: 1 });
    const resolved = await nurse.call('PATCH', `/api/v1/barriers/${raised.body.id}`, { version: 1, resolvedOn: '2026-06-01' });
    expect(resolved.body).toMatchObject({ resolvedOn: '2026-06-01', version: 2 });
    const stale = await nurse.call('PATCH', `/api/v1/barriers/${raised.body.id}`, { version: 1, resolvedOn: null });
    expect(stale.status).toBe(409);
  });

  it('refuses a resolution before the barrier was raised', async () => {
    const raised = await nurse.call('POST', `/api/v1/sites/${site.id}/barriers`, { raisedOn: '2026-02-01', category: 'staffing', description: 'No pump-trained DSN' });
    const res = await nurse.call('PATCH', `/api/v1/barriers/${raised.body.id}`, { version: 1, resolvedOn: '2026-01-01' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'resolvedOn', message: 'A barrier cannot be resolved before it was raised' }]);
  });

  it('answers 404 for a barrier at a site outside the nurse\'s', async () => {
    const elsewhere = await admin.call('POST', `/api/v1/sites/${other.id}/barriers`, { raisedOn: '2026-02-01', category: 'it_data', description: 'No FHIR access' });
    expect((await nurse.call('PATCH', `/api/v1/barriers/${elsewhere.body.id}`, { version: 1, resolvedOn: '2026-03-01' })).status).toBe(404);
  });
});
