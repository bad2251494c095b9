import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentToMmolMol } from '../../domain/hba1c';
import {
  diabetesTypeOf,
  hba1cUnitOf,
  mapConditions,
  mapHba1cObservations,
  mapHypoglycaemia,
  mapPatient,
  nhsNumberOf,
  postcodeOf,
  ethnicCategoryOf,
} from './fhir.mappers';
import { fhirCondition, fhirObservation, fhirPatient, type FhirCondition, type FhirObservation, type FhirPatient } from './fhir.schemas';

const source = { server: 'https://fhir.example.nhs.uk/R4', fetchedAt: new Date('2025-05-01T10:00:00Z') };
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const LOINC = 'http://loinc.org';
const SCT = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';

// Every fixture goes through the schema first, as the client does: the mappers only ever see checked input.
const patient = (extra: Partial<FhirPatient> = {}): FhirPatient => fhirPatient.parse({ resourceType: 'Patient', id: 'p1', ...extra });
let nextId = 0;
const observation = (extra: Record<string, unknown>): FhirObservation =>
  fhirObservation.parse({ resourceType: 'Observation', id: `o${++nextId}`, status: 'final', code: {}, ...extra });
const hba1c = (value: number | undefined, unit: string | undefined, extra: Record<string, unknown> = {}) =>
  observation({
    code: { coding: [{ system: LOINC, code: unit === 'mmol/mol' ? '59261-8' : '4548-4' }] },
    effectiveDateTime: '2024-03-01T09:30:00Z',
    valueQuantity: { ...(value === undefined ? {} : { value }), ...(unit === undefined ? {} : { unit, system: UCUM, code: unit }) },
    ...extra,
  });
const condition = (code: string, extra: Record<string, unknown> = {}): FhirCondition =>
  fhirCondition.parse({
    resourceType: 'Condition',
    id: `c${++nextId}`,
    subject: { reference: 'Patient/p1' },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    code: { coding: [{ system: SCT, code, display: `display ${code}` }] },
    ...extra,
  });
const status = (code: string) => ({ coding: [{ code }] });

describe('mapPatient', () => {
  it('maps the demographics, the FHIR id and version', () => {
    const mapped = mapPatient(
      patient({
        meta: { versionId: '7', lastUpdated: '2025-01-02T03:04:05Z' },
        identifier: [{ system: NHS, value: '943 476 5919' }],
        name: [
          { use: 'usual', given: ['Gracie'], family: 'H' },
          { use: 'official', given: ['Grace', 'Brewster'], family: 'Hopper' },
        ],
        gender: 'female',
        birthDate: '1986-12-09',
      }),
    );
    expect(mapped).toEqual({
      nhsNumber: '9434765919',
      givenName: 'Grace Brewster',
      familyName: 'Hopper',
      birthDate: '1986-12-09',
      sex: 'female',
      ethnicCategory: null,
      postcode: null,
      fhirId: 'p1',
      version: '7',
      lastUpdated: '2025-01-02T03:04:05Z',
    });
  });

  it.each([
    ['a wrong check digit', [{ system: NHS, value: '9434765918' }]],
    ['another system', [{ system: 'https://example.org/mrn', value: '9434765919' }]],
    ['an old identifier', [{ system: NHS, value: '9434765919', use: 'old' }]],
    ['nine digits', [{ system: NHS, value: '943476591' }]],
    ['no identifier', undefined],
  ])('has no NHS number for %s', (_, identifier) => {
    expect(nhsNumberOf(patient(identifier ? { identifier } : {}))).toBeNull();
  });

  it('takes the first valid NHS number after an invalid one', () => {
    expect(nhsNumberOf(patient({ identifier: [{ system: NHS, value: '1234567890' }, { system: NHS, value: '9434765919' }] }))).toBe('9434765919');
  });

  it('copes with a record that has no name, gender or full birth date', () => {
    expect(mapPatient(patient({ birthDate: '1986-12' }))).toMatchObject({ givenName: '', familyName: '', sex: 'unknown', birthDate: null, version: null });
    expect(mapPatient(patient({ name: [{ text: 'Ada Lovelace' }] }))).toMatchObject({ givenName: '', familyName: 'Ada Lovelace' });
  });
});

