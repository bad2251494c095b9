import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  HBA1C_MMOL_MOL_MAX,
  HBA1C_MMOL_MOL_MIN,
  HBA1C_PERCENT_MAX,
  HBA1C_PERCENT_MIN,
  mmolMolToPercent,
  percentToMmolMol,
  toMmolMol,
} from './hba1c';
import { isPlausibleHba1c } from '../../../tests/support/oracles';

describe('DCCT % to IFCC mmol/mol', () => {
  it.each([
    [8.5, 69, 'the TA151 threshold'],
    [7.5, 58, 'the TA943 threshold'],
    [5.85, 40, 'rounded once from 40.437, not via 5.9% (41)'],
    [6.5, 48, 'the diagnostic threshold (47.54)'],
    [2.15, 0, 'the zero point of the equation'],
    [8.45, 69, '68.85 rounds up to 69'],
    [8.4, 68, '68.30 rounds down to 68'],
    [7.4, 57, '57.38 rounds down to 57, below the TA943 threshold'],
    [7.44, 58, '57.81 rounds up to 58, at the TA943 threshold'],
    [20, 195, 'the top of the plausible range'],
    [4, 20, '20.22 rounds down to 20'],
    [3, 9, 'the bottom of the plausible % range'],
    [10, 86, 'a poorly controlled result'],
  ])('%s%% is %i mmol/mol (%s)', (percent, mmolMol) => {
    expect(percentToMmolMol(percent)).toBe(mmolMol);
  });

  it('works from the decimal as reported, not its binary approximation', () => {
    // (p - 2.15) x 10.929 with p read exactly; compare against the same sum in integer thousandths.
    fc.assert(
      fc.property(fc.integer({ min: 4000, max: 20000 }), (thousandths) => {
        // In millionths of a mmol/mol the product is an exact integer; round half up from there.
        const millionths = (thousandths - 2150) * 10929;
        expect(percentToMmolMol(thousandths / 1000)).toBe(Math.floor((millionths + 500_000) / 1_000_000));
      }),
    );
  });

  it('refuses numbers that are not finite', () => {
    expect(() => percentToMmolMol(Number.NaN)).toThrow(RangeError);
    expect(() => percentToMmolMol(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('IFCC mmol/mol to DCCT %, to one decimal', () => {
  it.each([
    [69, 8.5],
    [58, 7.5],
    [48, 6.5],
    [40, 5.8],
    [20, 4],
    [9, 3],
    [195, 20],
  ])('%i mmol/mol is %s%%', (mmolMol, percent) => expect(mmolMolToPercent(mmolMol)).toBe(percent));

  it('round-trips every whole mmol/mol in the plausible range to within one mmol/mol', () => {
    for (let mmolMol = HBA1C_MMOL_MOL_MIN; mmolMol <= HBA1C_MMOL_MOL_MAX; mmolMol++) {
      expect(Math.abs(percentToMmolMol(mmolMolToPercent(mmolMol)) - mmolMol)).toBeLessThanOrEqual(1);
    }
  });
});

describe('an HbA1c reading in the UK unit, with the original kept', () => {
  it('converts a % result and keeps what the laboratory reported', () => {
    expect(toMmolMol({ value: 8.5, unit: '%' })).toEqual({ mmolMol: 69, original: { value: 8.5, unit: '%' } });
  });

  it('keeps a mmol/mol result as it is', () => {
    expect(toMmolMol({ value: 72, unit: 'mmol/mol' })).toEqual({ mmolMol: 72, original: { value: 72, unit: 'mmol/mol' } });
  });

  it('rounds a mmol/mol result with decimals to a whole number and keeps the decimals in the original', () => {
    expect(toMmolMol({ value: 68.5, unit: 'mmol/mol' })).toEqual({
      mmolMol: 69,
      original: { value: 68.5, unit: 'mmol/mol' },
    });
    expect(toMmolMol({ value: 68.49, unit: 'mmol/mol' }).mmolMol).toBe(68);
  });
});

describe('plausible HbA1c values', () => {
  it('accepts the ends of each range and refuses just outside them', () => {
    expect(isPlausibleHba1c(HBA1C_MMOL_MOL_MIN, 'mmol/mol')).toBe(true);
    expect(isPlausibleHba1c(HBA1C_MMOL_MOL_MAX, 'mmol/mol')).toBe(true);
    expect(isPlausibleHba1c(HBA1C_MMOL_MOL_MIN - 1, 'mmol/mol')).toBe(false);
    expect(isPlausibleHba1c(HBA1C_MMOL_MOL_MAX + 1, 'mmol/mol')).toBe(false);
    expect(isPlausibleHba1c(HBA1C_PERCENT_MIN, '%')).toBe(true);
    expect(isPlausibleHba1c(HBA1C_PERCENT_MAX, '%')).toBe(true);
    expect(isPlausibleHba1c(HBA1C_PERCENT_MIN - 0.1, '%')).toBe(false);
    expect(isPlausibleHba1c(HBA1C_PERCENT_MAX + 0.1, '%')).toBe(false);
  });

  it('refuses a mmol/mol value entered in the % field and the other way round', () => {
    expect(isPlausibleHba1c(69, '%')).toBe(false);
    expect(isPlausibleHba1c(8.5, 'mmol/mol')).toBe(false);
  });

  it('refuses NaN', () => expect(isPlausibleHba1c(Number.NaN, 'mmol/mol')).toBe(false));
});
