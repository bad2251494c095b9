import { describe, expect, it } from 'vitest';
import { FhirStore, narrowExpression } from './fhir.store';

describe('narrowExpression', () => {
  it('keeps the branches of a shared expression that belong to the type', () => {
    const patient = 'AllergyIntolerance.patient | Condition.subject.where(resolve() is Patient) | Observation.subject.where(resolve() is Patient)';
    expect(narrowExpression(patient, 'Condition')).toBe('Condition.subject.where(resolve() is Patient)');
    expect(narrowExpression('(DeviceRequest.code as CodeableConcept) | Observation.code', 'DeviceRequest')).toBe('(DeviceRequest.code as CodeableConcept)');
    expect(narrowExpression('Resource.id', 'Patient')).toBe('Resource.id');
    expect(narrowExpression('(Observation.value as Quantity) | (Observation.value as SampledData)', 'Observation')).toBe(
      '(Observation.value as Quantity) | (Observation.value as SampledData)',
    );
  });
});

describe('FhirStore', () => {
  it('loads a transaction bundle keeping ids and resolving urn:uuid references', async () => {
    const store = new FhirStore();
    await store.load([
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:1b0e7d43-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', id: 'pat-1' }, request: { method: 'POST', url: 'Patient' } },
          {
            fullUrl: 'urn:uuid:1b0e7d43-0000-4000-8000-000000000002',
            resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:1b0e7d43-0000-4000-8000-000000000001' } },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      },
    ]);
    const observation = await store.repository.readResource('Observation', '1b0e7d43-0000-4000-8000-000000000002');
    expect(observation).toMatchObject({ subject: { reference: 'Patient/pat-1' } });
    const found = await store.repository.searchResources({ resourceType: 'Observation', filters: [{ code: 'patient', operator: 'eq' as never, value: 'Patient/pat-1' }] });
    expect(found.map((r) => r.id)).toEqual(['1b0e7d43-0000-4000-8000-000000000002']);
  });

  it('sees updates and deletes in later searches', async () => {
    const store = new FhirStore();
    await store.load([{ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p' }, code: { text: 'a' } }]);
    const search = () => store.repository.searchResources({ resourceType: 'Condition', filters: [{ code: 'patient', operator: 'eq' as never, value: 'Patient/p' }] });
    expect(await search()).toHaveLength(1);
    await store.put({ resourceType: 'Condition', id: 'c2', subject: { reference: 'Patient/p' }, code: { text: 'b' } });
    expect(await search()).toHaveLength(2);
    await store.put({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/q' }, code: { text: 'a' } });
    expect((await search()).map((r) => r.id)).toEqual(['c2']);
    await store.remove('Condition', 'c2');
    expect(await search()).toEqual([]);
  });
});
