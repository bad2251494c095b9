import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { patients } from '../../src/lib/server/db/schema';
import { fhirTestKit } from './fhir-test-kit';

/** What the equity figures need from the hospital's record: the UK Core ethnic category and the home postcode. */

const UK_CORE_ETHNICITY = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory';
const person = (extra: Record<string, unknown>) => ({
  resourceType: 'Patient',
  id: 'uk-core-1',
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }],
  name: [{ family: 'Okafor', given: ['Chidi'] }],
  gender: 'male',
  birthDate: '1990-04-02',
  ...extra,
});
const withDemographics = person({
  extension: [{ url: UK_CORE_ETHNICITY, valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategory', code: 'N' }] } }],
  address: [{ use: 'home', line: ['1 Park Row'], city: 'Leeds', postalCode: 'ls1 5ab' }],
});

describe('importing a patient with UK Core demographics', async () => {
  const kit = await fhirTestKit({ resources: [withDemographics] });
  const stored = async (id: string) => (await kit.db.select().from(patients).where(eq(patients.id, id)))[0]!;

  it('keeps the ethnic category letter and the home postcode', async () => {
    const { patientId } = await kit.service.importPatient(kit.nurse, { siteId: kit.site.id, fhirId: 'uk-core-1' });
    expect(await stored(patientId)).toMatchObject({ ethnicCategory: 'N', postcode: 'LS1 5AB' });
  });

  it('does not erase them when a refreshed record no longer carries them', async () => {
    await kit.server.store.put(person({}) as never);
    const { patientId, created } = await kit.service.importPatient(kit.nurse, { siteId: kit.site.id, fhirId: 'uk-core-1' });
    expect(created).toBe(false);
    expect(await stored(patientId)).toMatchObject({ ethnicCategory: 'N', postcode: 'LS1 5AB' });
  });

  it('takes a new home postcode when the person moves', async () => {
    await kit.server.store.put(person({ address: [{ use: 'home', postalCode: 'M1 1AE' }] }) as never);
    const { patientId } = await kit.service.importPatient(kit.nurse, { siteId: kit.site.id, fhirId: 'uk-core-1' });
    expect(await stored(patientId)).toMatchObject({ ethnicCategory: 'N', postcode: 'M1 1AE' });
  });
});
