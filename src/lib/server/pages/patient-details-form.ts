/**
 * The patient page's details form as the API's update body. The form always sends each demographic, so a blank
 * one clears what was recorded; the NHS number is on the form only while the patient has no valid one, and a
 * blank there adds nothing.
 */
export function patientDetailsBody(values: Record<string, unknown>): Record<string, unknown> {
  const { version, nhsNumber, ethnicCategory, postcode, imdDecile } = values;
  return {
    version: wholeNumberOr(version),
    ...(nhsNumber === undefined ? {} : { nhsNumber }),
    ethnicCategory: ethnicCategory ?? null,
    postcode: postcode ?? null,
    imdDecile: imdDecile === undefined ? null : wholeNumberOr(imdDecile),
  };
}

// Digits become a number; anything else goes through as sent, for the schema to refuse in words.
const wholeNumberOr = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v);
