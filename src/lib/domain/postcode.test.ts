import { describe, expect, it } from 'vitest';
import { normalisePostcode } from './postcode';

describe('a postcode is stored one way', () => {
  it.each([
    ['ls14ap', 'LS1 4AP'],
    [' LS1  4AP ', 'LS1 4AP'],
    ['sw1a1aa', 'SW1A 1AA'],
    ['M1 1AE', 'M1 1AE'],
    ['b33 8th', 'B33 8TH'],
    ['CR2 6XH', 'CR2 6XH'],
    ['GIR 0AA', 'GIR 0AA'],
  ])('%s is %s', (text, stored) => expect(normalisePostcode(text)).toBe(stored));

  it.each(['', 'LS1', '12345', 'LS1 4A', 'LS1 4APX', '=HYPERLINK("x")', 'LS1-4AP'])('%j is not a postcode', (text) =>
    expect(normalisePostcode(text)).toBeNull(),
  );
});
