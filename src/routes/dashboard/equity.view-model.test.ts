import { describe, expect, it } from 'vitest';
import { equitySplits, type EquityCounts } from '$lib/domain/equity';
import { deprivationGap, equitySplitView } from './equity.view-model';

const counts = (value: string, t1dPopulation: number, onTherapy: number): EquityCounts => ({ value, t1dPopulation, onTherapy, referrals: 0, started: 0, waits: 0, referralToStartMedianDays: null });
const FIFTHS = [counts('1', 400, 52), counts('2', 300, 45), counts('3', 300, 50), counts('4', 200, 50), counts('5', 200, 54), counts('unknown', 100, 9)];
const exact = equitySplits('imdQuintile', FIFTHS, true, false);
const report = (splits = exact) => ({ from: '2025-01-01', to: '2025-12-31', by: 'imdQuintile' as const, rows: [{ key: 'all', label: 'All sites', splits }] });

describe('the gap between the most and least deprived', () => {
  it('gives both uptakes and the gap in percentage points, and how many times as many', () => {
    expect(deprivationGap(exact)).toBe(
      '13% of people with type 1 diabetes in the most deprived fifth are on therapy, against 27% in the least deprived: a gap of 14 percentage points (2.1 times as many).',
    );
  });

  it('says so when the most deprived are reached more', () => {
    const reversed = equitySplits('imdQuintile', [counts('1', 100, 30), counts('5', 100, 20)], true, false);
    expect(deprivationGap(reversed)).toMatch(/uptake is 10 percentage points higher in the most deprived fifth\.$/);
  });

  it('cannot be given without a population by deprivation, nor when a figure is withheld', () => {
    expect(deprivationGap(equitySplits('imdQuintile', FIFTHS, false, false))).toBe(
      'The gap between the most and least deprived fifths cannot be given: there is no population count by deprivation for the period.',
    );
    const small = equitySplits('imdQuintile', [counts('1', 400, 5), counts('5', 200, 54)], true, true);
    expect(deprivationGap(small)).toBe('The gap between the most and least deprived fifths cannot be given: figures are withheld to protect patients.');
  });
});

describe('each group beside its share of the population', () => {
  it("gives each value's share of the population and of the people on therapy", () => {
    const view = equitySplitView(report());
    // 400 of 1,500 people; 52 of 260 on therapy.
    expect(view.table[0]).toMatchObject({ label: '1 (most deprived fifth)', cells: ['26.7%', '20%', '400', '52', '13%', '0', '0', ''] });
    expect(view.bars.map((b) => b.text)).toEqual(['13%', '15%', '16.7%', '25%', '27%', '9%']);
  });

  it('gives no shares when a count is withheld, and marks what is', () => {
    const view = equitySplitView(report(equitySplits('imdQuintile', [...FIFTHS.slice(0, 5), counts('unknown', 100, 3)], true, true)));
    const unknown = view.table.at(-1)!;
    expect(unknown.cells.slice(0, 5)).toEqual(['6.7%', 'withheld', '100', '1-7', 'withheld']);
    expect(view.bars.at(-1)).toMatchObject({ withheld: true, text: 'withheld' });
  });
});
