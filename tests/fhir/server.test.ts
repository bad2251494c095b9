import { afterAll, describe, expect, it } from 'vitest';
import { generateDemoPopulation } from '../../src/lib/server/demo/fhir-demo.population';
import { startFhirServer } from '../../src/lib/server/demo/fhir.server';

/** The demo FHIR server over HTTP, as any FHIR client sees it. */

const population = generateDemoPopulation({ seed: 9, patientsPerSite: 10, today: '2025-06-01' });
const server = await startFhirServer({ resources: population.resources, defaultPageSize: 5, maxPageSize: 8 });
afterAll(() => server.close());

const get = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${server.baseUrl}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, any> };
};

describe('demo FHIR server', () => {
  it('describes itself at /metadata', async () => {
    const { status, type, body } = await get('/metadata');
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/fhir\+json/);
    expect(body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', software: { name: expect.any(String) } });
  });

  it('reads by id, and answers 404 with an OperationOutcome for an unknown one', async () => {
    const person = population.patients[0]!;
    expect((await get(`/Patient/${person.id}`)).body).toMatchObject({ resourceType: 'Patient', id: person.id });
    const missing = await get('/Patient/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
  });

  it('finds a patient by NHS number', async () => {
    const person = population.patients[3]!;
    const { body } = await get(`/Patient?identifier=${encodeURIComponent(`https://fhir.nhs.uk/Id/nhs-number|${person.nhsNumber}`)}`);
    expect(body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(body.entry.map((e: any) => e.resource.id)).toEqual([person.id]);
    expect(body.entry[0].fullUrl).toBe(`${server.baseUrl}/Patient/${person.id}`);
  });

  it('pages with _count (capped) and next links that lead through every match exactly once', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${server.baseUrl}/Patient?_count=50`;
    let total = 0;
    while (url) {
      const body = (await (await fetch(url)).json()) as any;
      total = body.total;
      expect(body.entry.length).toBeLessThanOrEqual(8);
      seen.push(...body.entry.map((e: any) => e.resource.id));
      url = body.link.find((l: any) => l.relation === 'next')?.url;
    }
    expect(total).toBe(40);
    expect(new Set(seen).size).toBe(40);
    expect((await get('/Organization')).body.entry).toHaveLength(4); // default page size 5
  });

  it('takes a patient as a bare id or as Patient/id', async () => {
    const person = population.patients.find((p) => p.hba1c.mmolMol > 0)!;
    const bare = await get(`/Observation?patient=${person.id}&_count=100`);
    const typed = await get(`/Observation?patient=Patient/${person.id}&_count=100`);
    expect(bare.body.total).toBeGreaterThan(0);
    expect(bare.body.total).toBe(typed.body.total);
  });

  it('answers _elements with the listed elements only (a choice element by its name), tagged SUBSETTED', async () => {
    const deceased = { resourceType: 'Patient', id: 'subset-me', active: true, deceasedBoolean: false, gender: 'female', name: [{ family: 'Kept' }] };
    await server.store.put(deceased);
    const { body } = await get('/Patient?_id=subset-me&_elements=active,deceased');
    expect(body.entry[0].resource).toEqual({
      resourceType: 'Patient',
      id: 'subset-me',
      meta: expect.objectContaining({ tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }] }),
      active: true,
      deceasedBoolean: false,
    });
    expect((await get('/Patient/subset-me')).body).toMatchObject({ gender: 'female', name: [{ family: 'Kept' }] });
    await server.store.remove('Patient', 'subset-me');
  });

  it('answers _summary=count with the total and no pages to follow', async () => {
    const { body } = await get('/Patient?_summary=count');
    expect(body.total).toBe(40);
    expect(body.entry).toBeUndefined();
    expect(body.link.some((l: { relation: string }) => l.relation === 'next')).toBe(false);
  });

  it('refuses search parameters it does not support, rather than matching nothing', async () => {
    for (const query of ['foo=bar', 'subject:Patient.organization=Organization/x', 'patient.organization=x']) {
      const { status, body } = await get(`/Condition?${query}`);
      expect(status).toBe(400);
      expect(body.resourceType).toBe('OperationOutcome');
    }
  });

  it('is read-only over HTTP', async () => {
    const res = await get('/Patient', { method: 'POST', body: JSON.stringify({ resourceType: 'Patient' }), headers: { 'content-type': 'application/fhir+json' } });
    expect(res.status).toBe(405);
  });
});
