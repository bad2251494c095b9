import { ageOnDate } from './age';
import { parseCalendarDate, sameDayYearsBefore } from './calendar-date';
import { CURRENT_TECHNOLOGIES, type CurrentTechnology, type DiabetesType, type Therapy } from './vocabulary';

// Kept for the FHIR adapter, which imports it from here.
export type { DiabetesType };

/**
 * The rule engine behind the consultant's eligibility queue: NICE TA151 (CSII) and TA943 (hybrid closed loop),
 * as docs/eligibility.md ("The rules") states them. It suggests; the consultant decides (a different decision needs a rationale).
 * Each rule's condition is exactly the wording of docs/eligibility.md, and `met` lists every rule that holds, so a type 2
 * referral can show TA151-1.1b beside the TA151-1.5 that excludes it.
 */

export const RULE_IDS = [
  'TA151-1.1a',
  'TA151-1.1b',
  'TA151-1.2',
  'TA151-1.5',
  'TA943-1.1',
  'TA943-1.2',
  'TA943-1.3',
  'TA943-1.5',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** The engine suggests one of these; only the consultant may defer. */
export const SUGGESTIONS = ['eligible', 'not_eligible'] as const;
export type Suggestion = (typeof SUGGESTIONS)[number];

/** TA151 1.1b: "at or above 69 mmol/mol (8.5%)". */
export const CSII_HBA1C_THRESHOLD_MMOL_MOL = 69;
/** TA943 1.1: "at or above 58 mmol/mol (7.5%)". */
export const HCL_HBA1C_THRESHOLD_MMOL_MOL = 58;
export const CSII_MIN_AGE = 12;
export const ADULT_AGE = 18;

export interface EligibilityInput {
  therapy: Therapy;
  birthDate: string;
  assessedOn: string;
  diabetesType: DiabetesType;
  /** The assessor's value, else the latest within 12 months (see `hba1cForAssessment`); null when none. */
  hba1cMmolMol: number | null;
  disablingHypoglycaemia: boolean;
  mdiTried: boolean;
  mdiImpractical?: boolean;
  currentTechnology?: readonly CurrentTechnology[];
  structuredEducation: boolean;
  pregnancy?: boolean;
}

export interface EligibilityResult {
  met: RuleId[];
  suggestion: Suggestion;
  explanation: string;
}

interface RuleOutcome {
  id: RuleId;
  met: boolean;
  /** Why, in the consultant's words, without the trailing "<id> met." */
  because: string;
}

const TECHNOLOGY_NAMES: Record<CurrentTechnology, string> = {
  csii: 'CSII',
  rtcgm: 'real-time CGM',
  iscgm: 'intermittently scanned CGM',
};

function hba1cAgainst(hba1c: number | null, threshold: number): string {
  if (hba1c === null) return 'No HbA1c in the 12 months before assessment';
  const side = hba1c >= threshold ? 'is at or above' : 'is below';
  return `HbA1c ${hba1c} mmol/mol ${side} ${threshold} mmol/mol`;
}

function listInEnglish(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function csiiRules(input: EligibilityInput, age: number): RuleOutcome[] {
  const twelveOrOver = age >= CSII_MIN_AGE;
  const hba1c = input.hba1cMmolMol;
  const highHba1c = hba1c !== null && hba1c >= CSII_HBA1C_THRESHOLD_MMOL_MOL;

  const ta151_1_1a: RuleOutcome = !twelveOrOver
    ? { id: 'TA151-1.1a', met: false, because: 'Under 12' }
    : !input.disablingHypoglycaemia
      ? { id: 'TA151-1.1a', met: false, because: 'No disabling hypoglycaemia reported' }
      : !input.mdiTried
        ? { id: 'TA151-1.1a', met: false, because: 'Disabling hypoglycaemia reported, but MDI not tried' }
        : { id: 'TA151-1.1a', met: true, because: 'Disabling hypoglycaemia while trying to reach target HbA1c on MDI' };

  const ta151_1_1b: RuleOutcome = !twelveOrOver
    ? { id: 'TA151-1.1b', met: false, because: 'Under 12' }
    : !highHba1c
      ? { id: 'TA151-1.1b', met: false, because: hba1cAgainst(hba1c, CSII_HBA1C_THRESHOLD_MMOL_MOL) }
      : !input.mdiTried
        ? {
            id: 'TA151-1.1b',
            met: false,
            because: `${hba1cAgainst(hba1c, CSII_HBA1C_THRESHOLD_MMOL_MOL)}, but MDI not tried`,
          }
        : { id: 'TA151-1.1b', met: true, because: `${hba1cAgainst(hba1c, CSII_HBA1C_THRESHOLD_MMOL_MOL)} on MDI` };

  const ta151_1_2: RuleOutcome = twelveOrOver
    ? { id: 'TA151-1.2', met: false, because: 'Aged 12 or over' }
    : input.mdiImpractical === true
      ? { id: 'TA151-1.2', met: true, because: 'Under 12 and MDI impractical or inappropriate' }
      : { id: 'TA151-1.2', met: false, because: 'Under 12, but MDI not judged impractical or inappropriate' };

  const ta151_1_5: RuleOutcome =
    input.diabetesType === 'type2'
      ? { id: 'TA151-1.5', met: true, because: 'Type 2 diabetes, for which CSII is not recommended' }
      : { id: 'TA151-1.5', met: false, because: notOfType(input.diabetesType, 'type 2') };

  return [ta151_1_1a, ta151_1_1b, ta151_1_2, ta151_1_5];
}

function hclRules(input: EligibilityInput, age: number): RuleOutcome[] {
  const type1 = input.diabetesType === 'type1';
  const notType1 = notOfType(input.diabetesType, 'type 1');
  const hba1c = input.hba1cMmolMol;
  const highHba1c = hba1c !== null && hba1c >= HCL_HBA1C_THRESHOLD_MMOL_MOL;
  // TA943 1.1's "best possible management with at least one of CSII, real-time CGM or intermittently scanned CGM".
  const technology = CURRENT_TECHNOLOGIES.filter((t) => input.currentTechnology?.includes(t));
  const despite = `despite ${listInEnglish(technology.map((t) => TECHNOLOGY_NAMES[t]))}`;

  const need = highHba1c && input.disablingHypoglycaemia
    ? `${hba1cAgainst(hba1c, HCL_HBA1C_THRESHOLD_MMOL_MOL)} and disabling hypoglycaemia`
    : highHba1c
      ? hba1cAgainst(hba1c, HCL_HBA1C_THRESHOLD_MMOL_MOL)
      : input.disablingHypoglycaemia
        ? 'Disabling hypoglycaemia'
        : `${hba1cAgainst(hba1c, HCL_HBA1C_THRESHOLD_MMOL_MOL)} and no disabling hypoglycaemia`;

  const ta943_1_1: RuleOutcome = !type1
    ? { id: 'TA943-1.1', met: false, because: notType1 }
    : age < ADULT_AGE
      ? { id: 'TA943-1.1', met: false, because: 'Under 18' }
      : !(highHba1c || input.disablingHypoglycaemia)
        ? { id: 'TA943-1.1', met: false, because: need }
        : technology.length === 0
          ? { id: 'TA943-1.1', met: false, because: `${need}, but not yet using CSII, real-time CGM or intermittently scanned CGM` }
          : { id: 'TA943-1.1', met: true, because: `${need}, ${despite}` };

  const ta943_1_2: RuleOutcome = !type1
    ? { id: 'TA943-1.2', met: false, because: notType1 }
    : age < ADULT_AGE
      ? { id: 'TA943-1.2', met: true, because: 'Under 18 with type 1 diabetes' }
      : { id: 'TA943-1.2', met: false, because: 'Aged 18 or over' };

  const ta943_1_3: RuleOutcome =
    input.pregnancy !== true
      ? { id: 'TA943-1.3', met: false, because: 'Not pregnant or planning pregnancy' }
      : type1
        ? { id: 'TA943-1.3', met: true, because: 'Pregnant or planning pregnancy, with type 1 diabetes' }
        : { id: 'TA943-1.3', met: false, because: `Pregnant or planning pregnancy, but ${lowerFirst(notType1)}` };

  const ta943_1_5: RuleOutcome = input.structuredEducation
    ? { id: 'TA943-1.5', met: true, because: 'Able to use the system, with structured education had or offered' }
    : { id: 'TA943-1.5', met: false, because: 'No structured education had or offered' };

  return [ta943_1_1, ta943_1_2, ta943_1_3, ta943_1_5];
}

/** "Type 1 diabetes, not type 2", "Diabetes type not recorded as type 1", and so on. */
function notOfType(type: DiabetesType, wanted: 'type 1' | 'type 2'): string {
  switch (type) {
    case 'type1':
      return `Type 1 diabetes, not ${wanted}`;
    case 'type2':
      return `Type 2 diabetes, not ${wanted}`;
    case 'other':
      return `Another type of diabetes, not ${wanted}`;
    case 'unknown':
      return `Diabetes type not recorded as ${wanted}`;
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function isMet(rules: RuleOutcome[], id: RuleId): boolean {
  return rules.some((rule) => rule.id === id && rule.met);
}

/** The rule engine's view of a referral at its assessment date. */
export function evaluateEligibility(input: EligibilityInput): EligibilityResult {
  const age = ageOnDate(input.birthDate, input.assessedOn);
  const rules = input.therapy === 'csii' ? csiiRules(input, age) : hclRules(input, age);

  const eligible =
    input.therapy === 'csii'
      ? (isMet(rules, 'TA151-1.1a') || isMet(rules, 'TA151-1.1b') || isMet(rules, 'TA151-1.2')) &&
        !isMet(rules, 'TA151-1.5')
      : input.diabetesType === 'type1' &&
        (isMet(rules, 'TA943-1.1') || isMet(rules, 'TA943-1.2') || isMet(rules, 'TA943-1.3')) &&
        isMet(rules, 'TA943-1.5');

  const therapyName = input.therapy === 'csii' ? 'CSII' : 'HCL';
  const guidance = input.therapy === 'csii' ? 'NICE TA151' : 'NICE TA943';
  const sentences = [
    `Aged ${age} at assessment.`,
    ...rules.map((rule) => `${rule.because}: ${rule.id} ${rule.met ? 'met' : 'not met'}.`),
    `Suggestion: ${eligible ? 'eligible' : 'not eligible'} for ${therapyName} under ${guidance}.`,
  ];

  return {
    met: rules.filter((rule) => rule.met).map((rule) => rule.id),
    suggestion: eligible ? 'eligible' : 'not_eligible',
    explanation: sentences.join(' '),
  };
}

export interface DatedHba1c {
  /** A date (YYYY-MM-DD) or a date-time as the source gave it. */
  effective: string;
  mmolMol: number;
}

/**
 * The calendar day a result belongs to: the date as the source wrote it. A date-time's own offset is kept
 * (not converted to UTC), so a test taken at 00:30 British Summer Time stays on the day the clinic saw it.
 */
function effectiveDay(effective: string): string | null {
  const day = effective.slice(0, 10);
  return parseCalendarDate(day) && (effective.length === 10 || effective[10] === 'T') ? day : null;
}

/**
 * The latest HbA1c in the 12 months up to and including the assessment date, or null. The window opens on the
 * same calendar day a year earlier, inclusive (a result from 2023-06-15 counts for a 2024-06-15 assessment).
 * Results after the assessment date and unreadable dates are ignored. On one day, the later instant wins when
 * both carry a time; otherwise the first given wins.
 */
export function latestHba1cWithin12Months<T extends DatedHba1c>(results: readonly T[], assessedOn: string): T | null {
  const windowOpens = sameDayYearsBefore(assessedOn, 1);
  let best: { result: T; day: string } | null = null;
  for (const result of results) {
    const day = effectiveDay(result.effective);
    if (day === null || day < windowOpens || day > assessedOn) continue;
    if (best === null || day > best.day || (day === best.day && laterInstant(result.effective, best.result.effective))) {
      best = { result, day };
    }
  }
  return best?.result ?? null;
}

function laterInstant(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return a.length > 10 && b.length > 10 && Number.isFinite(ta) && Number.isFinite(tb) && ta > tb;
}

/** docs/eligibility.md: "the assessor's value, else the patient's latest result in the 12 months up to and including the assessment date". */
export function hba1cForAssessment(
  assessorValue: number | null | undefined,
  results: readonly DatedHba1c[],
  assessedOn: string,
): number | null {
  if (assessorValue !== null && assessorValue !== undefined) return assessorValue;
  return latestHba1cWithin12Months(results, assessedOn)?.mmolMol ?? null;
}
