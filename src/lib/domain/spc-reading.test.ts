import { describe, expect, it } from 'vitest';
import { changeAfterRebase, spcReading, binName } from './spc-reading';
import { spcBins, spcGroup, type SpcMeasure } from './spc-series';

/** A site's chart of monthly values from January 2024, as the service makes it; a median rests on 10 waits. */
function chart(measure: SpcMeasure, values: (number | null)[], { rebaseOn = [] as string[], controlled = false } = {}) {
  const bins = spcBins({ from: '2024-01-01', to: `${2024 + Math.floor((values.length - 1) / 12)}-${String(((values.length - 1) % 12) + 1).padStart(2, '0')}-01` }, 'month');
  const binned = values.map((value) => ({ value, n: value === null ? 0 : 10 }));
  return spcGroup({ key: 's', label: 'Riverside' }, bins, binned, { measure, bin: 'month', rebaseOn, controlled });
}
const read = (measure: SpcMeasure, values: (number | null)[], options?: Parameters<typeof chart>[2]) =>
  spcReading(chart(measure, values, options), { measure, bin: 'month', change: 'facilitation began' });

const STEADY = [10, 12, 9, 11, 10, 13, 9, 11, 12, 10, 11, 9];

describe('a chart without a rebase', () => {
  it('with no signal reads as common-cause variation only', () => {
    expect(read('referrals', STEADY)).toBe('Referrals show only common-cause variation.');
  });

  it('names each signal with how many months show it, and whether that is improvement or concern for the measure', () => {
    // Longer waits are worse: two months far above the usual wait are a concern.
    const waits = [50, 75, 50, 75, 50, 75, 50, 75, 200, 75, 50, 75, 50, 75, 50, 75, 50, 75, 50, 75, 200, 75, 50, 75];
    expect(read('referral_to_start_days', waits)).toBe('Waits from referral to start: 2 months above the upper limit (concern).');
    // More starts are better.
    expect(read('starts', [4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 30, 8])).toBe('Starts: 1 month above the upper limit (improvement).');
  });

  it('lists signals of improvement and of concern apart', () => {
    const reading = read('referrals', [10, 12, 10, 12, 10, 12, 10, 30, 10, 12, 10, 12, 11, 12, 11, 0, 11, 12]);
    expect(reading).toBe('Referrals: 1 month above the upper limit (improvement); 1 month below the lower limit (concern).');
  });

  it('says so when there is nothing to chart, rather than calling it common cause', () => {
    expect(read('starts', Array(12).fill(0))).toBe('No starts in these months.');
    expect(read('referral_to_start_days', Array(12).fill(null))).toBe('No wait from referral to start ended in these months.');
  });
});

