import { nhsCheckDigit } from '../../domain/nhs-number';

/**
 * NHS numbers for made-up people, all starting 999: a range the NHS keeps for testing, so a demo record can
 * never be mistaken for (or clash with) a real person's. The six digits after the prefix walk a fixed
 * permutation of 000000-999999, so numbers look scattered yet never repeat; a prefix whose check digit would
 * be 10 has no valid number and is skipped.
 */

const PREFIX = '999';
const SPACE = 1_000_000;
/** Coprime with 10^6, so i -> (i * STRIDE + offset) mod 10^6 visits every value once. */
const STRIDE = 7919 * 13;

export interface NhsNumberSource {
  next(): string;
}

export function nhsNumberSource(offset: number): NhsNumberSource {
  let index = 0;
  const start = Math.abs(Math.trunc(offset)) % SPACE;
  return {
    next() {
      while (index < SPACE) {
        const firstNine = PREFIX + String((index * STRIDE + start) % SPACE).padStart(6, '0');
        index++;
        const check = nhsCheckDigit(firstNine);
        if (check !== null) return firstNine + String(check);
      }
      throw new RangeError('The 999 test range has no NHS numbers left: generate fewer patients');
    },
  };
}
