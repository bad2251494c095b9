import { formatUkDate } from './format';
import {
  BARRIER_LABEL,
  DIABETES_TYPE_LABEL,
  ETHNIC_CATEGORY_LABEL,
  EVENT_LABEL,
  FACILITATION_KIND_LABEL,
  FACILITATION_MODE_LABEL,
  FUNDING_KIND_LABEL,
  OUTCOME_LABEL,
  PRIORITY_LABEL,
  ROUTE_LABEL,
  SEX_LABEL,
  SOURCE_LABEL,
  STATUS_LABEL,
  THERAPY_LABEL,
  WITHDRAWAL_LABEL,
} from './labels';

/** One changed field of an audited record, in words: "Status: Awaiting start -> On therapy". */
export interface Change {
  field: string;
  before: string | null;
  after: string | null;
}

// Bookkeeping that changes with every write says nothing about what the person did.
const NOT_SHOWN = new Set(['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'lastEventOn', 'fhirFetchedAt']);

const FIELD_LABEL: Record<string, string> = {
  nhsNumber: 'NHS number',
  imdDecile: 'Deprivation decile',
  ethnicCategory: 'Ethnic category',
  fhirId: 'FHIR id',
  odsCode: 'ODS code',
  icb: 'ICB',
  t1dPopulation: 'Type 1 population',
  t1dPopulationAsOf: 'Type 1 population as of',
  hba1cMmolMol: 'HbA1c (mmol/mol)',
  mmolMol: 'HbA1c (mmol/mol)',
  cgm: 'CGM',
  mdiTried: 'MDI tried',
  mdiImpractical: 'MDI impractical',
  kind: 'Activity',
  category: 'Category',
  event: 'Step',
};

const CODES: Record<string, Record<string, string>> = {
  status: STATUS_LABEL,
  therapy: THERAPY_LABEL,
  sex: SEX_LABEL,
  diabetesType: DIABETES_TYPE_LABEL,
  ethnicCategory: ETHNIC_CATEGORY_LABEL,
  source: SOURCE_LABEL,
  priorityGroup: PRIORITY_LABEL,
  route: ROUTE_LABEL,
  outcome: OUTCOME_LABEL,
  funding: FUNDING_KIND_LABEL,
  mode: FACILITATION_MODE_LABEL,
  kind: FACILITATION_KIND_LABEL,
  category: BARRIER_LABEL,
  type: EVENT_LABEL,
  origin: { pathway: 'Pathway referral', existing: 'Already on therapy' },
};

/** "givenName" -> "Given name"; "event.payload.startedOn" -> "Step: started on". */
export function fieldLabel(path: string): string {
  if (path === 'event.type') return 'Step';
  const parts = path.split('.').filter((p) => p !== 'payload');
  const words = parts.map((p) => FIELD_LABEL[p] ?? p.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase());
  const text = words.join(': ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function valueText(field: string, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (Array.isArray(value)) return value.length ? value.map((v) => valueText(field, v)).join(', ') : null;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') {
    const code = CODES[field.split('.').at(-1)!]?.[value];
    if (code) return code;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatUkDate(value);
    return value;
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Nested objects (a referral event's payload) as dotted fields, so each changed value is its own line. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (!prefix && NOT_SHOWN.has(k)) continue;
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}

/** The fields whose value differs between the record before and after, each in words; unchanged ones left out. */
export function changesOf(before: unknown, after: unknown): Change[] {
  const a = flatten(before);
  const b = flatten(after);
  const changes: Change[] = [];
  for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const was = valueText(field, a[field]);
    const now = valueText(field, b[field]);
    if (was !== now) changes.push({ field: fieldLabel(field), before: was, after: now });
  }
  return changes;
}
