import type { SpcPoint, SpecialCause, Variation } from './spc';
import { IMPROVEMENT, type SpcBin, type SpcGroup, type SpcMeasure } from './spc-series';

/**
 * An improvement chart read out in a plain sentence, as a board paper would word it (domain.md, "Statistical process
 * control"). It says only what the chart shows: with a rebase (facilitation began), whether the months since show a
 * signal against the earlier segment's mean and limits, then the signals within the latest segment itself.
 */

/** Runs of this many points on one side of a mean are a signal, as in the chart's own rules. */
const RUN = 7;

const NOUN: Record<SpcMeasure, { subject: string; none: string }> = {
  referrals: { subject: 'Referrals', none: 'No referrals' },
  starts: { subject: 'Starts', none: 'No starts' },
  referral_to_start_days: { subject: 'Waits from referral to start', none: 'No wait from referral to start ended' },
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A bin by its first day: "March 2024", or "the week of 4 March 2024". */
export function binName(start: string, bin: SpcBin): string {
  const [year, month, day] = start.split('-').map(Number) as [number, number, number];
  return bin === 'month' ? `${MONTHS[month - 1]} ${year}` : `the week of ${day} ${MONTHS[month - 1]} ${year}`;
}

const count = (n: number, bin: SpcBin) => `${n} ${bin}${n === 1 ? '' : 's'}`;

/** What a flagged point shows, in words; a trend is 7 or more points each higher (or lower) than the one before. */
export const SPECIAL_CAUSE_TEXT: Record<SpecialCause, string> = {
  above_upl: 'above the upper limit',
  below_lpl: 'below the lower limit',
  trend_up: 'in a rising trend',
  trend_down: 'in a falling trend',
  two_of_three_high: 'close to the upper limit',
  two_of_three_low: 'close to the lower limit',
  shift_high: 'in a run of 7 or more above the mean',
  shift_low: 'in a run of 7 or more below the mean',
};

interface Finding {
  text: string;
  variation: Variation;
}

/** Findings of one variation share its word: "a run of 8 months above the earlier mean and 2 months above its upper limit (improvement)". */
const findingsText = (findings: readonly Finding[]): string =>
  (['improvement', 'concern'] as const)
    .map((v) => findings.filter((f) => f.variation === v))
    .filter((same) => same.length > 0)
    .map((same) => `${same.map((f) => f.text).join(' and ')} (${same[0]!.variation})`)
    .join('; ');

type Valued = SpcPoint & { value: number };
const valued = (points: readonly SpcPoint[]): Valued[] => points.filter((p): p is Valued => p.value !== null);

/**
 * The sentence for one group's chart. `change` names what its rebases mark ("hands-on facilitation"). A withheld chart
 * gets why it is not drawn instead.
 */
export function spcReading(group: SpcGroup, { measure, bin, change }: { measure: SpcMeasure; bin: SpcBin; change: string }): string {
  const noun = NOUN[measure];
  const present = valued(group.points);
  if (group.withheld) {
    if (measure === 'referral_to_start_days') return `Not charted: in some ${bin}s fewer than 8 waits ended, too few for their median to be shown.`;
    return `Not charted: ${group.points.length - present.length} of the ${group.points.length} ${bin}s had between 1 and 7 ${measure}, which are withheld to protect patients.`;
  }
  if (present.every((p) => p.value === 0)) return `${noun.none} in these ${bin}s.`;

  const rebase = group.rebasedOn.at(-1);
  if (!rebase) return `${noun.subject}${withinSegment(present, bin) || ' show only common-cause variation'}.`;

  const { earlier, latest } = segmentsAround(present, group.rebasedOn);
  const when = `${change} in ${binName(rebase, bin)}`;
  if (latest.length === 0) return `${noun.none} after ${when}.`;
  const since = withinSegment(latest, bin);
  // One point has no limits of its own to vary within.
  const then = since ? ` Since then${since}.` : latest.length > 1 ? ' Since then, only common-cause variation.' : '';
  if (earlier.length === 0) return `${noun.subject}: no figures before ${when}.${then}`;
  return `${againstEarlier(compareWithEarlier(earlier[0]!, latest), { subject: noun.subject, when, bin, improves: IMPROVEMENT[measure] === 'up' ? 1 : -1 })}${then}`;
}

/** The valued points of the segment before the latest rebase, and of the latest segment. */
function segmentsAround(present: readonly Valued[], rebasedOn: readonly string[]): { earlier: Valued[]; latest: Valued[] } {
  const rebase = rebasedOn.at(-1)!;
  const earlierFrom = rebasedOn.at(-2) ?? '';
  return { earlier: present.filter((p) => p.start < rebase && p.start >= earlierFrom), latest: present.filter((p) => p.start >= rebase) };
}

/**
 * The points after a chart's latest rebase against the earlier segment's mean and limits, as Making Data Count
 * justifies a rebase: a run of 7 or more on one side of the earlier mean is a sustained change; a point beyond the
 * earlier limits is a signal of its own.
 */
export interface ChangeAfterRebase {
  /** The latest run of 7 or more on one side of the earlier mean: 1 above, -1 below. */
  run: { side: 1 | -1; length: number } | null;
  /** Points above the earlier upper limit. */
  above: number;
  /** Points below the earlier lower limit. */
  below: number;
  /** Points since the rebase. */
  since: number;
}

/** How the chart's points after its latest rebase compare with the segment before it; null without points on both sides. */
export function changeAfterRebase(group: SpcGroup): ChangeAfterRebase | null {
  if (group.rebasedOn.length === 0 || group.withheld) return null;
  const { earlier, latest } = segmentsAround(valued(group.points), group.rebasedOn);
  return earlier.length && latest.length ? compareWithEarlier(earlier[0]!, latest) : null;
}

function compareWithEarlier(earlier: SpcPoint, latest: readonly Valued[]): ChangeAfterRebase {
  return {
    run: latestLongRun(latest.map((p) => Math.sign(p.value - earlier.mean!))),
    above: earlier.upl === null ? 0 : latest.filter((p) => p.value > earlier.upl!).length,
    below: earlier.lpl === null ? 0 : latest.filter((p) => p.value < earlier.lpl!).length,
    since: latest.length,
  };
}

/** The latest segment's own signals, by rule: ": 2 months above the upper limit (concern)", or '' when there are none. */
function withinSegment(points: readonly Valued[], bin: SpcBin): string {
  const findings = (Object.keys(SPECIAL_CAUSE_TEXT) as SpecialCause[]).flatMap((cause): Finding[] => {
    const flagged = points.filter((p) => p.specialCause === cause);
    return flagged.length ? [{ text: `${count(flagged.length, bin)} ${SPECIAL_CAUSE_TEXT[cause]}`, variation: flagged[0]!.variation! }] : [];
  });
  return findings.length ? `: ${findingsText(findings)}` : '';
}

/** The change after the rebase in words. */
function againstEarlier(
  { run, above, below, since }: ChangeAfterRebase,
  { subject, when, bin, improves }: { subject: string; when: string; bin: SpcBin; improves: 1 | -1 },
): string {
  const variation = (direction: number): Variation => (direction === improves ? 'improvement' : 'concern');
  const findings: Finding[] = [];
  if (run) findings.push({ text: `a run of ${count(run.length, bin)} ${run.side === 1 ? 'above' : 'below'} the earlier mean`, variation: variation(run.side) });
  if (above) findings.push({ text: `${count(above, bin)} above the earlier upper limit`, variation: variation(1) });
  if (below) findings.push({ text: `${count(below, bin)} below the earlier lower limit`, variation: variation(-1) });

  if (run) return `${subject} ${run.side === 1 ? 'rose' : 'fell'} after ${when}: ${findingsText(findings)}.`;
  if (findings.length) return `${subject} after ${when}: ${findingsText(findings)}.`;
  if (since < RUN) return `${subject}: ${count(since, bin)} since ${when}, too few yet to show a lasting change.`;
  return `${subject} show no sign of change after ${when}: no run of ${RUN} ${bin}s on one side of the earlier mean, and none beyond its limits.`;
}

/** The latest run of RUN or more points on one side (1 above, -1 below) of a mean; a point on the mean breaks a run. */
function latestLongRun(sides: readonly number[]): { side: 1 | -1; length: number } | null {
  let found: { side: 1 | -1; length: number } | null = null;
  for (let i = 0; i < sides.length; ) {
    let j = i;
    while (j + 1 < sides.length && sides[j + 1] === sides[i]) j++;
    if (sides[i] !== 0 && j - i + 1 >= RUN) found = { side: sides[i] as 1 | -1, length: j - i + 1 };
    i = j + 1;
  }
  return found;
}
