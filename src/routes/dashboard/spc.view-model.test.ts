import { describe, expect, it } from 'vitest';
import { IMPROVEMENT, spcBins, spcGroup, type SpcMeasure } from '$lib/domain/spc-series';
import type { SpcCharts } from '$lib/schemas/spc.schema';
import { spcMonths, type SpcMonths } from '$lib/domain/spc-months';
import { signalText, spcView } from './spc.view-model';

const MONTHS: SpcMonths = { from: '2025-01-01', to: '2025-12-31', underWay: null, widened: false };
const BINS = spcBins(MONTHS, 'month');

/** One measure's charts, as the service answers them, for groups given by their 12 monthly values. */
function charts(measure: SpcMeasure, groups: { key: string; label: string; values: (number | null)[]; rebaseOn?: string[]; n?: number }[], controlled = false): SpcCharts {
  return {
    measure,
    bin: 'month',
    improvement: IMPROVEMENT[measure],
    groups: groups.map((g) =>
      spcGroup(
        g,
        BINS,
        g.values.map((value) => ({ value, n: value === null ? 0 : (g.n ?? 10) })),
        { measure, bin: 'month', rebaseOn: g.rebaseOn ?? [], controlled },
      ),
    ),
  };
}
const STEADY = [3, 4, 2, 3, 4, 3, 2, 4, 3, 3, 4, 2];
const STEP = [3, 4, 2, 3, 8, 9, 8, 7, 9, 8, 9, 8];

describe('the months charted', () => {
  it('are whole months, from the one holding the first day of the period', () => {
    expect(spcMonths({ from: '2024-03-15', to: '2026-02-28' }, '2026-07-01')).toEqual({ from: '2024-03-01', to: '2026-02-28', underWay: null, widened: false });
  });

  it('go back 24 months for a shorter period, which gives the limits too little to go on, and say so', () => {
    const months = spcMonths({ from: '2025-03-15', to: '2026-02-28' }, '2026-07-01');
    expect(months).toEqual({ from: '2024-03-01', to: '2026-02-28', underWay: null, widened: true });
    expect(spcView(charts('starts', []), { groupBy: 'site', months }).months).toBe(
      'Each month from March 2024 to February 2026. The charts go back further than the period chosen: fewer than 24 months give their limits too little to go on.',
    );
  });

  it('leave out the month under way, which would read as a fall, and say so', () => {
    const months = spcMonths({ from: '2024-12-06', to: '2026-12-05' }, '2026-12-05');
    expect(months).toEqual({ from: '2024-12-01', to: '2026-11-30', underWay: 'left out', widened: false });
    expect(spcView(charts('starts', []), { groupBy: 'site', months }).months).toBe('Each month from December 2024 to November 2026; December 2026 is left out until it ends.');
  });

  it('count the 24 months back from the last whole one, across a new year', () => {
    expect(spcMonths({ from: '2025-12-06', to: '2026-12-05' }, '2026-12-05')).toEqual({ from: '2024-12-01', to: '2026-11-30', underWay: 'left out', widened: true });
    expect(spcMonths({ from: '2026-01-01', to: '2026-01-31' }, '2026-03-01')).toEqual({ from: '2024-02-01', to: '2026-01-31', underWay: null, widened: true });
  });

  it('show the month under way only when the period holds no other, and say it is not over', () => {
    const months = spcMonths({ from: '2026-12-02', to: '2026-12-05' }, '2026-12-05');
    expect(months).toEqual({ from: '2026-12-01', to: '2026-12-05', underWay: 'shown', widened: false });
    expect(spcView(charts('starts', []), { groupBy: 'site', months }).months).toBe('December 2026 so far: the month is not over, so its figures will still grow.');
  });
});

