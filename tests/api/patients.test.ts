import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, patients } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { nextNhsNumber, pathwayClient } from '../support/pathway';

const t = await createTestApp();
const home = await t.site('PAT01');
const away = await t.site('PAT02');
const nurse = await t.as('nurse', [home.id]);
const client = pathwayClient(t, nurse.cookie);
const { call } = client;

describe('registering a patient', () => {
  it('stores the NHS number without spaces and starts at version 1', async () => {
    const res = await call('POST', '/api/v1/patients', {
      nhsNumber: '943 476 5919',
      givenName: ' Grace ',
      familyName: 'Hopper',
      birthDate: '1986-12-09',
      sex: 'female',
      siteId: home.id,
      diabetesType: 'type1',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      nhsNumber: '9434765919',
      givenName: 'Grace',
      familyName: 'Hopper',
      birthDate: '1986-12-09',
      sex: 'female',
      siteId: home.id,
      diabetesType: 'type1',
      ethnicCategory: null,
      postcode: null,
      imdDecile: null,
      fhirId: null,
      version: 1,
    });
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, res.body.id));
    expect(audit).toMatchObject([{ action: 'patient.create', actorId: nurse.user.id }]);
  });

  it.each([
    ['9434765918', 'NHS number is not valid: check the digits'],
    ['943476591', 'NHS number must be 10 digits'],
    ['943-476-5919', 'NHS number must be 10 digits'],
    ['', 'NHS number must be 10 digits'],
  ])('refuses the NHS number %j: %s', async (nhsNumber, message) => {
    const res = await call('POST', '/api/v1/patients', { nhsNumber, givenName: 'A', familyName: 'B', birthDate: '1990-01-01', sex: 'male', siteId: home.id, diabetesType: 'type1' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'nhsNumber', message }]);
  });

  it('refuses a second patient with the same NHS number with 409', async () => {
    const nhsNumber = nextNhsNumber(4242);
    await client.createPatient(home.id, { nhsNumber });
    const again = await call('POST', '/api/v1/patients', { nhsNumber, givenName: 'A', familyName: 'B', birthDate: '1990-01-01', sex: 'male', siteId: home.id, diabetesType: 'type1' });
    expect(again.status).toBe(409);
  });

  it('names the patient already registered with the NHS number to a nurse who may see them, and no one to a nurse of another site', async () => {
    const nhsNumber = nextNhsNumber(4343);
    const first = await client.createPatient(home.id, { nhsNumber });
    const body = { nhsNumber, givenName: 'A', familyName: 'B', birthDate: '1990-01-01', sex: 'male', diabetesType: 'type1' };
    const again = await call('POST', '/api/v1/patients', { ...body, siteId: home.id });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ existingPatientId: first.id, detail: 'A patient with this NHS number is already registered' });
    const otherNurse = await t.as('nurse', [away.id]);
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/v1/patients', headers: { cookie: otherNurse.cookie }, payload: { ...body, siteId: away.id } });
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json().detail).toBe('A patient with this NHS number is already registered at another site');
    expect(elsewhere.json()).not.toHaveProperty('existingPatientId');
    expect(elsewhere.body).not.toContain(first.id);
  });

  it('refuses a birth date in the future or an impossible one', async () => {
    const base = { nhsNumber: nextNhsNumber(777), givenName: 'A', familyName: 'B', sex: 'male', siteId: home.id, diabetesType: 'type1' };
    expect((await call('POST', '/api/v1/patients', { ...base, birthDate: '2999-01-01' })).body.errors).toEqual([{ path: 'birthDate', message: 'Date of birth cannot be in the future' }]);
    expect((await call('POST', '/api/v1/patients', { ...base, birthDate: '2001-02-29' })).body.errors).toEqual([{ path: 'birthDate', message: 'Enter a real date' }]);
  });

  it('refuses to register a patient at a site the nurse does not work at (403), or one that does not exist (400)', async () => {
    const base = { nhsNumber: nextNhsNumber(888), givenName: 'A', familyName: 'B', birthDate: '1990-01-01', sex: 'male', diabetesType: 'type1' };
    expect((await call('POST', '/api/v1/patients', { ...base, siteId: away.id })).status).toBe(403);
    const ghost = await call('POST', '/api/v1/patients', { ...base, siteId: '00000000-0000-4000-8000-000000000000' });
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors[0].path).toBe('siteId');
  });
});

