import { formatUkDate } from './format';
import { devicesOf } from './existing-therapy.view';
import { OUTCOME_LABEL, ROUTE_LABEL, WITHDRAWAL_LABEL } from './labels';
import type { ReferralEvent } from './schemas/referrals.schema';

const DECISION_WORDS: Record<string, string> = { eligible: 'eligible', not_eligible: 'not eligible', deferred: 'deferred' };

const text = (x: unknown): string => (typeof x === 'string' ? x.trim() : '');

/**
 * A timeline entry's heading: the decision the event records ("Assessed: eligible, against the rules' suggestion:
 * <rationale>", "Funding approved, ref ABC-1"), not only the status it led to.
 */
export function eventHeadline(e: Pick<ReferralEvent, 'type' | 'payload' | 'criteria'>): string {
  const p = e.payload;
  switch (e.type) {
    case 'assessment': {
      const decision = DECISION_WORDS[text(p.decision)] ?? text(p.decision);
      if (p.decision === 'deferred') return `Assessed: deferred${p.reassessOn ? `, reassess on ${formatUkDate(text(p.reassessOn))}` : ''}`;
      const rationale = text(p.rationale);
      if (e.criteria && e.criteria.suggestion !== p.decision) {
        return `Assessed: ${decision}, against the rules' suggestion${rationale ? `: ${rationale}` : ''}`;
      }
      return `Assessed: ${decision}${e.criteria ? ', as the rules suggest' : ''}`;
    }
    case 'funding_requested':
      return `Funding requested from ${text(p.commissioner)}${p.route ? ` (${ROUTE_LABEL[p.route as keyof typeof ROUTE_LABEL] ?? text(p.route)})` : ''}`;
    case 'funding_decision': {
      const reference = text(p.reference) ? `, ref ${text(p.reference)}` : '';
      if (p.outcome === 'approved') return `Funding approved${reference}`;
      if (p.outcome === 'declined') return `Funding declined${reference}`;
      return `Funding: ${(OUTCOME_LABEL[p.outcome as keyof typeof OUTCOME_LABEL] ?? text(p.outcome)).toLowerCase()}${reference}`;
    }
    case 'device_started':
      return `Started on ${devicesOf(p)}`;
    case 'review':
      return p.decision === 'discontinue' ? 'Reviewed: therapy discontinued' : 'Reviewed: therapy continues';
    case 'withdrawn':
      return `Withdrawn: ${(WITHDRAWAL_LABEL[p.reason as keyof typeof WITHDRAWAL_LABEL] ?? text(p.reason)).toLowerCase()}`;
    default:
      return '';
  }
}
