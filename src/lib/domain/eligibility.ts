import { ageOnDate } from './age';
import { parseCalendarDate, sameDayYearsBefore } from './calendar-date';
import { CURRENT_TECHNOLOGIES, type CurrentTechnology, type DiabetesType, type PriorityGroup, type Therapy } from './vocabulary';

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
  /** TA151 only: a closed-loop assessment need not answer it. */
  mdiTried?: boolean;
  mdiImpractical?: boolean;
  currentTechnology?: readonly CurrentTechnology[];
  structuredEducation: boolean;
  pregnancy?: boolean;
}

export interface EligibilityResult {
  met: RuleId[];
  suggestion: Suggestion;
  explanation: string;
  /** What the person still needs for the suggestion to be eligible, each naming its rules; empty when eligible. */
  missing: string[];
}

/**
 * How a rule stands for this person: `not_applicable` when the rule is about another group (a TA151-1.2 for under
 * 12s, for someone of 63), so that "not met" is said only of a rule that could have been met.
 */
export const RULE_STANDINGS = ['met', 'not_met', 'not_applicable'] as const;
export type RuleStanding = (typeof RULE_STANDINGS)[number];

export interface RuleOutcome {
  id: RuleId;
  standing: RuleStanding;
  /** Why, in the consultant's words. */
  because: string;
}

/** Who each rule is about, said when it does not apply to this person. */
const RULE_SCOPE: Record<RuleId, string> = {
  'TA151-1.1a': 'it is for people aged 12 or over',
  'TA151-1.1b': 'it is for people aged 12 or over',
  'TA151-1.2': 'it is for children under 12',
  'TA151-1.5': 'it excludes type 2 diabetes only',
  'TA943-1.1': 'it is for adults',
  'TA943-1.2': 'it is for children and young people under 18',
  'TA943-1.3': 'it is for pregnancy or planned pregnancy',
  'TA943-1.5': 'it applies to everyone',
};

const met = (id: RuleId, because: string): RuleOutcome => ({ id, standing: 'met', because });
const notMet = (id: RuleId, because: string): RuleOutcome => ({ id, standing: 'not_met', because });
const notApplicable = (id: RuleId, because: string): RuleOutcome => ({ id, standing: 'not_applicable', because });

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
  const mdiTried = input.mdiTried === true;

  const ta151_1_1a: RuleOutcome = !twelveOrOver
    ? notApplicable('TA151-1.1a', 'Under 12')
    : !input.disablingHypoglycaemia
      ? notMet('TA151-1.1a', 'No disabling hypoglycaemia reported')
      : !mdiTried
        ? notMet('TA151-1.1a', 'Disabling hypoglycaemia reported, but MDI not tried')
        : met('TA151-1.1a', 'Disabling hypoglycaemia while trying to reach target HbA1c on MDI');

  const ta151_1_1b: RuleOutcome = !twelveOrOver
    ? notApplicable('TA151-1.1b', 'Under 12')
    : !highHba1c
      ? notMet('TA151-1.1b', hba1cAgainst(hba1c, CSII_HBA1C_THRESHOLD_MMOL_MOL))
      : !mdiTried
        ? notMet('TA151-1.1b', `${hba1cAgainst(hba1c, CSII_HBA1C_THRESHOLD_MMOL_MOL)}, but MDI not tried`)
        : met('TA151-1.1b', `${hba1cAgainst(hba1c, CSII_HBA1C_THRESHOLD_MMOL_MOL)} on MDI`);

  const ta151_1_2: RuleOutcome = twelveOrOver
    ? notApplicable('TA151-1.2', 'Aged 12 or over')
    : input.mdiImpractical === true
      ? met('TA151-1.2', 'Under 12 and MDI impractical or inappropriate')
      : notMet('TA151-1.2', 'Under 12, but MDI not judged impractical or inappropriate');

  // An exclusion: it holds for type 2 only, says nothing of type 1 or another type, and cannot be ruled out unrecorded.
  const ta151_1_5: RuleOutcome =
    input.diabetesType === 'type2'
      ? met('TA151-1.5', 'Type 2 diabetes, for which CSII is not recommended')
      : input.diabetesType === 'unknown'
        ? notMet('TA151-1.5', 'Diabetes type not recorded, so type 2 is not ruled out')
        : notApplicable('TA151-1.5', input.diabetesType === 'type1' ? 'Type 1 diabetes' : 'Another type of diabetes');

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

  const ta943_1_1: RuleOutcome = age < ADULT_AGE
    ? notApplicable('TA943-1.1', 'Under 18')
    : !type1
      ? notMet('TA943-1.1', notType1)
      : !(highHba1c || input.disablingHypoglycaemia)
        ? notMet('TA943-1.1', need)
        : technology.length === 0
          ? notMet('TA943-1.1', `${need}, but not yet using CSII, real-time CGM or intermittently scanned CGM`)
          : met('TA943-1.1', `${need}, ${despite}`);

  const ta943_1_2: RuleOutcome = age >= ADULT_AGE
    ? notApplicable('TA943-1.2', 'Aged 18 or over')
    : type1
      ? met('TA943-1.2', 'Under 18 with type 1 diabetes')
      : notMet('TA943-1.2', `Under 18, but ${lowerFirst(notType1)}`);

  const ta943_1_3: RuleOutcome =
    input.pregnancy !== true
      ? notApplicable('TA943-1.3', 'Not pregnant or planning pregnancy')
      : type1
        ? met('TA943-1.3', 'Pregnant or planning pregnancy, with type 1 diabetes')
        : notMet('TA943-1.3', `Pregnant or planning pregnancy, but ${lowerFirst(notType1)}`);

  const ta943_1_5: RuleOutcome = input.structuredEducation
    ? met('TA943-1.5', 'Able to use the system, with structured education had or offered')
    : notMet('TA943-1.5', 'No structured education had or offered');

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
  return rules.some((rule) => rule.id === id && rule.standing === 'met');
}