describe('ethnic category and postcode, for the equity figures', () => {
  const UK_CORE = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory';
  const ethnic = (code: string, url = UK_CORE) => ({
    extension: [{ url, valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategory', code }] } }],
  });

  it("reads the NHS letter from UK Core's ethnic category extension", () => {
    expect(ethnicCategoryOf(patient(ethnic('J')))).toBe('J');
    expect(ethnicCategoryOf(patient(ethnic('Z')))).toBe('Z');
    expect(ethnicCategoryOf(patient(ethnic('H', 'http://example.org/fhir/StructureDefinition/Extension-UKCore-EthnicCategory')))).toBe('H');
  });

  it.each([
    ['a code that is not one of the letters', ethnic('99')],
    ['a letter the NHS does not use', ethnic('I')],
    ['another extension', ethnic('A', 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race')],
    ['no extension', {}],
  ])('has no ethnic category for %s', (_, extra) => {
    expect(ethnicCategoryOf(patient(extra))).toBeNull();
  });

  it('takes the home address\'s postcode, stored one way', () => {
    const address = [
      { use: 'work', postalCode: 'M1 1AE' },
      { use: 'home', postalCode: 'ls14ap' },
    ];
    expect(postcodeOf(patient({ address }))).toBe('LS1 4AP');
    expect(mapPatient(patient({ address, ...ethnic('A') }))).toMatchObject({ postcode: 'LS1 4AP', ethnicCategory: 'A' });
  });

  it('skips an old, temporary or ended address, and a postcode that is not a UK one', () => {
    const address = [
      { use: 'old', postalCode: 'B33 8TH' },
      { use: 'home', postalCode: 'CR2 6XH', period: { start: '2010-01-01', end: '2020-01-01' } },
      { use: 'temp', postalCode: 'SW1A 1AA' },
      { use: 'home', postalCode: '01970' },
    ];
    expect(postcodeOf(patient({ address }))).toBeNull();
    expect(postcodeOf(patient({ address: [...address, { postalCode: 'M1 1AE' }] }))).toBe('M1 1AE');
  });
});

describe('HbA1c units', () => {
  it.each([
    [{ value: 1, unit: '%', system: UCUM, code: '%' }, '%'],
    [{ value: 1, unit: 'mmol/mol', system: UCUM, code: 'mmol/mol' }, 'mmol/mol'],
    [{ value: 1, unit: 'mmol/mol' }, 'mmol/mol'],
    [{ value: 1, unit: ' MMOL/MOL ' }, 'mmol/mol'],
    [{ value: 1, code: '%' }, '%'],
    [{ value: 1, unit: 'percent', system: UCUM, code: '%' }, '%'],
    [{ value: 1, unit: '%', system: 'http://example.org/units', code: 'PCT' }, '%'],
    [{ value: 1, unit: '%', system: UCUM, code: 'mg/dL' }, null],
    [{ value: 1, unit: 'mmol/L' }, null],
    [{ value: 1 }, null],
  ])('%j is %s', (quantity, unit) => {
    expect(hba1cUnitOf(quantity)).toBe(unit);
  });
});

describe('mapHba1cObservations', () => {
  it('converts % to mmol/mol once, from the value as reported, keeping the original', () => {
    const { results, skipped } = mapHba1cObservations([hba1c(8.5, '%'), hba1c(7.5, '%'), hba1c(5.85, '%'), hba1c(7.386637231394623, '%')], source);
    expect(skipped).toEqual([]);
    expect(results.map((r) => [r.mmolMol, r.original])).toEqual([
      [69, { value: 8.5, unit: '%' }],
      [58, { value: 7.5, unit: '%' }],
      [40, { value: 5.85, unit: '%' }],
      [57, { value: 7.386637231394623, unit: '%' }],
    ]);
  });

  it('keeps mmol/mol results, rounding decimals to the whole number the rules use', () => {
    const { results } = mapHba1cObservations([hba1c(69, 'mmol/mol'), hba1c(57.5, 'mmol/mol')], source);
    expect(results.map((r) => [r.mmolMol, r.original.value, r.loincCode])).toEqual([
      [69, 69, '59261-8'],
      [58, 57.5, '59261-8'],
    ]);
  });

  it('accepts the HPLC code, and keeps the effective time exactly as given', () => {
    const o = hba1c(7, '%', { code: { coding: [{ system: LOINC, code: '17856-6' }] }, effectiveDateTime: '2024-06-30T23:30:00+01:00' });
    const [result] = mapHba1cObservations([o], source).results;
    expect(result).toMatchObject({ effective: '2024-06-30T23:30:00+01:00', loincCode: '17856-6' });
    expect(result!.effectiveAt.toISOString()).toBe('2024-06-30T22:30:00.000Z');
  });

  it('reads a date-only result as that day and falls back to effectiveInstant or a period start', () => {
    const results = mapHba1cObservations(
      [
        hba1c(50, 'mmol/mol', { effectiveDateTime: '2024-02-29' }),
        hba1c(50, 'mmol/mol', { effectiveDateTime: undefined, effectiveInstant: '2024-01-01T08:00:00Z' }),
        hba1c(50, 'mmol/mol', { effectiveDateTime: undefined, effectivePeriod: { start: '2023-12-01T08:00:00Z' } }),
      ],
      source,
    ).results;
    expect(results.map((r) => [r.effective, r.effectiveAt.toISOString()])).toEqual([
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['2024-01-01T08:00:00Z', '2024-01-01T08:00:00.000Z'],
      ['2023-12-01T08:00:00Z', '2023-12-01T08:00:00.000Z'],
    ]);
  });

  it('skips, and reports, results that must not or cannot be used', () => {
    const cases = {
      'entered-in-error': hba1c(60, 'mmol/mol', { status: 'entered-in-error' }),
      cancelled: hba1c(60, 'mmol/mol', { status: 'cancelled' }),
      'no value': hba1c(undefined, 'mmol/mol'),
      zero: hba1c(0, 'mmol/mol'),
      'a string value': hba1c(undefined, undefined, { valueQuantity: undefined, valueString: '7.5%' }),
      'no unit': hba1c(7.5, undefined),
      'an unknown unit': hba1c(7.5, 'mg/dL'),
      'no date': hba1c(60, 'mmol/mol', { effectiveDateTime: undefined, issued: '2024-01-01T00:00:00Z' }),
      'a month only': hba1c(60, 'mmol/mol', { effectiveDateTime: '2024-03' }),
    };
    const { results, skipped } = mapHba1cObservations(Object.values(cases), source);
    expect(results).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual(['status', 'status', 'no-value', 'no-value', 'no-value', 'unit', 'unit', 'no-date', 'no-date']);
    expect(skipped.map((s) => s.resourceId)).toEqual(Object.values(cases).map((o) => o.id));
  });

  it('keeps preliminary and amended results', () => {
    expect(mapHba1cObservations([hba1c(60, 'mmol/mol', { status: 'preliminary' }), hba1c(61, 'mmol/mol', { status: 'amended' })], source).results).toHaveLength(2);
  });

  it('ignores, without reporting, observations that are not HbA1c', () => {
    const glucose = observation({ code: { coding: [{ system: LOINC, code: '2339-0' }] }, valueQuantity: { value: 5, unit: 'mmol/L' } });
    const wrongSystem = observation({ code: { coding: [{ system: 'http://example.org', code: '4548-4' }] } });
    expect(mapHba1cObservations([glucose, wrongSystem], source)).toEqual({ results: [], skipped: [] });
  });

  it('carries the provenance of each result', () => {
    const o = hba1c(48, 'mmol/mol', { meta: { versionId: '3', lastUpdated: '2024-03-02T00:00:00Z' } });
    expect(mapHba1cObservations([o], source).results[0]!.provenance).toEqual({
      server: source.server,
      resourceType: 'Observation',
      resourceId: o.id,
      versionId: '3',
      lastUpdated: '2024-03-02T00:00:00Z',
      fetchedAt: source.fetchedAt,
    });
  });

  it('maps any % value with percentToMmolMol and accounts for every HbA1c observation', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            value: fc.oneof(fc.double({ min: 3, max: 20, noNaN: true }), fc.constant(0)),
            status: fc.constantFrom('final', 'amended', 'entered-in-error', 'cancelled'),
            unit: fc.constantFrom('%', 'mmol/mol', 'mg/dL'),
          }),
          { maxLength: 20 },
        ),
        (specs) => {
          const { results, skipped } = mapHba1cObservations(specs.map((s) => hba1c(s.value, s.unit, { status: s.status })), source);
          expect(results.length + skipped.length).toBe(specs.length);
          for (const r of results) {
            expect(r.mmolMol).toBe(r.original.unit === '%' ? percentToMmolMol(r.original.value) : Math.round(r.original.value));
          }
        },
      ),
    );
  });
});

