/**
 * Turns a pathway event form (all strings) into the API's event body, so the page validates with the very
 * schema the API uses. Yes/no radios become booleans, numbers become numbers, blanks stay absent.
 */
const BOOLEAN_FIELDS = ['disablingHypoglycaemia', 'mdiTried', 'mdiImpractical', 'structuredEducation', 'pregnancy'];
const NUMBER_FIELDS = ['hba1cMmolMol', 'continuationTargetMmolMol', 'severeHyposSinceStart', 'version'];

export function eventBodyFromForm(data: FormData): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, raw] of data.entries()) {
    if (typeof raw !== 'string' || key === 'currentTechnology') continue;
    const value = raw.trim();
    if (value === '') continue;
    if (BOOLEAN_FIELDS.includes(key)) body[key] = value === 'yes' ? true : value === 'no' ? false : value;
    else if (NUMBER_FIELDS.includes(key)) body[key] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    else body[key] = value;
  }
  const technology = data.getAll('currentTechnology').filter((v): v is string => typeof v === 'string');
  if (body.type === 'assessment') body.currentTechnology = technology;
  return body;
}