/** Each of the therapy's rules, met, not met or not applying to this person, with why. */
export function ruleOutcomes(input: EligibilityInput): RuleOutcome[] {
  const age = ageOnDate(input.birthDate, input.assessedOn);
  return input.therapy === 'csii' ? csiiRules(input, age) : hclRules(input, age);
}

/** What the person lacks for the therapy's rules to suggest eligible, each naming the rules it would meet. */
function missingFor(input: EligibilityInput, rules: RuleOutcome[], age: number): string[] {
  const missing: string[] = [];
  if (input.therapy === 'csii') {
    if (isMet(rules, 'TA151-1.5')) return ['diabetes other than type 2 (TA151-1.5 excludes type 2)'];
    if (isMet(rules, 'TA151-1.1a') || isMet(rules, 'TA151-1.1b') || isMet(rules, 'TA151-1.2')) return missing;
    if (age < CSII_MIN_AGE) return [...missing, 'multiple daily injections judged impractical or inappropriate (TA151-1.2)'];
    const hba1c = input.hba1cMmolMol;
    const highHba1c = hba1c !== null && hba1c >= CSII_HBA1C_THRESHOLD_MMOL_MOL;
    if (!input.disablingHypoglycaemia && !highHba1c) {
      missing.push(`disabling hypoglycaemia (TA151-1.1a) or an HbA1c at or above ${CSII_HBA1C_THRESHOLD_MMOL_MOL} mmol/mol (TA151-1.1b)`);
    }
    if (input.mdiTried !== true) missing.push('multiple daily injections tried (TA151-1.1a, TA151-1.1b)');
    return missing;
  }
  if (input.diabetesType !== 'type1') missing.push('type 1 diabetes (TA943)');
  else if (!isMet(rules, 'TA943-1.1') && !isMet(rules, 'TA943-1.2') && !isMet(rules, 'TA943-1.3')) {
    const hba1c = input.hba1cMmolMol;
    const need = (hba1c !== null && hba1c >= HCL_HBA1C_THRESHOLD_MMOL_MOL) || input.disablingHypoglycaemia;
    missing.push(
      need
        ? 'best possible management with CSII, real-time CGM or intermittently scanned CGM (TA943-1.1), or pregnancy (TA943-1.3)'
        : `an HbA1c at or above ${HCL_HBA1C_THRESHOLD_MMOL_MOL} mmol/mol or disabling hypoglycaemia, despite CSII or CGM (TA943-1.1), or pregnancy (TA943-1.3)`,
    );
  }
  if (!isMet(rules, 'TA943-1.5')) missing.push('structured education had or offered (TA943-1.5)');
  return missing;
}