describe('finding and reading patients', () => {
  it('finds by the start of the NHS number, spaces ignored, or by part of the name', async () => {
    const p = await client.createPatient(home.id, { familyName: 'Franklin', givenName: 'Rosalind' });
    const byNumber = await call('GET', `/api/v1/patients?q=${encodeURIComponent(p.nhsNumber.slice(0, 3) + ' ' + p.nhsNumber.slice(3, 6))}`);
    expect(byNumber.body.items.map((x: { id: string }) => x.id)).toContain(p.id);
    const byName = await call('GET', '/api/v1/patients?q=frank');
    expect(byName.body.items.map((x: { id: string }) => x.id)).toEqual([p.id]);
    expect((await call('GET', '/api/v1/patients?q=%25')).body.items).toEqual([]);
  });

  it('finds by the full name in either order, with or without the comma, in any case, and by the whole NHS number written with spaces', async () => {
    const p = await client.createPatient(home.id, { familyName: 'Harrison-Wood', givenName: 'Leonie' });
    const ids = async (q: string) => (await call('GET', `/api/v1/patients?q=${encodeURIComponent(q)}`)).body.items.map((x: { id: string }) => x.id);
    for (const q of ['Leonie Harrison-Wood', 'Harrison-Wood, Leonie', 'HARRISON-WOOD, Leonie', 'harrison-wood leonie', '  Leonie   HARRISON-wood ', 'Harrison-Wood,Leonie', 'leon', 'harrison-wood, le']) {
      expect(await ids(q), q).toEqual([p.id]);
    }
    const n = p.nhsNumber;
    expect(await ids(`${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`)).toEqual([p.id]);
    expect(await ids(n)).toEqual([p.id]);
    expect(await ids('Leonie Wood')).toEqual([]);
    expect(await ids('Harrison_Wood')).toEqual([]);
  });

  it('shows a nurse only patients of her sites, and answers 404 for one elsewhere', async () => {
    const otherNurse = await t.as('nurse', [away.id]);
    const elsewhere = await pathwayClient(t, otherNurse.cookie).createPatient(away.id, { familyName: 'Elsewhere' });
    const list = await call('GET', '/api/v1/patients?limit=500');
    expect(list.body.items.every((p: { siteId: string }) => p.siteId === home.id)).toBe(true);
    expect((await call('GET', `/api/v1/patients/${elsewhere.id}`)).status).toBe(404);
    expect((await call('GET', `/api/v1/patients?siteId=${away.id}`)).status).toBe(404);
  });

  it('answers a commissioner 403 on every patient endpoint, before looking at what was sent', async () => {
    const commissioner = await t.as('commissioner');
    const p = await client.createPatient(home.id);
    for (const [method, url] of [
      ['GET', '/api/v1/patients'],
      ['GET', `/api/v1/patients/${p.id}`],
      ['POST', '/api/v1/patients'],
      ['POST', `/api/v1/patients/${p.id}/observations`],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: { cookie: commissioner.cookie }, payload: method === 'POST' ? {} : undefined });
      expect([res.statusCode, url]).toEqual([403, url]);
    }
  });
});

describe('entering HbA1c results by hand', () => {
  it('converts % to mmol/mol, keeps the original, and shows results newest first', async () => {
    const p = await client.createPatient(home.id);
    expect((await call('POST', `/api/v1/patients/${p.id}/observations`, { kind: 'hba1c', effective: '2025-06-01', value: 8.5, unit: '%' })).status).toBe(201);
    expect((await call('POST', `/api/v1/patients/${p.id}/observations`, { kind: 'hba1c', effective: '2026-01-10T09:30:00Z', value: 62, unit: 'mmol/mol' })).status).toBe(201);
    const res = await call('GET', `/api/v1/patients/${p.id}`);
    expect(res.body.context.hba1c).toMatchObject([
      { effective: '2026-01-10T09:30:00Z', mmolMol: 62, original: { value: '62', unit: 'mmol/mol' }, source: { kind: 'manual' } },
      { effective: '2025-06-01', mmolMol: 69, original: { value: '8.5', unit: '%' } },
    ]);
  });

  it.each([
    [{ kind: 'hba1c', effective: '2025-01-01', value: 2, unit: '%' }, 'value'],
    [{ kind: 'hba1c', effective: '2025-01-01', value: 250, unit: 'mmol/mol' }, 'value'],
    [{ kind: 'hba1c', effective: '2025-02-30', value: 60, unit: 'mmol/mol' }, 'effective'],
    [{ kind: 'hba1c', effective: '2999-01-01', value: 60, unit: 'mmol/mol' }, 'effective'],
    [{ kind: 'glucose', effective: '2025-01-01', value: 6, unit: 'mmol/mol' }, 'kind'],
    [{ kind: 'hba1c', effective: '2025-01-01', value: 60, unit: 'mg/dL' }, 'unit'],
  ])('refuses %j on %s', async (body, path) => {
    const p = await client.createPatient(home.id);
    const res = await call('POST', `/api/v1/patients/${p.id}/observations`, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await call('GET', `/api/v1/patients/${p.id}`)).body.context.hba1c).toEqual([]);
  });
});

