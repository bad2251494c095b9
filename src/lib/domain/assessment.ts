import type { FieldError } from './errors';
import type { Therapy } from './vocabulary';

/**
 * The questions an eligibility assessment asks beyond the date, HbA1c and decision: each therapy only its own rule's
 * (NICE TA151 for a pump, TA943 for a closed loop). Structured education is asked of both: TA943-1.5 needs it, and
 * local commissioners ask it of pump referrals too (the API requires it for both).
 */
export const ASSESSMENT_QUESTIONS = {
  csii: ['disablingHypoglycaemia', 'mdiTried', 'mdiImpractical', 'structuredEducation', 'continuationTargetMmolMol'],
  hcl: ['disablingHypoglycaemia', 'currentTechnology', 'structuredEducation', 'pregnancy'],
} as const satisfies Record<Therapy, readonly string[]>;

export type AssessmentQuestion = (typeof ASSESSMENT_QUESTIONS)[Therapy][number];

export const asksQuestion = (therapy: Therapy, question: AssessmentQuestion): boolean =>
  (ASSESSMENT_QUESTIONS[therapy] as readonly string[]).includes(question);

/** The answers a therapy's rules cannot do without that the shared schema leaves optional: MDI tried, for a pump. */
export function missingAssessmentAnswers(therapy: Therapy, answers: { mdiTried?: unknown }): FieldError[] {
  return therapy === 'csii' && answers.mdiTried === undefined
    ? [{ path: 'mdiTried', message: 'Say whether multiple daily injections have been tried' }]
    : [];
}
