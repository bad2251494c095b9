import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { formatNhsNumber } from '../../src/lib/domain/nhs-number';
import { observations, sites } from '../../src/lib/server/db/schema';
import { generateDemoPopulation } from '../../src/lib/server/demo/fhir-demo.population';
import { ctxFor, failure, fhirTestKit, outsiders } from './fhir-test-kit';

/**
 * The look-up before an import: what the FHIR server holds, mapped exactly as the import maps it, and
 * whether the patient is already registered, with nothing written (not even an audit entry).
 */

const population = generateDemoPopulation({ seed: 11, patientsPerSite: 20, today: '2025-06-01', yearsOfHistory: 3 });
const kit = await fhirTestKit({ resources: population.resources });
const [otherSite] = await kit.db.insert(sites).values({ odsCode: 'OTH01', name: 'Other site', icb: 'Test ICB' }).returning();

const showcase = population.patients.find((p) => p.odsCode === 'RDM01')!;
const showcaseResource = population.resources.find((r) => r.id === showcase.id)! as unknown as {
  name: { family: string; given: string[] }[];
  birthDate: string;
  gender: string;
};


/** Runs `work` and checks it changed no row in any table an import writes, and opened no transaction. */
async function writesNothing<T>(work: () => Promise<T>): Promise<T> {
  const before = await kit.rowCounts();
  const transaction = vi.spyOn(kit.db, 'transaction');
  try {
    const result = await work();
    expect(transaction).not.toHaveBeenCalled();
    return result;
  } finally {
    transaction.mockRestore();
    expect(await kit.rowCounts()).toEqual(before);
  }
}

describe('looking a patient up before importing', () => {
  const target = { siteId: kit.site.id, nhsNumber: formatNhsNumber(showcase.nhsNumber) };

  it('shows the record as the import would map it, and writes nothing', async () => {
    const preview = await writesNothing(() => kit.service.preview(kit.nurse, target));
    const name = showcaseResource.name[0]!;
    expect(preview).toMatchObject({
      serverUrl: kit.server.baseUrl,
      patient: { fhirId: showcase.id, nhsNumber: showcase.nhsNumber, familyName: name.family, givenName: name.given.join(' '), birthDate: showcaseResource.birthDate, sex: showcaseResource.gender },
      diabetesType: 'type1',
      hba1c: { count: showcase.hba1c.percent + showcase.hba1c.mmolMol },
      local: { state: 'new' },
    });
    expect(preview.hypoglycaemia).toHaveLength(showcase.hypoglycaemia.conditions + showcase.hypoglycaemia.observations);
    const hypoDates = preview.hypoglycaemia.map((h) => h.effective);
    expect(hypoDates).toEqual([...hypoDates].sort().reverse());
  });

  it('promises what the import then stores: the same count and the same latest HbA1c', async () => {
    const preview = await kit.service.preview(kit.nurse, target);
    const { patientId } = await kit.service.importPatient(kit.nurse, target);
    const stored = await kit.db
      .select()
      .from(observations)
      .where(and(eq(observations.patientId, patientId), eq(observations.source, 'fhir')))
      .orderBy(desc(observations.effectiveAt));
    expect(stored).toHaveLength(preview.hba1c.count);
    expect(preview.hba1c.latest).toEqual({
      effective: stored[0]!.effective,
      value: Number(stored[0]!.originalValue),
      unit: stored[0]!.originalUnit,
      mmolMol: stored[0]!.mmolMol,
    });
  });

  it('says when the patient is already registered at the site, so the action is a refresh', async () => {
    const registered = await kit.service.importPatient(kit.nurse, target);
    const preview = await writesNothing(() => kit.service.preview(kit.nurse, { siteId: kit.site.id, fhirId: showcase.id }));
    expect(preview.local).toEqual({ state: 'registered', patientId: registered.patientId });
  });

  it('says why an import would be refused: the patient is registered at another site', async () => {
    const preview = await writesNothing(() => kit.service.preview(ctxFor('nurse', [otherSite!.id]), { siteId: otherSite!.id, nhsNumber: showcase.nhsNumber }));
    expect(preview.local).toEqual({ state: 'refused', reason: 'This patient is already registered at another site' });
  });

  it('shows a patient with no HbA1c results and no known diabetes type as such', async () => {
    const none = population.patients.find((p) => p.profile === 'none')!;
    const preview = await writesNothing(() => kit.service.preview(kit.nurse, { siteId: kit.site.id, nhsNumber: none.nhsNumber }));
    expect(preview).toMatchObject({ diabetesType: 'unknown', hba1c: { count: 0, latest: null }, hypoglycaemia: [] });
  });
});

describe('the look-up refuses as the import does, and writes nothing', () => {
  const someone = population.patients.find((p) => p.profile === 'type1' && p.odsCode === 'RDM02')!;

  it.each(outsiders(() => otherSite!.id))('refuses %s', async (_, ctx, kind) => {
    const asked = kit.server.requests.length;
    const e = await writesNothing(() => failure(kit.service.preview(ctx(), { siteId: kit.site.id, nhsNumber: someone.nhsNumber })));
    expect(e.kind).toBe(kind);
    expect(kit.server.requests.length).toBe(asked);
  });

  it('checks its input before asking the FHIR server anything', async () => {
    const asked = kit.server.requests.length;
    const e = await writesNothing(() => failure(kit.service.preview(kit.nurse, { siteId: kit.site.id, nhsNumber: '9434765918' })));
    expect(e.errors).toEqual([{ path: 'nhsNumber', message: expect.any(String) }]);
    expect(kit.server.requests.length).toBe(asked);
  });

  it('answers not found for a patient the FHIR server does not have', async () => {
    const e = await writesNothing(() => failure(kit.service.preview(kit.nurse, { siteId: kit.site.id, nhsNumber: '9434765919' })));
    expect(e).toMatchObject({ kind: 'not_found', detail: 'The FHIR server has no patient with NHS number 943 476 5919' });
  });

  it('answers upstream_failed when the FHIR server fails', async () => {
    kit.server.fault({ path: 'Condition', fault: { kind: 'status', status: 500 }, times: 1 });
    expect((await writesNothing(() => failure(kit.service.preview(kit.nurse, { siteId: kit.site.id, nhsNumber: someone.nhsNumber })))).kind).toBe('upstream_failed');
  });
});
