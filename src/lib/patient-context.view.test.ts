import { describe, expect, it } from 'vitest';
import { conditionNames, resultSourceText } from './patient-context.view';

describe("the patient page's FHIR context", () => {
  const demo = { serverId: 'urn:pump-pathway:demo-fhir-server', name: 'Pump Pathway demo FHIR server' };

  it("names a result's FHIR server rather than printing its URN", () => {
    expect(resultSourceText({ kind: 'fhir', server: demo.serverId }, demo)).toBe('FHIR: Pump Pathway demo FHIR server');
    expect(resultSourceText({ kind: 'fhir', server: 'https://fhir.example.nhs.uk/R4' }, demo)).toBe('FHIR: fhir.example.nhs.uk');
    expect(resultSourceText({ kind: 'fhir', server: 'urn:some-other-server' }, demo)).toBe('FHIR: another server');
    expect(resultSourceText({ kind: 'fhir', server: demo.serverId }, null)).toBe('FHIR: another server');
    expect(resultSourceText({ kind: 'manual', server: null }, demo)).toBe('Entered by hand');
  });

  it('lists each condition once, however often the record holds it', () => {
    const t1 = { system: 'http://snomed.info/sct', code: '46635009', display: 'Diabetes mellitus type 1' };
    const hypo = { system: 'http://snomed.info/sct', code: '302866003', display: 'Hypoglycaemia' };
    expect(conditionNames([t1, hypo, { ...t1 }, { ...t1, display: null }])).toEqual(['Diabetes mellitus type 1', 'Hypoglycaemia']);
    expect(conditionNames([{ system: null, code: 'X1', display: null }])).toEqual(['X1']);
  });
});