describe('a chart rebased when facilitation began', () => {
  // Starts doubled from March 2025, when hands-on help began.
  const BEFORE = [3, 4, 2, 3, 4, 3, 2, 4, 3, 3, 4, 2, 3, 4];
  const AFTER = [7, 8, 7, 8, 7, 9, 8, 7];

  it('says the measure rose, by a run of months above the earlier mean and any beyond its limits', () => {
    expect(read('starts', [...BEFORE, ...AFTER], { rebaseOn: ['2025-03-12'] })).toBe(
      'Starts rose after facilitation began in March 2025: a run of 8 months above the earlier mean and 8 months above the earlier upper limit (improvement). Since then, only common-cause variation.',
    );
  });

  it('calls a fall in waits an improvement', () => {
    const waits = [90, 95, 88, 92, 97, 91, 89, 94, 93, 90, 60, 58, 62, 57, 61, 59, 60, 63];
    expect(read('referral_to_start_days', waits, { rebaseOn: ['2024-11-01'] })).toBe(
      'Waits from referral to start fell after facilitation began in November 2024: a run of 8 months below the earlier mean and 8 months below the earlier lower limit (improvement). Since then, only common-cause variation.',
    );
  });

  it('does not call a change before 7 months have shown one', () => {
    expect(read('starts', [...BEFORE, 4, 3, 5, 3], { rebaseOn: ['2025-03-01'] })).toBe(
      'Starts: 4 months since facilitation began in March 2025, too few yet to show a lasting change. Since then, only common-cause variation.',
    );
  });

  it('names a month beyond the earlier limits even without a run', () => {
    expect(read('starts', [...BEFORE, 3, 12, 2, 4], { rebaseOn: ['2025-03-01'] })).toMatch(
      /^Starts after facilitation began in March 2025: 1 month above the earlier upper limit \(improvement\)\./,
    );
  });

  it('says there is no sign of change when 7 or more months since show none', () => {
    expect(read('referrals', [...STEADY, ...STEADY], { rebaseOn: ['2025-01-01'] })).toBe(
      'Referrals show no sign of change after facilitation began in January 2025: no run of 7 months on one side of the earlier mean, and none beyond its limits. Since then, only common-cause variation.',
    );
  });

  it("adds the latest segment's own signals, against its own mean", () => {
    const reading = read('starts', [...BEFORE, ...AFTER, 3], { rebaseOn: ['2025-03-01'] });
    expect(reading).toBe(
      'Starts rose after facilitation began in March 2025: a run of 8 months above the earlier mean and 8 months above the earlier upper limit (improvement). Since then: 1 month below the lower limit (concern).',
    );
  });

  it('reads only the last two segments when there are several rebases', () => {
    expect(read('starts', [...BEFORE, ...AFTER, ...AFTER], { rebaseOn: ['2025-03-01', '2025-11-01'] })).toMatch(/^Starts show no sign of change after facilitation began in November 2025/);
  });

  it('says when there is nothing before the rebase to compare with', () => {
    expect(read('referral_to_start_days', [null, null, null, 40, 42, 38], { rebaseOn: ['2024-04-01'] })).toBe(
      'Waits from referral to start: no figures before facilitation began in April 2024. Since then, only common-cause variation.',
    );
  });
});

describe('the change after a rebase, as figures', () => {
  it('counts the run on one side of the earlier mean and the months beyond its limits, as the sentence reads them', () => {
    const before = [3, 4, 2, 3, 4, 3, 2, 4, 3, 3, 4, 2, 3, 4];
    expect(changeAfterRebase(chart('starts', [...before, 7, 8, 7, 8, 7, 9, 8, 7], { rebaseOn: ['2025-03-01'] }))).toEqual({ run: { side: 1, length: 8 }, above: 8, below: 0, since: 8 });
    expect(changeAfterRebase(chart('starts', [...before, 4, 3, 5, 3], { rebaseOn: ['2025-03-01'] }))).toEqual({ run: null, above: 0, below: 0, since: 4 });
  });

  it('is null without a rebase, or with nothing on one side of it', () => {
    expect(changeAfterRebase(chart('starts', STEADY))).toBeNull();
    expect(changeAfterRebase(chart('referral_to_start_days', [null, null, 50, 60], { rebaseOn: ['2024-03-01'] }))).toBeNull();
  });
});

describe('a withheld chart (commissioners)', () => {
  it('says how many months had 1 to 7, which are withheld', () => {
    expect(read('starts', [12, 3, 15, 0, 5, 20], { controlled: true })).toBe('Not charted: 2 of the 6 months had between 1 and 7 starts, which are withheld to protect patients.');
  });

  it('says a median over fewer than 8 waits is withheld', () => {
    const group = chart('referral_to_start_days', [40, 42, 38], { controlled: true });
    const fewWaits = { ...group, withheld: true };
    expect(spcReading(fewWaits, { measure: 'referral_to_start_days', bin: 'month', change: 'facilitation began' })).toBe(
      'Not charted: in some months fewer than 8 waits ended, too few for their median to be shown.',
    );
  });
});

describe('bin names', () => {
  it('names a month, or a week by its Monday', () => {
    expect(binName('2024-03-01', 'month')).toBe('March 2024');
    expect(binName('2024-03-04', 'week')).toBe('the week of 4 March 2024');
  });
});
