import type { RecordEventType, ReferralStatus } from './domain/pathway';
import type { FundingKind, ReferralOrigin, Therapy } from './domain/vocabulary';
import { formatUkDate } from './format';
import { FUNDING_KIND_LABEL } from './labels';

/**
 * The words for a therapy already in use when it was recorded (api.md, "Existing therapy") and for a pump record
 * ended by a switch to closed loop, in one place, so that the patient's page, the referral's page and the list of
 * referrals say the same thing the same way.
 */

/** What the record's `existing_therapy` event says. */
export interface ExistingTherapy {
  startedOn?: string;
  startedYear?: number;
  knownOn: string;
  pump: string;
  cgm?: string;
  algorithm?: string;
  funding?: FundingKind;
}

interface EventLike {
  type: RecordEventType;
  occurredOn: string;
  payload: Record<string, unknown>;
}

interface RecordLike {
  therapy: Therapy;
  status: ReferralStatus;
  origin: ReferralOrigin;
  receivedOn: string | null;
  knownOn: string | null;
  lastEventOn: string;
}

/** The therapy as a name in a list ("Insulin pump: ...") and inside a sentence ("On an insulin pump ..."). */
export const THERAPY_NAME: Record<Therapy, string> = { csii: 'Insulin pump', hcl: 'Hybrid closed loop' };
const ON_THERAPY: Record<Therapy, string> = { csii: 'an insulin pump', hcl: 'hybrid closed loop' };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The facts of the record's `existing_therapy` event; null when the history holds none (a pathway referral). */
export function existingTherapyOf(events: readonly EventLike[]): ExistingTherapy | null {
  const event = events.find((e) => e.type === 'existing_therapy');
  if (!event) return null;
  const p = event.payload;
  const startedOn = text(p.startedOn);
  const startedYear = typeof p.startedYear === 'number' ? p.startedYear : undefined;
  const cgm = text(p.cgm);
  const algorithm = text(p.algorithm);
  const funding = p.funding === 'nhs' || p.funding === 'non_nhs' ? p.funding : undefined;
  return {
    knownOn: text(p.knownOn) ?? event.occurredOn,
    pump: text(p.pump) ?? '',
    ...(startedOn ? { startedOn } : {}),
    ...(startedYear !== undefined ? { startedYear } : {}),
    ...(cgm ? { cgm } : {}),
    ...(algorithm ? { algorithm } : {}),
    ...(funding ? { funding } : {}),
  };
}

/** When therapy began, as precisely as the record knows it: "4 March 2019", "2019", or null when not known. */
export function startOf(facts: Pick<ExistingTherapy, 'startedOn' | 'startedYear'>): string | null {
  if (facts.startedOn) return formatUkDate(facts.startedOn);
  return facts.startedYear !== undefined ? String(facts.startedYear) : null;
}

/** " since 2019", or ", start not known": what follows "On an insulin pump". */
const sinceWhen = (facts: ExistingTherapy, word = 'since') => {
  const start = startOf(facts);
  return start ? ` ${word} ${start}` : ', start not known';
};

/**
 * The record in one sentence, for the top of its page. While on therapy: "On an insulin pump since 2019, recorded
 * on 1 April 2026"; once ended, in the past, saying how and when it ended.
 */
export function existingHeadline(record: Pick<RecordLike, 'therapy' | 'status' | 'lastEventOn'>, facts: ExistingTherapy): string {
  const on = `${ON_THERAPY[record.therapy]}${sinceWhen(facts)}, recorded on ${formatUkDate(facts.knownOn)}`;
  if (record.status === 'switched') return `Was on ${on}; switched to closed loop on ${formatUkDate(record.lastEventOn)}`;
  if (record.status === 'discontinued') return `Was on ${on}; stopped on ${formatUkDate(record.lastEventOn)}`;
  return `On ${on}`;
}

/**
 * One record in the patient's list: "Insulin pump: on therapy since 2019 (already on it when recorded, 1 April
 * 2026)" or "Hybrid closed loop, received 3 May 2026". The status tag beside it says where it stands now.
 */
export function referralLine(record: RecordLike, facts: ExistingTherapy | null): string {
  const name = THERAPY_NAME[record.therapy];
  if (record.origin === 'pathway' || !record.knownOn) return `${name}, received ${formatUkDate(record.receivedOn ?? record.lastEventOn)}`;
  const recorded = `already on it when recorded, ${formatUkDate(record.knownOn)}`;
  if (!facts) return `${name}: ${recorded}`;
  // "since" would claim it goes on; an ended record was on therapy "from" its start.
  return `${name}: on therapy${sinceWhen(facts, record.status === 'on_therapy' ? 'since' : 'from')} (${recorded})`;
}

/** The date a record is listed by: "Received 3 May 2026", or "Recorded 1 April 2026 (already on therapy)". */
export function listedOn(record: Pick<RecordLike, 'origin' | 'receivedOn' | 'knownOn' | 'lastEventOn'>): string {
  if (record.origin === 'existing' && record.knownOn) return `Recorded ${formatUkDate(record.knownOn)} (already on therapy)`;
  return `Received ${formatUkDate(record.receivedOn ?? record.lastEventOn)}`;
}

/** The devices as the timeline lists a device start's: "Tandem t:slim X2 + Dexcom G7 + Control-IQ". */
export const devicesOf = (d: { pump?: unknown; cgm?: unknown; algorithm?: unknown }): string => [d.pump, d.cgm, d.algorithm].map(text).filter(Boolean).join(' + ');

/** The summary list's rows for a therapy already in use, in the order the form asks for them. */
export function existingSummaryRows(therapy: Therapy, facts: ExistingTherapy): { key: string; value: string }[] {
  return [
    { key: 'Started', value: startOf(facts) ?? 'Not known' },
    { key: 'Pump', value: facts.pump || 'None recorded' },
    { key: 'CGM', value: facts.cgm ?? 'None recorded' },
    // A pump alone runs no algorithm; a closed loop does, so its absence there is a gap in the record.
    { key: 'Algorithm', value: facts.algorithm ?? (therapy === 'csii' ? 'None (pump alone)' : 'Not recorded') },
    { key: 'Funding', value: facts.funding ? FUNDING_KIND_LABEL[facts.funding] : 'Not recorded' },
    { key: 'Date known to be on it', value: formatUkDate(facts.knownOn) },
  ];
}

/** The timeline's first entry of such a record, "Already on therapy", under its heading: what was known then. */
export function existingTimelineLines(therapy: Therapy, facts: ExistingTherapy): string[] {
  const start = startOf(facts);
  return [
    start ? `On ${ON_THERAPY[therapy]} since ${start}` : `On ${ON_THERAPY[therapy]}, start not known`,
    devicesOf(facts),
    facts.funding ? FUNDING_KIND_LABEL[facts.funding] : '',
  ].filter(Boolean);
}

/** The system's `switched_to_hcl` event: the date and the closed-loop referral whose start ended this record. */
export function switchOf(event: EventLike): { on: string; hclReferralId: string | null } | null {
  if (event.type !== 'switched_to_hcl') return null;
  return { on: text(event.payload.on) ?? event.occurredOn, hclReferralId: text(event.payload.hclReferralId) ?? null };
}

export const switchedHeading = (on: string) => `Switched to closed loop on ${formatUkDate(on)}`;
