// The outward code (area, district, an optional sub-district letter), then the inward code (sector digit and a
// unit of two letters); GIR 0AA is the one historical exception still in use.
const POSTCODE = /^(?:[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}|GIR0AA)$/;

/**
 * A UK postcode in capitals with one space before the inward code ("ls14ap" becomes "LS1 4AP"), so that one
 * postcode is stored one way; null when the text is not a postcode.
 */
export function normalisePostcode(text: string): string | null {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  return POSTCODE.test(compact) ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : null;
}

export const POSTCODE_MESSAGE = 'Postcode must be a UK postcode, such as LS1 4AP';
