import { countText } from '$lib/components/charts/chart';
import { addDays } from '$lib/domain/calendar-date';
import type { GroupBy } from '$lib/domain/metrics';
import type { SpcPoint } from '$lib/domain/spc';
import { binName, SPECIAL_CAUSE_TEXT, spcReading } from '$lib/domain/spc-reading';
import { binStart, type SpcMeasure } from '$lib/domain/spc-series';
import { SPC_MIN_MONTHS, type SpcMonths } from '$lib/domain/spc-months';
import type { SpcCharts } from '$lib/schemas/spc.schema';
import { days, siteLink, type Column, type TableRow } from './dashboard.view-model';

/**
 * The improvement (SPC) charts' sections: a chart and a sentence per group, and the figures behind them. Monthly,
 * over whole months: a month still under way would read as a fall in every count.
 */

/**
 * What the dashboard's rebases mark: each site's first hands-on facilitation in the charted months. Its help may
 * have begun before them, so the words say when it happened, not that it began.
 */
const CHANGE = 'hands-on facilitation';

const MEASURE: Record<SpcMeasure, { heading: string; table: string; what: string; charted: string; column: string }> = {
  referrals: {
    heading: 'Referrals each month, with signals of change',
    table: 'Referrals each month: table',
    what: 'Referrals received each month. More is better: more people reached.',
    charted: 'referrals per month',
    column: 'Referrals',
  },
  starts: {
    heading: 'Starts each month, with signals of change',
    table: 'Starts each month: table',
    what: 'Device starts on the pathway each month. More is better.',
    charted: 'starts per month',
    column: 'Starts',
  },
  referral_to_start_days: {
    heading: 'Wait from referral to start each month, with signals of change',
    table: 'Wait from referral to start each month: table',
    what: 'The median wait in days from referral to start of the people who started each month; a month in which nobody started has no point. Shorter is better.',
    charted: 'median wait from referral to start in days, per month',
    column: 'Median wait (days)',
  },
};

/** A mean or a limit, to one decimal place like a median of days. */
const tenths = days;

/** A point's signal in words: "Improvement: above the upper limit". */
export function signalText(p: SpcPoint): string {
  if (p.variation === null) return '';
  if (p.variation === 'common') return 'Common cause';
  return `${p.variation === 'improvement' ? 'Improvement' : 'Concern'}: ${SPECIAL_CAUSE_TEXT[p.specialCause!]}`;
}

export function spcView(charts: SpcCharts, { groupBy, months }: { groupBy: GroupBy; months: SpcMonths }) {
  const { measure, bin } = charts;
  const words = MEASURE[measure];
  const counted = measure !== 'referral_to_start_days';
  const first = binName(binStart(months.from, bin), bin);
  const last = binName(binStart(months.to, bin), bin);
  const valueText = (value: number | null, withheld: boolean) => {
    if (counted) return countText(value, withheld && value === null);
    return value !== null ? days(value) : withheld ? 'not shown' : 'none ended';
  };
  return {
    id: `spc-${measure}`,
    heading: words.heading,
    what: words.what,
    tableSummary: words.table,
    months:
      months.underWay === 'shown'
        ? `${first} so far: the month is not over, so its figures will still grow.`
        : `${first === last ? first : `Each month from ${first} to ${last}`}${months.underWay ? `; ${binName(addDays(months.to, 1), bin)} is left out until it ends` : ''}.` +
          (months.widened ? ` The charts go back further than the period chosen: fewer than ${SPC_MIN_MONTHS} months give their limits too little to go on.` : ''),
    rebased: groupBy === 'site',
    columns: [
      { label: words.column, numeric: true },
      { label: 'Mean', numeric: true },
      { label: 'Lower limit', numeric: true },
      { label: 'Upper limit', numeric: true },
      { label: 'Signal', numeric: false },
    ] satisfies Column[],
    withheldNote: counted ? '' : 'A median over fewer than 8 waits is not shown, to protect patients.',
    groups: charts.groups.map((g) => {
      const reading = spcReading(g, { measure, bin, change: CHANGE });
      const latest = g.points.findLast((p) => p.value !== null);
      const limits = latest?.lpl != null && latest.upl != null ? `, process limits ${tenths(latest.lpl)} to ${tenths(latest.upl)}` : '';
      const rebase = g.rebasedOn.at(-1);
      return {
        key: g.key,
        label: g.label,
        href: siteLink(groupBy, g.key),
        reading,
        // A withheld chart, or one with no figure at all, is its sentence alone.
        chart:
          g.withheld || !latest
            ? null
            : {
                title: `${g.label}: ${words.charted}, with mean and process limits`,
                description: `${reading} ${rebase ? `From ${binName(rebase, bin)}: mean` : 'Mean'} ${tenths(latest.mean)}${limits}.`,
                points: g.points,
                rebasedOn: g.rebasedOn,
              },
        table: g.points.map(
          (p): TableRow => ({
            key: p.start,
            label: `${binName(p.start, bin)}${g.rebasedOn.includes(p.start) ? ` (${CHANGE})` : ''}`,
            cells: [valueText(p.value, g.withheld), tenths(p.mean), tenths(p.lpl), tenths(p.upl), signalText(p)],
          }),
        ),
      };
    }),
  };
}
