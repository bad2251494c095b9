import { describe, expect, it } from 'vitest';
import {
  devicesOf,
  existingHeadline,
  existingSummaryRows,
  existingTherapyOf,
  existingTimelineLines,
  listedOn,
  referralLine,
  startOf,
  switchedHeading,
  switchOf,
  type ExistingTherapy,
} from './existing-therapy.view';

const event = (payload: Record<string, unknown>) => ({ type: 'existing_therapy' as const, occurredOn: '2026-04-01', payload });
const PUMP: ExistingTherapy = { startedOn: '2019-03-04', knownOn: '2026-04-01', pump: 'Tandem t:slim X2', cgm: 'Dexcom G7', funding: 'nhs' };
const record = { therapy: 'csii', status: 'on_therapy', origin: 'existing', receivedOn: null, knownOn: '2026-04-01', lastEventOn: '2026-04-01' } as const;

describe('the facts of a therapy already in use', () => {
  it("are read from the record's existing_therapy event, blanks left out", () => {
    const events = [event({ startedYear: 2019, knownOn: '2026-04-01', pump: 'Tandem t:slim X2', cgm: '', funding: 'non_nhs' })];
    expect(existingTherapyOf(events)).toEqual({ startedYear: 2019, knownOn: '2026-04-01', pump: 'Tandem t:slim X2', funding: 'non_nhs' });
  });

  it('are absent from a pathway referral', () => {
    expect(existingTherapyOf([{ type: 'device_started', occurredOn: '2026-05-01', payload: { pump: 'Tandem t:slim X2' } }])).toBeNull();
  });

  it('give the start as precisely as it is known', () => {
    expect(startOf({ startedOn: '2019-03-04' })).toBe('4 March 2019');
    expect(startOf({ startedYear: 2019 })).toBe('2019');
    expect(startOf({})).toBeNull();
  });
});

describe('the record in one sentence', () => {
  it('says what it is and since when, while on therapy', () => {
    expect(existingHeadline(record, PUMP)).toBe('On an insulin pump since 4 March 2019, recorded on 1 April 2026');
    expect(existingHeadline(record, { ...PUMP, startedOn: undefined, startedYear: 2019 })).toBe('On an insulin pump since 2019, recorded on 1 April 2026');
    expect(existingHeadline(record, { knownOn: '2026-04-01', pump: 'X' })).toBe('On an insulin pump, start not known, recorded on 1 April 2026');
  });

  it('names closed loop in its own words', () => {
    expect(existingHeadline({ ...record, therapy: 'hcl' }, { ...PUMP, startedOn: undefined, startedYear: 2023 })).toBe(
      'On hybrid closed loop since 2023, recorded on 1 April 2026',
    );
  });

  it('speaks in the past once the record has ended, saying how', () => {
    expect(existingHeadline({ ...record, status: 'switched', lastEventOn: '2026-06-15' }, PUMP)).toBe(
      'Was on an insulin pump since 4 March 2019, recorded on 1 April 2026; switched to closed loop on 15 June 2026',
    );
    expect(existingHeadline({ ...record, status: 'discontinued', lastEventOn: '2026-06-01' }, PUMP)).toBe(
      'Was on an insulin pump since 4 March 2019, recorded on 1 April 2026; stopped on 1 June 2026',
    );
  });
});

describe("a record in the patient's list", () => {
  it('says what each kind of record is', () => {
    expect(referralLine(record, { ...PUMP, startedOn: undefined, startedYear: 2019 })).toBe('Insulin pump: on therapy since 2019 (already on it when recorded, 1 April 2026)');
    expect(referralLine({ ...record, therapy: 'hcl', origin: 'pathway', status: 'awaiting_assessment', receivedOn: '2026-05-03', knownOn: null }, null)).toBe(
      'Hybrid closed loop, received 3 May 2026',
    );
  });

  it('does not claim an ended record goes on, nor a start nobody knows', () => {
    expect(referralLine({ ...record, status: 'switched' }, PUMP)).toBe('Insulin pump: on therapy from 4 March 2019 (already on it when recorded, 1 April 2026)');
    expect(referralLine(record, { knownOn: '2026-04-01', pump: 'X' })).toBe('Insulin pump: on therapy, start not known (already on it when recorded, 1 April 2026)');
  });
});

describe('the date a record is listed by', () => {
  it('is when it was received, or when the therapy was recorded', () => {
    expect(listedOn({ origin: 'pathway', receivedOn: '2026-05-03', knownOn: null, lastEventOn: '2026-05-03' })).toBe('Received 3 May 2026');
    expect(listedOn(record)).toBe('Recorded 1 April 2026 (already on therapy)');
  });
});

describe("the record's details", () => {
  it('lists every fact, saying so where one is missing', () => {
    expect(existingSummaryRows('csii', PUMP)).toEqual([
      { key: 'Started', value: '4 March 2019' },
      { key: 'Pump', value: 'Tandem t:slim X2' },
      { key: 'CGM', value: 'Dexcom G7' },
      { key: 'Algorithm', value: 'None (pump alone)' },
      { key: 'Funding', value: 'NHS funded' },
      { key: 'Date known to be on it', value: '1 April 2026' },
    ]);
    const sparse = existingSummaryRows('hcl', { knownOn: '2026-04-01', pump: 'X', funding: 'non_nhs' });
    expect(sparse.filter((r) => ['Started', 'Algorithm', 'Funding'].includes(r.key))).toEqual([
      { key: 'Started', value: 'Not known' },
      { key: 'Algorithm', value: 'Not recorded' },
      { key: 'Funding', value: 'Not NHS funded' },
    ]);
  });

  it('opens the timeline with what was known', () => {
    expect(existingTimelineLines('csii', PUMP)).toEqual(['On an insulin pump since 4 March 2019', 'Tandem t:slim X2 + Dexcom G7', 'NHS funded']);
    expect(existingTimelineLines('hcl', { knownOn: '2026-04-01', pump: 'Omnipod 5', algorithm: 'SmartAdjust' })).toEqual([
      'On hybrid closed loop, start not known',
      'Omnipod 5 + SmartAdjust',
    ]);
  });

  it('joins devices as a device start does', () => expect(devicesOf({ pump: 'A', cgm: undefined, algorithm: 'C' })).toBe('A + C'));
});

describe('the switch to closed loop', () => {
  it("reads the system's event", () => {
    expect(switchOf({ type: 'switched_to_hcl', occurredOn: '2026-06-15', payload: { on: '2026-06-15', hclReferralId: 'abc' } })).toEqual({ on: '2026-06-15', hclReferralId: 'abc' });
    expect(switchOf(event({}))).toBeNull();
    expect(switchedHeading('2026-06-15')).toBe('Switched to closed loop on 15 June 2026');
  });
});
