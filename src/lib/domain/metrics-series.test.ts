import { describe, expect, it } from 'vitest';
import { seriesGroups, timeBuckets, WAIT_BINS } from './metrics-series';
import { waitBinIndex } from '../../../tests/support/oracles';

describe('the time axis', () => {
  it('has every month that meets the period, the first and last cut to it', () => {
    expect(timeBuckets({ from: '2025-11-15', to: '2026-02-03' }, 'month')).toEqual([
      { start: '2025-11-01', from: '2025-11-15', to: '2025-11-30', label: 'Nov 2025' },
      { start: '2025-12-01', from: '2025-12-01', to: '2025-12-31', label: 'Dec 2025' },
      { start: '2026-01-01', from: '2026-01-01', to: '2026-01-31', label: 'Jan 2026' },
      { start: '2026-02-01', from: '2026-02-01', to: '2026-02-03', label: 'Feb 2026' },
    ]);
  });

  it('has calendar quarters named by their months, across a year end, with a leap February', () => {
    expect(timeBuckets({ from: '2023-12-31', to: '2024-04-01' }, 'quarter')).toEqual([
      { start: '2023-10-01', from: '2023-12-31', to: '2023-12-31', label: 'Oct-Dec 2023' },
      { start: '2024-01-01', from: '2024-01-01', to: '2024-03-31', label: 'Jan-Mar 2024' },
      { start: '2024-04-01', from: '2024-04-01', to: '2024-04-01', label: 'Apr-Jun 2024' },
    ]);
    expect(timeBuckets({ from: '2024-02-29', to: '2024-02-29' }, 'month')).toEqual([{ start: '2024-02-01', from: '2024-02-29', to: '2024-02-29', label: 'Feb 2024' }]);
  });
});

describe('the wait bins', () => {
  it.each([
    [0, 0], [30, 0], [31, 1], [60, 1], [61, 2], [90, 2], [91, 3], [180, 3], [181, 4], [365, 4], [366, 5], [2000, 5],
  ])('puts a wait of %i days in bin %i', (days, bin) => {
    expect(waitBinIndex(days)).toBe(bin);
  });

  it('leave no day out and count none twice', () => {
    for (let i = 1; i < WAIT_BINS.length; i++) expect(WAIT_BINS[i]!.minDays).toBe(WAIT_BINS[i - 1]!.maxDays! + 1);
  });
});

describe('the groups', () => {
  const sites = [
    { id: 'b', name: 'Zeta', icb: 'North', facilitationMode: 'passive' as const },
    { id: 'a', name: 'alpha', icb: 'North', facilitationMode: 'passive' as const },
    { id: 'c', name: 'Beta', icb: 'East', facilitationMode: 'none' as const },
  ];

  it('orders sites and ICBs by label in code-point order, capitals first', () => {
    expect(seriesGroups(sites, 'site').map((g) => g.label)).toEqual(['Beta', 'Zeta', 'alpha']);
    expect(seriesGroups(sites, 'icb')).toEqual([
      { key: 'East', label: 'East', siteIds: ['c'] },
      { key: 'North', label: 'North', siteIds: ['b', 'a'] },
    ]);
  });

  it('always gives the three facilitation modes, strongest first, empty ones included', () => {
    expect(seriesGroups(sites, 'facilitation').map((g) => [g.key, g.siteIds])).toEqual([
      ['active', []],
      ['passive', ['b', 'a']],
      ['none', ['c']],
    ]);
  });
});
