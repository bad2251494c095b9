import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatNhsNumber, isValidNhsNumber, nhsCheckDigit, normaliseNhsNumber } from './nhs-number';

// Check digits worked by hand: 943476591 -> sum 299, 299 mod 11 = 2, 11 - 2 = 9.
describe('NHS number modulus 11 check', () => {
  it.each([
    ['9434765919', 'the NHS Digital example number'],
    ['9990000018', 'a test-range number'],
    ['4010232137', 'another published test number'],
    ['1000000060', 'a number whose remainder is 0, so 11 - 0 = 11 means check digit 0'],
  ])('accepts %s (%s)', (digits) => expect(isValidNhsNumber(digits)).toBe(true));

  it('gives check digit 0 when 11 minus the remainder is 11', () => expect(nhsCheckDigit('100000006')).toBe(0));

  it('has no valid number when 11 minus the remainder is 10', () => {
    // 1x10 + 2x9 + 3x8 + ... + 9x2 = 210; 210 mod 11 = 1; 11 - 1 = 10.
    expect(nhsCheckDigit('123456789')).toBeNull();
    for (let last = 0; last <= 9; last++) expect(isValidNhsNumber(`123456789${last}`)).toBe(false);
  });

  it.each([
    ['9434765918', 'a wrong check digit'],
    ['9434765910', 'check digit 0 where 9 is due'],
    ['943476591', 'nine digits'],
    ['94347659190', 'eleven digits'],
    ['943476591X', 'a letter'],
    ['943 476 5919', 'spaces (the stored form has none)'],
    ['', 'nothing'],
  ])('rejects %s (%s)', (digits) => expect(isValidNhsNumber(digits)).toBe(false));

  it('catches any single mistyped digit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (position, shift) => {
        const digits = '9434765919';
        const changed = (Number(digits[position]) + shift) % 10;
        const typo = `${digits.slice(0, position)}${changed}${digits.slice(position + 1)}`;
        expect(isValidNhsNumber(typo)).toBe(false);
      }),
    );
  });

  it('catches two adjacent digits swapped', () => {
    expect(isValidNhsNumber('4934765919')).toBe(false);
    expect(isValidNhsNumber('9437465919')).toBe(false);
  });
});

describe('NHS number as typed', () => {
  it.each([
    ['9434765919', '9434765919'],
    ['943 476 5919', '9434765919'],
    ['  943 476 5919 ', '9434765919'],
    ['9 4 3 4 7 6 5 9 1 9', '9434765919'],
  ])('stores %j as %s', (input, stored) => expect(normaliseNhsNumber(input)).toBe(stored));

  it.each([
    ['943-476-5919', 'hyphens'],
    ['943.476.5919', 'dots'],
    ['943\t476\t5919', 'tabs'],
    ['943 476 591O', 'a letter O for a zero'],
    ['943 476 5918', 'a wrong check digit'],
    ['943 476 591', 'too few digits'],
    ['   ', 'only spaces'],
    ['', 'nothing'],
  ])('refuses %j (%s)', (input) => expect(normaliseNhsNumber(input)).toBeNull());
});

describe('NHS number on screen', () => {
  it('groups the digits 3-3-4', () => expect(formatNhsNumber('9434765919')).toBe('943 476 5919'));
  it('leaves anything that is not ten digits as it is', () => {
    expect(formatNhsNumber('94347')).toBe('94347');
    expect(formatNhsNumber('943 476 5919')).toBe('943 476 5919');
  });
  it('reads back to the same stored number', () => {
    expect(normaliseNhsNumber(formatNhsNumber('9990000018'))).toBe('9990000018');
  });
});
