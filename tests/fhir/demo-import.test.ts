import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { formatNhsNumber } from '../../src/lib/domain/nhs-number';
import { percentToMmolMol } from '../../src/lib/domain/hba1c';
import { auditLog, hypoglycaemiaEvents, observations, patientConditions, patients, sites } from '../../src/lib/server/db/schema';
import { generateDemoPopulation } from '../../src/lib/server/demo/fhir-demo.population';
import { DEMO_FHIR_SERVER_ID, startDemoFhirServer } from '../../src/lib/server/demo/fhir-demo.server';
import { createFhirClient } from '../../src/lib/server/fhir/fhir.client';
import { FhirImportService } from '../../src/lib/server/services/fhir-import.service';
import { ctxFor, failure, fhirTestKit, outsiders } from './fhir-test-kit';

const population = generateDemoPopulation({ seed: 7, patientsPerSite: 30, today: '2025-06-01', yearsOfHistory: 3 });
const kit = await fhirTestKit({ resources: population.resources });
const [otherSite] = await kit.db.insert(sites).values({ odsCode: 'OTH01', name: 'Other site', icb: 'Test ICB' }).returning();

const showcase = population.patients.find((p) => p.odsCode === 'RDM01')!;
const expectedHba1c = showcase.hba1c.percent + showcase.hba1c.mmolMol;
const hypoCount = showcase.hypoglycaemia.conditions + showcase.hypoglycaemia.observations;

const resultsOf = (patientId: string) =>
  kit.db.select().from(observations).where(and(eq(observations.patientId, patientId), eq(observations.source, 'fhir'))).orderBy(observations.effectiveAt);
const hyposOf = (patientId: string) => kit.db.select().from(hypoglycaemiaEvents).where(eq(hypoglycaemiaEvents.patientId, patientId));
const conditionsOf = (patientId: string) => kit.db.select().from(patientConditions).where(eq(patientConditions.patientId, patientId));