describe('diabetes type from Conditions', () => {
  const typeOf = (...conditions: FhirCondition[]) => diabetesTypeOf(mapConditions(conditions, source).conditions);

  it.each([
    ['an active type 1 code', ['46635009'], 'type1'],
    ['a type 1 descendant', ['313435000'], 'type1'],
    ['an active type 2 code', ['44054006'], 'type2'],
    ['insulin-treated type 2', ['237599002'], 'type2'],
    ['both type 1 and type 2 (type 1 wins)', ['44054006', '46635009'], 'type1'],
    ['gestational diabetes', ['11687002'], 'other'],
    ['secondary diabetes', ['8801005'], 'other'],
    ['untyped diabetes mellitus', ['73211009'], 'unknown'],
    ['prediabetes only', ['15777000'], 'unknown'],
    ['nothing', [], 'unknown'],
  ])('%s gives %s', (_, codes, type) => {
    expect(typeOf(...codes.map((c) => condition(c)))).toBe(type);
  });

  it('ignores resolved or inactive diagnoses, but counts one with no clinical status', () => {
    expect(typeOf(condition('46635009', { clinicalStatus: status('resolved') }), condition('44054006'))).toBe('type2');
    expect(typeOf(condition('46635009', { clinicalStatus: status('inactive') }))).toBe('unknown');
    expect(typeOf(condition('46635009', { clinicalStatus: status('relapse') }))).toBe('type1');
    expect(typeOf(condition('46635009', { clinicalStatus: undefined }))).toBe('type1');
  });

  it('skips a diagnosis entered in error or refuted, and reports it', () => {
    const mistaken = condition('46635009', { verificationStatus: status('entered-in-error') });
    const refuted = condition('46635009', { verificationStatus: status('refuted') });
    const { conditions, skipped } = mapConditions([mistaken, refuted, condition('44054006')], source);
    expect(diabetesTypeOf(conditions)).toBe('type2');
    expect(skipped).toEqual([
      { resourceType: 'Condition', resourceId: mistaken.id, reason: 'entered-in-error' },
      { resourceType: 'Condition', resourceId: refuted.id, reason: 'entered-in-error' },
    ]);
  });

  it('keeps only diabetes and hypoglycaemia conditions, with what the record said', () => {
    const icdOnly = condition('E10', { code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'E10' }] } });
    const hypertension = condition('38341003');
    const t1 = condition('46635009', { onsetDateTime: '2001-05-01', code: { coding: [{ system: SCT, code: '46635009' }], text: 'T1DM' } });
    const hypo = condition('237633009', { clinicalStatus: status('resolved') });
    const { conditions } = mapConditions([icdOnly, hypertension, t1, hypo], source);
    expect(conditions).toEqual([
      {
        kind: 'diabetes_type1',
        system: SCT,
        code: '46635009',
        display: 'T1DM',
        clinicalStatus: 'active',
        active: true,
        onset: '2001-05-01',
        provenance: { server: source.server, resourceType: 'Condition', resourceId: t1.id, versionId: null, lastUpdated: null, fetchedAt: source.fetchedAt },
      },
      expect.objectContaining({ kind: 'hypoglycaemia', code: '237633009', clinicalStatus: 'resolved', active: false }),
    ]);
  });

  it('classes a condition coded twice by its type 1 coding', () => {
    const both = condition('44054006', { code: { coding: [{ system: SCT, code: '44054006' }, { system: SCT, code: '46635009' }] } });
    expect(mapConditions([both], source).conditions.map((c) => c.kind)).toEqual(['diabetes_type1']);
  });
});

