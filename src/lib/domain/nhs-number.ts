/**
 * NHS numbers: 10 digits, the last a modulus 11 check digit. People type them as "943 476 5919", so spaces
 * are accepted on input and dropped; anything else (hyphens, letters, dots) is refused rather than guessed at,
 * because a mistyped identifier must never silently match another patient.
 */

const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/** The check digit the first nine digits call for, or null when they call for 10 (no valid number exists). */
export function nhsCheckDigit(firstNine: string): number | null {
  if (!/^\d{9}$/.test(firstNine)) throw new RangeError('The check digit needs exactly nine digits');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (WEIGHTS[i] ?? 0);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** True for exactly ten digits whose tenth is the modulus 11 check digit of the first nine. */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/** The stored form (ten digits, no spaces) of a valid NHS number as typed, or null when it is not one. */
export function normaliseNhsNumber(input: string): string | null {
  if (!/^[\d ]+$/.test(input)) return null;
  const digits = input.replace(/ /g, '');
  return isValidNhsNumber(digits) ? digits : null;
}

/** The 3-3-4 grouping NHS screens use: "943 476 5919". Anything not ten digits is returned unchanged. */
export function formatNhsNumber(digits: string): string {
  if (!/^\d{10}$/.test(digits)) return digits;
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}