describe('importing a demo-population patient by NHS number', () => {
  let patientId = '';

  it('registers the patient as type 1 with HbA1c in both units and hypoglycaemia', async () => {
    expect(showcase.hba1c.percent).toBeGreaterThan(0);
    expect(showcase.hba1c.mmolMol).toBeGreaterThan(0);
    expect(hypoCount).toBeGreaterThan(0);

    const result = await kit.service.importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: formatNhsNumber(showcase.nhsNumber) });
    expect(result.created).toBe(true);
    patientId = result.patientId;

    const [row] = await kit.db.select().from(patients).where(eq(patients.id, patientId));
    expect(row).toMatchObject({ nhsNumber: showcase.nhsNumber, fhirId: showcase.id, diabetesType: 'type1', siteId: kit.site.id, version: 1 });

    const results = await resultsOf(patientId);
    expect(results).toHaveLength(expectedHba1c);
    const percent = results.filter((r) => r.originalUnit === '%');
    const mmol = results.filter((r) => r.originalUnit === 'mmol/mol');
    expect(percent).toHaveLength(showcase.hba1c.percent);
    expect(mmol).toHaveLength(showcase.hba1c.mmolMol);
    for (const r of percent) expect(r.mmolMol).toBe(percentToMmolMol(Number(r.originalValue)));
    for (const r of mmol) expect(r.mmolMol).toBe(Number(r.originalValue));

    const hypos = await hyposOf(patientId);
    expect(hypos).toHaveLength(hypoCount);
    expect(new Set(hypos.map((h) => h.sourceResourceType))).toEqual(new Set(['Condition', 'Observation']));
    const conditions = await conditionsOf(patientId);
    expect(conditions.filter((c) => c.kind === 'hypoglycaemia')).toHaveLength(showcase.hypoglycaemia.conditions);
    expect(conditions.some((c) => c.kind === 'diabetes_type1' && c.clinicalStatus === 'active')).toBe(true);
    for (const c of conditions) expect(c).toMatchObject({ sourceServer: kit.server.baseUrl, sourceResourceType: 'Condition', sourceVersion: '1' });
  });

  it('shows the context through PatientService.get', async () => {
    const { patient } = await kit.service.importPatientWithContext(kit.nurse, { siteId: kit.site.id, nhsNumber: showcase.nhsNumber });
    expect(patient.id).toBe(patientId);
    expect(patient.context.hba1c).toHaveLength(expectedHba1c);
    const times = patient.context.hba1c.map((h) => Date.parse(h.effective.length === 10 ? `${h.effective}T00:00:00Z` : h.effective));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('refreshes without duplicating: values updated in place, removed ones deleted, new ones added', async () => {
    const before = await resultsOf(patientId);
    const hyposBefore = await hyposOf(patientId);
    const [changed, removed] = before.filter((r) => r.originalUnit === 'mmol/mol');
    const removedHypo = hyposBefore.find((h) => h.sourceResourceType === 'Observation')!;

    const changedResource = population.resources.find((r) => r.id === changed!.sourceResourceId)!;
    await kit.server.store.put({ ...changedResource, valueQuantity: { value: 91, unit: 'mmol/mol', system: 'http://unitsofmeasure.org', code: 'mmol/mol' } });
    await kit.server.store.remove('Observation', removed!.sourceResourceId!);
    await kit.server.store.remove('Observation', removedHypo.sourceResourceId);
    await kit.server.store.put({
      resourceType: 'Observation',
      id: 'new-result',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '59261-8' }] },
      subject: { reference: `Patient/${showcase.id}` },
      effectiveDateTime: '2025-05-30T10:00:00Z',
      valueQuantity: { value: 72, unit: 'mmol/mol', system: 'http://unitsofmeasure.org', code: 'mmol/mol' },
    });

    const result = await kit.service.importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: showcase.nhsNumber });
    expect(result).toEqual({ created: false, patientId });

    const after = await resultsOf(patientId);
    expect(after).toHaveLength(before.length); // one removed, one added
    expect(after.find((r) => r.sourceResourceId === removed!.sourceResourceId)).toBeUndefined();
    const updated = after.find((r) => r.sourceResourceId === changed!.sourceResourceId)!;
    expect(updated).toMatchObject({ id: changed!.id, mmolMol: 91, originalValue: '91' });
    expect(updated.sourceVersion).not.toBe(changed!.sourceVersion);
    expect(after.find((r) => r.sourceResourceId === 'new-result')).toMatchObject({ mmolMol: 72, effective: '2025-05-30T10:00:00Z' });
    // Unchanged results keep their row ids.
    const kept = before.filter((r) => r.id !== removed!.id).map((r) => r.id);
    expect(after.filter((r) => kept.includes(r.id))).toHaveLength(kept.length);

    const hyposAfter = await hyposOf(patientId);
    expect(hyposAfter.map((h) => h.id).sort()).toEqual(hyposBefore.filter((h) => h.id !== removedHypo.id).map((h) => h.id).sort());

    const [row] = await kit.db.select().from(patients).where(eq(patients.id, patientId));
    expect(row!.version).toBe(3); // created, refreshed by the context import, refreshed again

    const audits = await kit.db.select().from(auditLog).where(and(eq(auditLog.entityId, patientId), eq(auditLog.action, 'patient.import'))).orderBy(auditLog.id);
    expect(audits).toHaveLength(3);
    expect(audits[2]).toMatchObject({
      before: { counts: { hba1c: before.length, hypoglycaemia: hyposBefore.length } },
      after: { counts: { hba1c: after.length, hypoglycaemia: hyposBefore.length - 1 } },
    });
  });

  it('records type 2, and a type 1 code entered in error as skipped', async () => {
    const mistaken = population.patients.find((p) => p.profile === 'type1-entered-in-error')!;
    const { patientId: id } = await kit.service.importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: mistaken.nhsNumber });
    const [row] = await kit.db.select().from(patients).where(eq(patients.id, id));
    expect(row!.diabetesType).toBe('type2');
    const [audit] = await kit.db.select().from(auditLog).where(eq(auditLog.entityId, id));
    expect((audit!.after as { skipped: { reason: string }[] }).skipped).toContainEqual(expect.objectContaining({ resourceType: 'Condition', reason: 'entered-in-error' }));
    expect((await resultsOf(id)).length).toBe(mistaken.hba1c.percent + mistaken.hba1c.mmolMol);
  });

  it('links a patient entered by hand at the site, keeping their manual results', async () => {
    const person = population.patients.find((p) => p.profile === 'type2' && p.odsCode === 'RDM02')!;
    const manual = await kit.patients.create(kit.nurse, {
      nhsNumber: person.nhsNumber,
      givenName: 'Typed',
      familyName: 'ByHand',
      birthDate: '1970-01-01',
      sex: 'unknown',
      siteId: kit.site.id,
      diabetesType: 'unknown',
    });
    await kit.patients.addObservation(kit.nurse, manual.id, { kind: 'hba1c', effective: '2025-01-01', value: 64, unit: 'mmol/mol' });
    const result = await kit.service.importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: person.nhsNumber });
    expect(result).toEqual({ created: false, patientId: manual.id });
    const [row] = await kit.db.select().from(patients).where(eq(patients.id, manual.id));
    expect(row).toMatchObject({ fhirId: person.id, diabetesType: 'type2', version: 2 });
    expect(row!.familyName).not.toBe('ByHand');
    const all = await kit.db.select().from(observations).where(eq(observations.patientId, manual.id));
    expect(all.filter((o) => o.source === 'manual')).toHaveLength(1);
  });
});