describe('mapHypoglycaemia', () => {
  it('turns hypoglycaemia Conditions and Observations into dated episodes', () => {
    const byOnset = condition('237633009', { onsetDateTime: '2024-01-05T03:00:00Z', recordedDate: '2024-01-06' });
    const byRecorded = condition('302866003', { recordedDate: '2024-02-01' });
    const observed = observation({ code: { coding: [{ system: SCT, code: '237632004', display: 'Hypo event' }] }, effectiveDateTime: '2024-03-01T02:00:00Z' });
    const issuedOnly = observation({ code: { coding: [{ system: SCT, code: '302866003' }], text: 'Low' }, issued: '2024-04-01T08:00:00Z' });
    const { events, skipped } = mapHypoglycaemia([byOnset, byRecorded, condition('46635009')], [observed, issuedOnly], source);
    expect(skipped).toEqual([]);
    expect(events.map((e) => [e.effective, e.description, e.provenance.resourceType, e.provenance.resourceId])).toEqual([
      ['2024-01-05T03:00:00Z', 'display 237633009', 'Condition', byOnset.id],
      ['2024-02-01', 'display 302866003', 'Condition', byRecorded.id],
      ['2024-03-01T02:00:00Z', 'Hypo event', 'Observation', observed.id],
      ['2024-04-01T08:00:00Z', 'Low', 'Observation', issuedOnly.id],
    ]);
  });

  it('skips mistaken and undated episodes', () => {
    const mistaken = condition('237633009', { verificationStatus: status('entered-in-error'), onsetDateTime: '2024-01-01' });
    const undated = condition('237633009');
    const cancelled = observation({ status: 'cancelled', code: { coding: [{ system: SCT, code: '237632004' }] }, effectiveDateTime: '2024-01-01' });
    expect(mapHypoglycaemia([mistaken, undated], [cancelled], source).skipped.map((s) => [s.resourceId, s.reason])).toEqual([
      [mistaken.id, 'entered-in-error'],
      [undated.id, 'no-date'],
      [cancelled.id, 'status'],
    ]);
  });
});
