import { describe, expect, it } from 'vitest';
import { isValidNhsNumber } from '../../domain/nhs-number';
import { generateDemoPopulation } from './fhir-demo.population';

describe('generateDemoPopulation', () => {
  const options = { seed: 42, patientsPerSite: 40, today: '2025-06-01', yearsOfHistory: 2 };
  const population = generateDemoPopulation(options);

  it('is deterministic', () => {
    expect(generateDemoPopulation(options)).toEqual(population);
    expect(generateDemoPopulation({ ...options, seed: 43 }).resources[0]).not.toEqual(population.resources[0]);
  });

  it('makes an Organization per demo site and the patients asked for, with valid, distinct NHS numbers', () => {
    expect(population.organizations.map((o) => o.odsCode)).toEqual(['RDM01', 'RDM02', 'RDM03', 'RDM04']);
    expect(population.patients).toHaveLength(160);
    const numbers = population.patients.map((p) => p.nhsNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of numbers) expect(isValidNhsNumber(n) && n.startsWith('999')).toBe(true);
    const ids = population.resources.map((r) => `${r.resourceType}/${r.id}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('counts per site only living patients on active records with an active type 1 diagnosis', () => {
    for (const { odsCode } of population.organizations) {
      expect(population.activeType1ByOds[odsCode]).toBe(population.patients.filter((p) => p.odsCode === odsCode && p.profile === 'type1').length);
    }
  });

  it('dates every result inside the history and never after today', () => {
    const dates = population.resources.filter((r) => r.resourceType === 'Observation').map((r) => String(r.effectiveDateTime).slice(0, 10));
    expect(dates.every((d) => d >= '2023-05-31' && d < '2025-06-01')).toBe(true);
  });

  it('can avoid NHS numbers already in use', () => {
    const taken = new Set(population.patients.slice(0, 10).map((p) => p.nhsNumber));
    const again = generateDemoPopulation({ ...options, excludeNhsNumbers: taken });
    expect(again.patients.some((p) => taken.has(p.nhsNumber))).toBe(false);
  });
});

describe('beside the demo history', () => {
  it('never hands out an NHS number the demo database’s own patients have', async () => {
    const { DEMO_HISTORY, DEMO_SITES } = await import('../demo/demo.seed');
    const { historyTellingTheStory } = await import('../demo/history.story');
    const { demoHistorySites } = await import('../demo/history.demo-sites');
    const today = '2025-06-01';
    const sites = DEMO_SITES.map((s, i) => ({ ...s, id: `00000000-0000-4000-8000-00000000000${i}` }));
    const history = historyTellingTheStory({ ...DEMO_HISTORY, today, sites: demoHistorySites(sites, today) });
    const seeded = new Set(history.patients.map((p) => p.nhsNumber));
    const fhir = generateDemoPopulation({ today, patientsPerSite: 500 });
    expect(history.patients.length).toBeGreaterThan(100);
    expect(fhir.patients.filter((p) => seeded.has(p.nhsNumber))).toEqual([]);
  });
});
