/**
 * HbA1c units. The UK reports IFCC mmol/mol; older and imported results (Synthea, US labs) come in DCCT %.
 * IFCC = (DCCT - 2.15) x 10.929, rounded to a whole number once, at the end, from the value as reported.
 *
 * The arithmetic is exact: the number is read back as the decimal the user typed (String(5.85) is "5.85") and
 * worked in scaled integers. In binary floating point (5.85 - 2.15) * 10.929 happens to land safely, but other
 * values sit a rounding error from a .5 boundary, and a result that flips 57/58 or 68/69 flips eligibility.
 */

export const HBA1C_UNITS = ['mmol/mol', '%'] as const;
export type Hba1cUnit = (typeof HBA1C_UNITS)[number];

/**
 * Plausible ranges: a guard against typing errors on manual entry (69 typed into the % field), not clinical
 * limits. Each range is for a value typed in that unit, so the two ends need not convert exactly into each other
 * (3% is 9 mmol/mol). Imported results are kept as the source reported them rather than refused: Synthea, for
 * one, reports HbA1c values near 3%.
 */
export const HBA1C_MMOL_MOL_MIN = 20;
export const HBA1C_MMOL_MOL_MAX = 200;
export const HBA1C_PERCENT_MIN = 3;
export const HBA1C_PERCENT_MAX = 20;

export const HBA1C_RANGE: Record<Hba1cUnit, { min: number; max: number }> = {
  'mmol/mol': { min: HBA1C_MMOL_MOL_MIN, max: HBA1C_MMOL_MOL_MAX },
  '%': { min: HBA1C_PERCENT_MIN, max: HBA1C_PERCENT_MAX },
};

/** A finite number as an exact decimal: value = units / 10^scale. */
function toDecimal(value: number): { units: bigint; scale: number } {
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite number: ${value}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`Cannot read ${value} as a decimal`);
  const [, sign = '', whole = '0', fraction = '', exponent = '0'] = match;
  let units = BigInt(`${sign}${whole}${fraction}`);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** numerator / denominator (denominator > 0) to the nearest integer, halves away from zero. */
function roundDivide(numerator: bigint, denominator: bigint): bigint {
  const magnitude = numerator < 0n ? -numerator : numerator;
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return numerator < 0n ? -rounded : rounded;
}

function roundToWhole(value: number): number {
  const { units, scale } = toDecimal(value);
  return Number(roundDivide(units, 10n ** BigInt(scale)));
}

/** DCCT % to IFCC mmol/mol: 8.5 -> 69, 7.5 -> 58, 5.85 -> 40. */
export function percentToMmolMol(percent: number): number {
  const { units, scale } = toDecimal(percent);
  const tenToScale = 10n ** BigInt(scale);
  // (units / 10^scale - 215 / 100) * 10929 / 1000
  const numerator = (units * 100n - 215n * tenToScale) * 10929n;
  const denominator = tenToScale * 100_000n;
  return Number(roundDivide(numerator, denominator));
}

/** IFCC mmol/mol to DCCT %, one decimal place, for display beside the UK unit: 69 -> 8.5, 58 -> 7.5. */
export function mmolMolToPercent(mmolMol: number): number {
  const { units, scale } = toDecimal(mmolMol);
  const tenToScale = 10n ** BigInt(scale);
  // 10 x (units / 10^scale / 10.929 + 2.15) = (20000 units + 43 x 10929 x 10^scale) / (2 x 10929 x 10^scale)
  const numerator = 20_000n * units + 43n * 10929n * tenToScale;
  const denominator = 2n * 10929n * tenToScale;
  return Number(roundDivide(numerator, denominator)) / 10;
}

export interface Hba1cReading {
  value: number;
  unit: Hba1cUnit;
}

export interface ConvertedHba1c {
  mmolMol: number;
  original: Hba1cReading;
}

/**
 * Any reading in the UK unit, keeping the value as reported beside it. A mmol/mol value with decimals is
 * rounded to the whole number the rules and reports use; the original keeps the decimals.
 */
export function toMmolMol(reading: Hba1cReading): ConvertedHba1c {
  const mmolMol = reading.unit === '%' ? percentToMmolMol(reading.value) : roundToWhole(reading.value);
  return { mmolMol, original: { value: reading.value, unit: reading.unit } };
}