describe('a chart per site', () => {
  const view = spcView(
    charts('starts', [
      { key: 'r', label: 'Riverside', values: STEP, rebaseOn: ['2025-05-03'] },
      { key: 'v', label: 'Valley', values: STEADY },
    ]),
    { groupBy: 'site', months: MONTHS },
  );
  const [riverside, valley] = view.groups;

  it('reads each chart in a sentence, naming the month of hands-on facilitation where the chart is split', () => {
    expect(riverside!.reading).toBe(
      'Starts rose after hands-on facilitation in May 2025: a run of 8 months above the earlier mean and 8 months above the earlier upper limit (improvement). Since then, only common-cause variation.',
    );
    expect(valley!.reading).toBe('Starts show only common-cause variation.');
    expect(view.rebased).toBe(true);
  });

  it("names and describes each chart for screen readers: the sentence, then the latest segment's mean and limits", () => {
    expect(riverside!.chart!.title).toBe('Riverside: starts per month, with mean and process limits');
    expect(riverside!.chart!.description).toMatch(/^Starts rose after hands-on facilitation in May 2025: .* From May 2025: mean 8.3, process limits 5.2 to 11.3\.$/);
    expect(valley!.chart!.description).toMatch(/^Starts show only common-cause variation\. Mean 3.1, process limits -0.1 to 6.2\.$/);
  });

  it('links each site to its page', () => {
    expect(riverside!.href).toBe('/sites/r');
  });

  it('tables each month: the value, mean, limits to one decimal place, and the signal in words, marking the split', () => {
    expect(view.columns.map((c) => c.label)).toEqual(['Starts', 'Mean', 'Lower limit', 'Upper limit', 'Signal']);
    expect(riverside!.table[3]).toEqual({ key: '2025-04-01', label: 'April 2025', cells: ['3', '3', '-0.5', '6.5', 'Common cause'] });
    expect(riverside!.table[4]).toEqual({ key: '2025-05-01', label: 'May 2025 (hands-on facilitation)', cells: ['8', '8.3', '5.2', '11.3', 'Common cause'] });
  });

  it('groups by ICB or facilitation mode are not split, and do not link', () => {
    const byIcb = spcView(charts('starts', [{ key: 'North', label: 'North', values: STEADY }]), { groupBy: 'icb', months: MONTHS });
    expect(byIcb.rebased).toBe(false);
    expect(byIcb.groups[0]!.href).toBeUndefined();
  });
});

describe('signals in words', () => {
  it('say whether a signal is improvement or concern, and which rule found it', () => {
    const point = { start: '2025-01-01', value: 9, mean: 4, lpl: 1, upl: 7 };
    expect(signalText({ ...point, specialCause: 'above_upl', variation: 'improvement' })).toBe('Improvement: above the upper limit');
    expect(signalText({ ...point, specialCause: 'shift_low', variation: 'concern' })).toBe('Concern: in a run of 7 or more below the mean');
    expect(signalText({ ...point, specialCause: null, variation: 'common' })).toBe('Common cause');
    expect(signalText({ ...point, value: null, specialCause: null, variation: null })).toBe('');
  });
});

describe('withheld charts (commissioners)', () => {
  it('are their explanation alone, with the disclosed figures in the table and no mean, limits or signal', () => {
    const view = spcView(charts('starts', [{ key: 'm', label: 'Moorside', values: [0, 3, 10, 0, 12, 5, 0, 0, 10, 0, 0, 15] }], true), { groupBy: 'site', months: MONTHS });
    const [moorside] = view.groups;
    expect(moorside!.chart).toBeNull();
    expect(moorside!.reading).toBe('Not charted: 2 of the 12 months had between 1 and 7 starts, which are withheld to protect patients.');
    expect(moorside!.table.slice(0, 3).map((r) => r.cells)).toEqual([
      ['0', '', '', '', ''],
      ['1-7', '', '', '', ''],
      ['10', '', '', '', ''],
    ]);
  });

  it('of waits cannot tell a withheld median from a month with none, and say so', () => {
    const view = spcView(charts('referral_to_start_days', [{ key: 'm', label: 'Moorside', values: [40, null, 38, 41, 39, 44, 40, 42, 38, 41, 39, 40], n: 5 }], true), {
      groupBy: 'site',
      months: MONTHS,
    });
    expect(view.groups[0]!.table[1]!.cells[0]).toBe('not shown');
    expect(view.withheldNote).toBe('A median over fewer than 8 waits is not shown, to protect patients.');
  });

  it('while a month without a wait on a chart that is drawn reads "none ended", within its segment\'s mean and limits', () => {
    const view = spcView(charts('referral_to_start_days', [{ key: 'r', label: 'Riverside', values: [40, null, 38, 41, 39, 44, 40, 42, 38, 41, 39, 40] }]), { groupBy: 'site', months: MONTHS });
    expect(view.groups[0]!.table[1]!.cells).toEqual(['none ended', '40.2', '32.7', '47.6', '']);
  });
});

describe('a group with nothing to chart', () => {
  it('has its sentence and no chart', () => {
    const view = spcView(charts('referral_to_start_days', [{ key: 'v', label: 'Valley', values: Array(12).fill(null) }]), { groupBy: 'site', months: MONTHS });
    expect(view.groups[0]!.chart).toBeNull();
    expect(view.groups[0]!.reading).toBe('No wait from referral to start ended in these months.');
  });
});