describe('refusals (and nothing written)', () => {
  const someone = population.patients.find((p) => p.profile === 'type1' && p.odsCode === 'RDM03')!;

  it.each(outsiders(() => otherSite!.id))('refuses %s', async (_, ctx, kind) => {
    const before = await kit.rowCounts();
    const e = await failure(kit.service.importPatient(ctx(), { siteId: kit.site.id, nhsNumber: someone.nhsNumber }));
    expect(e.kind).toBe(kind);
    expect(await kit.rowCounts()).toEqual(before);
  });

  it('checks its input before asking the FHIR server anything', async () => {
    const asked = kit.server.requests.length;
    expect((await failure(kit.service.importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: '9434765918' }))).errors).toEqual([
      { path: 'nhsNumber', message: expect.any(String) },
    ]);
    expect((await failure(kit.service.importPatient(kit.nurse, { siteId: kit.site.id, fhirId: '../Patient' }))).errors).toEqual([
      { path: 'fhirId', message: expect.any(String) },
    ]);
    expect((await failure(kit.service.importPatient(kit.nurse, { siteId: '00000000-0000-4000-8000-000000000000', nhsNumber: someone.nhsNumber }))).errors).toEqual([
      { path: 'siteId', message: 'No site with this id' },
    ]);
    expect(kit.server.requests.length).toBe(asked);
  });

  it('answers not found for an NHS number or id the FHIR server does not have', async () => {
    const before = await kit.rowCounts();
    const byNumber = await failure(kit.service.importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: '9434765919' }));
    expect(byNumber).toMatchObject({ kind: 'not_found', detail: 'The FHIR server has no patient with NHS number 943 476 5919' });
    const byId = await failure(kit.service.importPatient(kit.nurse, { siteId: kit.site.id, fhirId: 'no-such-patient' }));
    expect(byId.kind).toBe('not_found');
    expect(await kit.rowCounts()).toEqual(before);
  });

  it('refuses a patient already registered at another site', async () => {
    const otherNurse = ctxFor('nurse', [otherSite!.id]);
    await kit.service.importPatient(otherNurse, { siteId: otherSite!.id, nhsNumber: someone.nhsNumber });
    const before = await kit.rowCounts();
    const e = await failure(kit.service.importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: someone.nhsNumber }));
    expect(e).toMatchObject({ kind: 'conflict', detail: 'This patient is already registered at another site' });
    expect(await kit.rowCounts()).toEqual(before);
  });

  it('refuses an NHS number the FHIR server gives to two patients', async () => {
    const twin = population.resources.find((r) => r.id === someone.id)!;
    await kit.server.store.put({ ...twin, id: 'twin-record' });
    const before = await kit.rowCounts();
    const e = await failure(kit.service.importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: someone.nhsNumber }));
    expect(e.kind).toBe('upstream_failed');
    expect(e.detail).toMatch(/2 patients with this NHS number/);
    expect(await kit.rowCounts()).toEqual(before);
  });
});

describe('demo mode', () => {
  it('keeps imports linked across restarts of the demo server (a new port each time)', async () => {
    const options = { seed: 21, patientsPerSite: 4, today: '2025-06-01' };
    const person = generateDemoPopulation(options).patients.find((p) => p.profile === 'type1')!;
    const importWith = async () => {
      const server = await startDemoFhirServer(options);
      try {
        const client = createFhirClient({ baseUrl: server.baseUrl, serverId: server.serverId, timeoutMs: 5000 });
        return await new FhirImportService(kit.db, client, kit.patients).importPatient(kit.nurse, { siteId: kit.site.id, nhsNumber: person.nhsNumber });
      } finally {
        await server.close();
      }
    };
    const first = await importWith();
    const second = await importWith();
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, patientId: first.patientId });
    const [row] = await kit.db.select().from(patients).where(eq(patients.id, first.patientId));
    expect(row).toMatchObject({ fhirServer: DEMO_FHIR_SERVER_ID, diabetesType: 'type1' });
  });
});