const STANDING_WORDS: Record<RuleStanding, string> = { met: 'met', not_met: 'not met', not_applicable: 'does not apply' };

/** "Aged 12 or over: TA151-1.2 does not apply (it is for children under 12)." */
export function ruleSentence(rule: RuleOutcome): string {
  const scope = rule.standing === 'not_applicable' ? ` (${RULE_SCOPE[rule.id]})` : '';
  return `${rule.because}: ${rule.id} ${STANDING_WORDS[rule.standing]}${scope}.`;
}

/** The rule engine's view of a referral at its assessment date. */
export function evaluateEligibility(input: EligibilityInput): EligibilityResult {
  const age = ageOnDate(input.birthDate, input.assessedOn);
  const rules = ruleOutcomes(input);

  const eligible =
    input.therapy === 'csii'
      ? (isMet(rules, 'TA151-1.1a') || isMet(rules, 'TA151-1.1b') || isMet(rules, 'TA151-1.2')) &&
        !isMet(rules, 'TA151-1.5')
      : input.diabetesType === 'type1' &&
        (isMet(rules, 'TA943-1.1') || isMet(rules, 'TA943-1.2') || isMet(rules, 'TA943-1.3')) &&
        isMet(rules, 'TA943-1.5');
  const missing = eligible ? [] : missingFor(input, rules, age);

  const therapyName = input.therapy === 'csii' ? 'CSII' : 'HCL';
  const guidance = input.therapy === 'csii' ? 'NICE TA151' : 'NICE TA943';
  const sentences = [
    `Aged ${age} at assessment.`,
    ...rules.map(ruleSentence),
    eligible
      ? `Suggestion: eligible for ${therapyName} under ${guidance}.`
      : `Suggestion: not eligible for ${therapyName} under ${guidance}; eligibility needs ${listInEnglish(missing)}.`,
  ];

  return {
    met: rules.filter((rule) => rule.standing === 'met').map((rule) => rule.id),
    suggestion: eligible ? 'eligible' : 'not_eligible',
    explanation: sentences.join(' '),
    missing,
  };
}

/** The facts a referral carries before anyone assesses it. */
export interface ReferralFacts {
  therapy: Therapy;
  birthDate: string;
  assessedOn: string;
  diabetesType: DiabetesType;
  hba1cMmolMol: number | null;
  priorityGroup: PriorityGroup | null;
}

/** The assessment's answers; any left out is not yet answered. */
export type AssessmentAnswers = Partial<
  Pick<EligibilityInput, 'disablingHypoglycaemia' | 'mdiTried' | 'mdiImpractical' | 'currentTechnology' | 'structuredEducation' | 'pregnancy'>
>;

/**
 * What the eligibility queue assumes of a question not yet answered: MDI tried, structured education offered, no
 * disabling hypoglycaemia, and pregnancy or a pump in use when the referral's priority group says so. The queue and
 * the assessment form both read the rules through this one function, so they agree rule by rule until answers differ.
 */
export function assumedAnswers(priorityGroup: PriorityGroup | null): Required<Omit<AssessmentAnswers, 'mdiImpractical'>> {
  return {
    disablingHypoglycaemia: false,
    mdiTried: true,
    structuredEducation: true,
    pregnancy: priorityGroup === 'pregnancy',
    currentTechnology: priorityGroup === 'existing_pump_user' ? ['csii'] : [],
  };
}

/** What the rules read for a referral not yet (fully) assessed: its facts, the answers given, the assumptions for the rest. */
export function provisionalInput(facts: ReferralFacts, answers: AssessmentAnswers = {}): EligibilityInput {
  const { priorityGroup, ...input } = facts;
  const given = Object.fromEntries(Object.entries(answers).filter(([, value]) => value !== undefined));
  return { ...input, ...assumedAnswers(priorityGroup), ...given };
}

/** The rules' provisional view of a referral: its facts, the answers given so far, and the queue's assumptions for the rest. */
export function provisionalEligibility(facts: ReferralFacts, answers: AssessmentAnswers = {}): EligibilityResult {
  return evaluateEligibility(provisionalInput(facts, answers));
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
