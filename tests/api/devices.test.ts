import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { ASSESS_ELIGIBLE, pathwayClient } from '../support/pathway';

const t = await createTestApp();
const site = await t.site('DEV01');
const admin = pathwayClient(t, (await t.as('admin')).cookie);
const nurse = pathwayClient(t, (await t.as('nurse', [site.id])).cookie);
const consultant = pathwayClient(t, (await t.as('consultant', [site.id])).cookie);

async function awaitingStart() {
  const r = await nurse.refer((await nurse.createPatient(site.id)).id);
  await consultant.event(r.id, { ...ASSESS_ELIGIBLE, version: 1 });
  await nurse.event(r.id, { type: 'funding_requested', version: 2, submittedOn: '2026-02-02', commissioner: 'ICB', route: 'routine' });
  await nurse.event(r.id, { type: 'funding_decision', version: 3, decidedOn: '2026-02-03', outcome: 'approved' });
  return r.id;
}

describe('the device catalogue', () => {
  it('starts with the pumps, CGMs and algorithms in UK use', async () => {
    const res = await nurse.call('GET', '/api/v1/devices?kind=algorithm');
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: { name: string }) => d.name)).toEqual(['CamAPS FX', 'Control-IQ', 'SmartAdjust', 'SmartGuard']);
  });

  it('lets an admin add a device, which a nurse can then start; a duplicate gets 409', async () => {
    const added = await admin.call('POST', '/api/v1/devices', { kind: 'pump', name: 'Roche Accu-Chek Insight', manufacturer: 'Roche' });
    expect(added.status).toBe(201);
    expect((await admin.call('POST', '/api/v1/devices', { kind: 'pump', name: 'Roche Accu-Chek Insight' })).status).toBe(409);
    const id = await awaitingStart();
    const started = await nurse.event(id, { type: 'device_started', version: 4, startedOn: '2026-02-10', pump: 'Roche Accu-Chek Insight' });
    expect(started.status).toBe(201);
  });

  it('refuses a device start naming a device not in the catalogue, or of the wrong kind', async () => {
    const id = await awaitingStart();
    const res = await nurse.event(id, { type: 'device_started', version: 4, startedOn: '2026-02-10', pump: 'Dexcom G7', cgm: 'Made-up Sensor', algorithm: 'Control-IQ' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'pump', message: 'Dexcom G7 is not a pump in the device catalogue' },
      { path: 'cgm', message: 'Made-up Sensor is not a CGM in the device catalogue' },
    ]);
  });

  it('stops offering a retired device, and refuses new starts with it', async () => {
    const added = (await admin.call('POST', '/api/v1/devices', { kind: 'cgm', name: 'Old Sensor 1' })).body;
    const retired = await admin.call('PATCH', `/api/v1/devices/${added.id}`, { version: 1, active: false });
    expect(retired.body).toMatchObject({ active: false, version: 2 });
    expect((await nurse.call('GET', '/api/v1/devices?kind=cgm')).body.items.map((d: { name: string }) => d.name)).not.toContain('Old Sensor 1');
    expect((await nurse.call('GET', '/api/v1/devices?kind=cgm&includeRetired=true')).body.items.map((d: { name: string }) => d.name)).toContain('Old Sensor 1');
    const id = await awaitingStart();
    expect((await nurse.event(id, { type: 'device_started', version: 4, startedOn: '2026-02-10', pump: 'Dana-i', cgm: 'Old Sensor 1' })).status).toBe(400);
  });

  it('lets only admins change the catalogue', async () => {
    expect((await nurse.call('POST', '/api/v1/devices', { kind: 'pump', name: 'Nurse Pump' })).status).toBe(403);
  });
});