describe('putting right what a patient record lacks', () => {
  /** As a FHIR import stores a record that carries no NHS number. */
  async function importedWithout(nhsNumber: string | null = null, siteId = home.id) {
    const [p] = await t.database.db
      .insert(patients)
      .values({ siteId, nhsNumber, fhirId: `no-number-${Math.random()}`, givenName: 'Noor', familyName: 'Nameless', birthDate: '1979-03-02', sex: 'female', diabetesType: 'type1' })
      .returning();
    return p!;
  }
  const patch = (id: string, body: Record<string, unknown>, as = call) => as('PATCH', `/api/v1/patients/${id}`, body);

  it('adds an NHS number to a patient imported without one, audited with before and after', async () => {
    const p = await importedWithout();
    const nhsNumber = nextNhsNumber(7001);
    const res = await patch(p.id, { version: 1, nhsNumber: `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: p.id, nhsNumber, version: 2 });
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, p.id));
    expect(audit).toMatchObject([{ action: 'patient.update', actorId: nurse.user.id, before: { nhsNumber: null, version: 1 }, after: { nhsNumber, version: 2 } }]);
  });

  it('puts right a stored number that is not a valid NHS number', async () => {
    const p = await importedWithout('=HYPERLINK("x")');
    const nhsNumber = nextNhsNumber(7101);
    expect((await patch(p.id, { version: 1, nhsNumber })).body).toMatchObject({ nhsNumber });
  });

  it('never changes a valid NHS number once recorded, but accepts the same one again', async () => {
    const p = await client.createPatient(home.id);
    const other = await patch(p.id, { version: 1, nhsNumber: nextNhsNumber(7201) });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([{ path: 'nhsNumber', message: 'This patient already has an NHS number, which cannot be changed' }]);
    expect((await call('GET', `/api/v1/patients/${p.id}`)).body).toMatchObject({ nhsNumber: p.nhsNumber, version: 1 });
    expect((await patch(p.id, { version: 1, nhsNumber: p.nhsNumber })).status).toBe(200);
  });

  it('refuses with 409 a number registered to another patient, and writes nothing', async () => {
    const holder = await client.createPatient(home.id);
    const p = await importedWithout();
    const res = await patch(p.id, { version: 1, nhsNumber: holder.nhsNumber });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Another patient is registered with this NHS number');
    expect((await call('GET', `/api/v1/patients/${p.id}`)).body).toMatchObject({ nhsNumber: null, version: 1 });
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, p.id))).toEqual([]);
  });

  it('refuses a stale version with 409 and the current version', async () => {
    const p = await client.createPatient(home.id);
    expect((await patch(p.id, { version: 1, postcode: 'ls1 4ap' })).status).toBe(200);
    const stale = await patch(p.id, { version: 1, postcode: 'M1 1AE' });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(2);
    expect((await call('GET', `/api/v1/patients/${p.id}`)).body.postcode).toBe('LS1 4AP');
  });

  it('records and clears ethnic category, postcode and IMD decile; what is left out keeps its value', async () => {
    const p = await client.createPatient(home.id, { ethnicCategory: 'H', postcode: 'b338th', imdDecile: 2 });
    expect((await call('GET', `/api/v1/patients/${p.id}`)).body).toMatchObject({ ethnicCategory: 'H', postcode: 'B33 8TH', imdDecile: 2 });
    const res = await patch(p.id, { version: 1, ethnicCategory: null, imdDecile: 3 });
    expect(res.body).toMatchObject({ ethnicCategory: null, postcode: 'B33 8TH', imdDecile: 3, version: 2 });
  });

  it('reports every wrong field at once and changes nothing', async () => {
    const p = await client.createPatient(home.id);
    const res = await patch(p.id, { version: 1, ethnicCategory: 'I', postcode: '12345', imdDecile: 11, nhsNumber: '123' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['ethnicCategory', 'imdDecile', 'nhsNumber', 'postcode']);
    expect((await call('GET', `/api/v1/patients/${p.id}`)).body.version).toBe(1);
  });

  it('refuses a change with nothing in it, and fields it does not change here', async () => {
    const p = await client.createPatient(home.id);
    expect((await patch(p.id, { version: 1 })).body.errors).toEqual([{ path: 'form', message: 'Send at least one field to change' }]);
    expect((await patch(p.id, { version: 1, familyName: 'Other' })).status).toBe(400);
  });

  it('is only for clinicians of the patient\'s site', async () => {
    const p = await importedWithout(null, away.id);
    expect((await patch(p.id, { version: 1, postcode: 'LS1 4AP' })).status).toBe(404);
    const commissioner = await t.as('commissioner', []);
    expect((await patch(p.id, { version: 1, postcode: 'LS1 4AP' }, pathwayClient(t, commissioner.cookie).call)).status).toBe(403);
  });
});
