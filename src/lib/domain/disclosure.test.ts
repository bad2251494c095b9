import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { systemActor, type Role } from './access';
import { discloseCount, discloseRate, discloseRow, discloseStatistic, isDisclosureControlled, roundToBase } from './disclosure';
import { emptyRow, uptakePct, type MetricsRow } from './metrics';

describe('counts', () => {
  it.each([
    [0, 0, false],
    [1, null, true],
    [2, null, true],
    [7, null, true],
    [8, 10, false],
    [9, 10, false],
    [10, 10, false],
    [12, 10, false],
    [13, 15, false],
    [17, 15, false],
    [18, 20, false],
    [22, 20, false],
    [23, 25, false],
    [1002, 1000, false],
    [1003, 1005, false],
  ])('shows %i as %s (withheld: %s)', (count, value, withheld) => {
    expect(discloseCount(count)).toEqual({ value, withheld });
  });

  it('keeps an unknown count unknown, without calling it withheld', () => {
    expect(discloseCount(null)).toEqual({ value: null, withheld: false });
  });

  it('refuses what is not a count: a bug upstream, not something to round', () => {
    expect(() => discloseCount(-1)).toThrow(RangeError);
    expect(() => discloseCount(2.5)).toThrow(RangeError);
    expect(() => roundToBase(-5)).toThrow(RangeError);
  });

  it('never moves a shown count by more than 2, always lands on a multiple of 5, and never shows 1 to 7', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), (n) => {
        const { value, withheld } = discloseCount(n);
        if (n >= 1 && n <= 7) return value === null && withheld;
        return value !== null && value % 5 === 0 && Math.abs(value - n) <= 2 && !withheld && (n === 0) === (value === 0);
      }),
    );
  });
});

describe('medians and percentiles', () => {
  it.each([
    [0, null, false],
    [1, null, true],
    [7, null, true],
    [8, 12.5, false],
    [100, 12.5, false],
  ])('over %i values: %s (withheld: %s)', (n, value, withheld) => {
    expect(discloseStatistic(n === 0 ? null : 12.5, n)).toEqual({ value, withheld });
  });
});

describe('rates', () => {
  const count = (n: number | null) => discloseCount(n);

  it('is withheld when the numerator is withheld', () => {
    expect(discloseRate(count(5), count(640), uptakePct)).toEqual({ value: null, withheld: true });
  });

  it('is withheld when the denominator is withheld', () => {
    expect(discloseRate(count(0), count(7), uptakePct)).toEqual({ value: null, withheld: true });
  });

  it('is computed from the rounded figures: 13 of 640 is 2.0% exactly but shows 15 / 640 = 2.3%', () => {
    expect(uptakePct(13, 640)).toBe(2);
    expect(discloseRate(count(13), count(640), uptakePct)).toEqual({ value: 2.3, withheld: false });
  });

  it('shows 0 of a disclosed population as 0%', () => {
    expect(discloseRate(count(0), count(250), uptakePct)).toEqual({ value: 0, withheld: false });
  });

  it('is unknown, not withheld, without a population (or with a population of 0)', () => {
    expect(discloseRate(count(20), count(null), uptakePct)).toEqual({ value: null, withheld: false });
    expect(discloseRate(count(0), count(0), uptakePct)).toEqual({ value: null, withheld: false });
  });
});

describe('a whole row', () => {
  const exact = (): MetricsRow => ({
    ...emptyRow('site-1', 'Riverside'),
    t1dPopulation: 1234,
    onTherapy: 13,
    existingOnTherapy: 4,
    uptakePct: 1.1,
    referrals: 12,
    assessed: 8,
    eligible: 7,
    fundingRequested: 1,
    fundingApproved: 0,
    fundingDeclined: 18,
    started: 17,
    discontinued: 0,
    continuing12m: 9,
    waits: {
      referralToAssessment: { n: 8, medianDays: 30.5, p90Days: 61 },
      assessmentToFundingDecision: { n: 7, medianDays: 20, p90Days: 44 },
      fundingApprovalToStart: { n: 0, medianDays: null, p90Days: null },
      referralToStart: { n: 13, medianDays: 120, p90Days: 200 },
    },
    hba1cChange6m: { n: 3, medianMmolMol: -8 },
  });

  it('rounds, withholds and names every withheld field, in row order', () => {
    expect(discloseRow(exact())).toEqual({
      key: 'site-1',
      label: 'Riverside',
      t1dPopulation: 1235,
      onTherapy: 15,
      existingOnTherapy: null,
      uptakePct: 1.2, // 15 / 1235, from the rounded figures (the exact 13 / 1234 is 1.1)
      referrals: 10,
      assessed: 10,
      eligible: null,
      fundingRequested: null,
      fundingApproved: 0,
      fundingDeclined: 20,
      started: 15,
      discontinued: 0,
      continuing12m: 10,
      waits: {
        referralToAssessment: { n: 10, medianDays: 30.5, p90Days: 61 },
        assessmentToFundingDecision: { n: null, medianDays: null, p90Days: null },
        fundingApprovalToStart: { n: 0, medianDays: null, p90Days: null },
        referralToStart: { n: 15, medianDays: 120, p90Days: 200 },
      },
      hba1cChange6m: { n: null, medianMmolMol: null },
      suppressed: [
        'existingOnTherapy',
        'eligible',
        'fundingRequested',
        'waits.assessmentToFundingDecision.n',
        'waits.assessmentToFundingDecision.medianDays',
        'waits.assessmentToFundingDecision.p90Days',
        'hba1cChange6m.n',
        'hba1cChange6m.medianMmolMol',
      ],
    });
  });

  it('withholds uptake with a small population, and names the population too', () => {
    const row = discloseRow({ ...exact(), t1dPopulation: 6, onTherapy: 0, existingOnTherapy: 0 });
    expect(row).toMatchObject({ t1dPopulation: null, onTherapy: 0, uptakePct: null });
    expect(row.suppressed.slice(0, 2)).toEqual(['t1dPopulation', 'uptakePct']);
  });

  it('leaves an unknown population and its uptake null, and does not list them as withheld', () => {
    const row = discloseRow({ ...exact(), t1dPopulation: null, uptakePct: null });
    expect(row).toMatchObject({ t1dPopulation: null, uptakePct: null });
    expect(row.suppressed).not.toContain('t1dPopulation');
    expect(row.suppressed).not.toContain('uptakePct');
  });

  it('turns an empty row into itself', () => {
    expect(discloseRow(emptyRow('k', 'l'))).toEqual(emptyRow('k', 'l'));
  });

  it('applies to commissioners only', () => {
    const person = (role: Role) => ({ kind: 'user' as const, userId: 'u', email: 'e', name: 'n', role, siteIds: [] });
    expect(isDisclosureControlled(person('commissioner'))).toBe(true);
    for (const role of ['nurse', 'consultant', 'admin'] as const) expect(isDisclosureControlled(person(role))).toBe(false);
    expect(isDisclosureControlled(systemActor('benchmark'))).toBe(false);
  });
});
