import { describe, expect, it } from 'vitest';
import { existingStartErrors, existingTherapyPayload, onTherapyFrom, startYear } from './existing-therapy';

const person = { today: '2026-12-05', birthDate: '1980-03-01' };
const paths = (start: Parameters<typeof existingStartErrors>[0]) => existingStartErrors(start, person).map((e) => e.path);

describe('an existing-therapy record', () => {
  it('may give a start date, a start year, both when they agree, or neither', () => {
    expect(paths({ startedOn: '2019-05-02', knownOn: '2026-11-01' })).toEqual([]);
    expect(paths({ startedYear: 2019, knownOn: '2026-11-01' })).toEqual([]);
    expect(paths({ startedOn: '2019-05-02', startedYear: 2019, knownOn: '2026-11-01' })).toEqual([]);
    expect(paths({ knownOn: '2026-11-01' })).toEqual([]);
  });

  it('refuses a start year that disagrees with the start date', () => {
    expect(paths({ startedOn: '2019-05-02', startedYear: 2018, knownOn: '2026-11-01' })).toEqual(['startedYear']);
  });

  it('is known on a day no later than today and no earlier than the start', () => {
    expect(paths({ knownOn: '2026-12-06' })).toEqual(['knownOn']);
    expect(paths({ knownOn: '2026-12-05' })).toEqual([]);
    expect(paths({ startedOn: '2026-11-02', knownOn: '2026-11-01' })).toEqual(['startedOn']);
    expect(paths({ startedOn: '2026-11-01', knownOn: '2026-11-01' })).toEqual([]);
    expect(paths({ startedYear: 2027, knownOn: '2026-11-01' })).toEqual(['startedYear']);
  });

  it('cannot begin before the person was born', () => {
    expect(paths({ startedOn: '1979-01-01', knownOn: '2026-11-01' })).toEqual(['startedOn']);
    expect(paths({ startedYear: 1979, knownOn: '2026-11-01' })).toEqual(['startedYear']);
    expect(paths({ knownOn: '1979-01-01' })).toEqual(['knownOn']);
  });

  it('reports every problem at once', () => {
    expect(paths({ startedOn: '2027-01-03', startedYear: 2020, knownOn: '2027-01-02' })).toEqual(['knownOn', 'startedOn', 'startedYear']);
  });

  it('counts as on therapy from its start when known, else from the day it was known', () => {
    expect(onTherapyFrom({ startedOn: '2019-05-02', knownOn: '2026-11-01' })).toBe('2019-05-02');
    expect(onTherapyFrom({ startedYear: 2019, knownOn: '2026-11-01' })).toBe('2026-11-01');
    expect(onTherapyFrom({ knownOn: '2026-11-01' })).toBe('2026-11-01');
  });

  it('has a start year from its date, else the year given, else none', () => {
    expect(startYear({ startedOn: '2019-05-02' })).toBe(2019);
    expect(startYear({ startedYear: 2017 })).toBe(2017);
    expect(startYear({})).toBeNull();
  });
});

describe('the existing_therapy event', () => {
  it('records the start, the devices and the funding, and nothing else the request carried', () => {
    const request = { patientId: 'p1', therapy: 'hcl', origin: 'existing', startedYear: 2019, knownOn: '2026-11-01', pump: 'Dana-i', cgm: 'Dexcom G6', funding: 'non_nhs' } as const;
    expect(existingTherapyPayload(request)).toEqual({ startedYear: 2019, knownOn: '2026-11-01', pump: 'Dana-i', cgm: 'Dexcom G6', funding: 'non_nhs' });
  });

  it('leaves out what is not known, rather than storing it as empty', () => {
    expect(Object.keys(existingTherapyPayload({ knownOn: '2026-11-01', pump: 'Dana-i', cgm: undefined, funding: 'nhs' }))).toEqual(['knownOn', 'pump', 'funding']);
  });
});
