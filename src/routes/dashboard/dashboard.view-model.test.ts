import { describe, expect, it } from 'vitest';
import { emptyRow, type MetricsRow } from '$lib/domain/metrics';
import type { FundingReport, SiteStarts, StartsSeries } from '$lib/domain/metrics-series';
import {
  csvHref,
  days,
  filtersText,
  flowView,
  fundingView,
  outcomesView,
  recentPeriodLinks,
  shown,
  startsView,
  uptakeView,
  WAIT_BIN_LABELS,
  waitsView,
  type DashboardQuery,
} from './dashboard.view-model';

const PERIOD = { from: '2025-07-02', to: '2026-07-01' };
const row = (key: string, label: string, fields: Partial<MetricsRow> = {}): MetricsRow => ({ ...emptyRow(key, label), ...fields });
const funding = (rows: MetricsRow[], fields: Partial<FundingReport> = {}): FundingReport => ({
  ...PERIOD,
  decisions: [],
  groups: rows.map((r) => ({ key: r.key, label: r.label, awaitingFunding: 0, suppressed: [] })),
  ...fields,
});
const site = (fields: Partial<SiteStarts>): SiteStarts => ({
  siteId: 's1',
  name: 'Riverside',
  facilitationMode: 'none',
  total: 0,
  starts: [],
  facilitation: [],
  barriers: [],
  suppressed: [],
  ...fields,
});
const series = (sites: SiteStarts[]): StartsSeries => ({ ...PERIOD, bin: 'quarter', buckets: [], sites });

describe('figures', () => {
  it('a withheld count reads 1-7, never 0', () => {
    expect(shown(null, 'referrals', ['referrals'])).toBe('1-7');
  });

  it('a known count is written with thousands separators, an unknown one is blank', () => {
    expect(shown(1234, 'referrals', [])).toBe('1,234');
    expect(shown(null, 't1dPopulation', [])).toBe('');
  });

  it('days read to one decimal place, whole days without one', () => {
    expect(days(30.25)).toBe('30.3');
    expect(days(12)).toBe('12');
    expect(days(null)).toBe('');
  });
});

describe('the header and the query', () => {
  const query: DashboardQuery = { ...PERIOD, groupBy: 'facilitation', bin: 'quarter' };

  it('says what is compared, for which therapy, and how starts are counted', () => {
    expect(filtersText(query)).toBe('Facilitation modes compared; pumps and closed loop; starts counted by quarter.');
    expect(filtersText({ ...query, groupBy: 'icb', therapy: 'hcl' })).toBe('ICBs compared; Hybrid closed loop (HCL); starts counted by quarter.');
  });

  it('offers the figures as a spreadsheet for the same period, groups and therapy', () => {
    expect(csvHref({ ...query, therapy: 'csii' })).toBe('/dashboard/figures.csv?from=2025-07-02&to=2026-07-01&groupBy=facilitation&therapy=csii');
  });

  it('links to the periods ending today with the rest of the query kept, and marks the one shown', () => {
    const links = recentPeriodLinks(query, [
      { years: 1, ...PERIOD },
      { years: 2, from: '2024-07-02', to: '2026-07-01' },
    ]);
    expect(links).toEqual([
      { years: 1, text: 'Last 12 months', href: '?groupBy=facilitation&bin=quarter&from=2025-07-02&to=2026-07-01', current: true },
      { years: 2, text: 'Last 2 years', href: '?groupBy=facilitation&bin=quarter&from=2024-07-02&to=2026-07-01', current: false },
    ]);
  });
});

describe('uptake', () => {
  const rows = [row('a', 'Riverside', { uptakePct: 14.5 }), row('b', 'Moorside', { uptakePct: 3 }), row('c', 'Valley', { uptakePct: 9 })];

  it('names the highest and the lowest, and how many reach the 12% benchmark', () => {
    expect(uptakeView(rows, 'site').summary).toBe('Highest Riverside at 14.5%, lowest Moorside at 3%. 1 of 3 at or above the 12% benchmark.');
  });

  it('with one figure, says where it stands against the benchmark rather than calling it both highest and lowest', () => {
    expect(uptakeView([row('a', 'Riverside', { uptakePct: 11.1 })], 'site').summary).toBe('Riverside at 11.1%, below the 12% benchmark.');
    expect(uptakeView([row('a', 'Riverside', { uptakePct: 12 }), row('b', 'Moorside')], 'site').summary).toBe(
      'Riverside at 12%, at or above the 12% benchmark. No figure for the others.',
    );
  });

  it('says so when no group has a figure', () => {
    expect(uptakeView([row('a', 'Riverside')], 'site').summary).toBe('No uptake figure: no population count, or figures withheld.');
  });

  it('a withheld uptake reads "withheld"; a missing one is blank in the table and "no figure" on the chart', () => {
    const view = uptakeView([row('a', 'Riverside', { suppressed: ['uptakePct'] }), row('b', 'Moorside')], 'site');
    expect(view.table.map((r) => r.cells[3])).toEqual(['withheld', '']);
    expect(view.bars.map((b) => b.text)).toEqual(['withheld', 'no figure']);
  });

  it('says how many of those on therapy were already on it when recorded, under disclosure control', () => {
    const view = uptakeView([row('a', 'Riverside', { onTherapy: 40, existingOnTherapy: 25 }), row('b', 'Moorside', { existingOnTherapy: null, suppressed: ['existingOnTherapy'] })], 'site');
    expect(view.columns[2]).toMatchObject({ label: 'Of whom already on it when recorded' });
    expect(view.table.map((r) => r.cells[2])).toEqual(['25', '1-7']);
  });

  it('leaves room above the benchmark line', () => {
    expect(uptakeView(rows, 'site').max).toBe(15);
    expect(uptakeView([row('a', 'Riverside', { uptakePct: 40 })], 'site').max).toBe(40);
  });

  it("links sites to their page; ICBs and facilitation modes have none", () => {
    expect(uptakeView(rows, 'site').table[0]!.href).toBe('/sites/a');
    expect(uptakeView(rows, 'icb').table[0]!.href).toBeUndefined();
  });
});

describe('starts', () => {
  it('sums up each site: its starts, its first facilitation, and the barriers still open at the end of the period', () => {
    const view = startsView(
      series([
        site({
          total: 12,
          facilitation: [{ on: '2025-09-01', mode: 'active', kind: 'site_visit', facilitator: null, notes: null }],
          barriers: [
            { category: 'funding', description: 'No budget', raisedOn: '2025-08-01', resolvedOn: null },
            // Resolved after the period: still open in it.
            { category: 'staffing', description: 'Vacancy', raisedOn: '2025-08-01', resolvedOn: '2026-08-01' },
            { category: 'it_data', description: 'No export', raisedOn: '2025-08-01', resolvedOn: '2026-01-10' },
          ],
        }),
        site({ siteId: 's2', name: 'Moorside', total: null, suppressed: ['total'] }),
      ]),
    );
    expect(view.summary).toBe(
      'Riverside: 12 starts, 1 facilitation activity (first active, 1 September 2025), 2 barriers still open. Moorside: 1-7 starts, no facilitation in the period, 0 barriers still open.',
    );
  });

  it('lists each site’s facilitation, then its barriers, in words', () => {
    const view = startsView(
      series([
        site({
          facilitation: [{ on: '2025-09-01', mode: 'passive', kind: 'web_resource', facilitator: null, notes: 'Toolkit sent' }],
          barriers: [{ category: 'funding', description: 'No budget', raisedOn: '2025-08-01', resolvedOn: '2026-01-10' }],
        }),
      ]),
    );
    expect(view.events.map((r) => [r.label, ...r.cells])).toEqual([
      ['Riverside', 'Passive facilitation: Web resource (Toolkit sent)', '1 September 2025'],
      ['Riverside', 'Funding barrier: No budget', 'Raised 1 August 2025, resolved 10 January 2026'],
    ]);
  });
});

describe('the pathway', () => {
  it('sums up each group step by step, a withheld step as 1-7 and an unknown one as 0', () => {
    const r = row('a', 'Riverside', { referrals: 40, assessed: null, eligible: null, suppressed: ['eligible'] });
    const [funnel] = flowView([r], funding([r], { groups: [{ key: 'a', label: 'Riverside', awaitingFunding: null, suppressed: ['awaitingFunding'] }] }), 'site').funnels;
    expect(funnel!.summary).toBe(
      'Riverside: referred 40, assessed 0, eligible 1-7, funding requested 0, funding approved 0, started 0; 1-7 waiting on funding at the end of the period.',
    );
  });

  it('draws every funnel on one scale, tall enough for a withheld count of up to 7', () => {
    const rows = [row('a', 'Riverside', { referrals: 3 }), row('b', 'Moorside', { referrals: null, suppressed: ['referrals'] })];
    expect(flowView(rows, funding(rows), 'site').max).toBe(7);
  });
});

describe('waits', () => {
  it('names the bins of days as the domain defines them', () => {
    expect(WAIT_BIN_LABELS).toEqual(['0-30', '31-60', '61-90', '91-180', '181-365', 'over 365']);
  });

  it('sums up each wait: how many, and the median and 90th centile when there is one', () => {
    const rows = [
      row('a', 'Riverside', { waits: { ...emptyRow('a', '').waits, referralToStart: { n: 9, medianDays: 120.5, p90Days: 200 } } }),
      row('b', 'Moorside'),
    ];
    const view = waitsView(rows, { ...PERIOD, bins: [], rows: [] });
    expect(view.waits.find((w) => w.name === 'referralToStart')!.summary).toBe('Riverside: 9 waits, median 120.5 days, 90th centile 200 days; Moorside: 0 waits.');
  });
});

describe('funding', () => {
  it('names routes in words, and keeps a route it does not know as written', () => {
    const decision = { commissioner: 'NHS North ICB', approved: 10, declined: null, submitted: 12, moreInfo: 0, awaitingDecision: 0, suppressed: ['declined'] };
    const view = fundingView(funding([], { decisions: [{ ...decision, route: 'ifr' }, { ...decision, route: 'pilot' }] }));
    expect(view.table.map((r) => r.label)).toEqual(['NHS North ICB: Individual funding request', 'NHS North ICB: pilot']);
    expect(view.summary).toBe(
      'NHS North ICB, Individual funding request: 10 approved, 1-7 declined, 0 awaiting a decision; NHS North ICB, pilot: 10 approved, 1-7 declined, 0 awaiting a decision.',
    );
  });

  it('says so when nothing was asked for or decided', () => {
    expect(fundingView(funding([])).summary).toBe('No funding requests or decisions in the period.');
  });
});

describe('outcomes', () => {
  const rows = [row('a', 'Riverside', { hba1cChange6m: { n: 12, medianMmolMol: -7.5 } }), row('b', 'Moorside', { hba1cChange6m: { n: null, medianMmolMol: null }, suppressed: ['hba1cChange6m.n', 'hba1cChange6m.medianMmolMol'] })];
  const continuation = {
    ...PERIOD,
    rows: [
      { key: 'a', label: 'Riverside', reached12m: 20, continuing12m: 15, continuingPct: 75, suppressed: [] },
      { key: 'b', label: 'Moorside', reached12m: null, continuing12m: null, continuingPct: null, suppressed: ['reached12m', 'continuing12m', 'continuingPct'] },
    ],
  };

  it('shows continuation with the counts it rests on, unless withheld', () => {
    expect(outcomesView(rows, continuation, true).continuationSummary).toBe('Riverside: 75% (15 of 20); Moorside: withheld');
  });

  it('a withheld median HbA1c change reads "withheld", never a number', () => {
    const view = outcomesView(rows, continuation, true);
    expect(view.hba1cSummary).toBe('Riverside: -7.5 mmol/mol; Moorside: withheld');
    expect(view.table.map((r) => r.cells)).toEqual([
      ['20', '15', '75%', '12', '-7.5'],
      ['1-7', '1-7', 'withheld', '1-7', 'withheld'],
    ]);
  });

  it('draws HbA1c change from at least -5 to 10 mmol/mol', () => {
    expect(outcomesView(rows, continuation, true).hba1cDomain).toEqual([-7.5, 10]);
  });

  it('explains withheld figures to commissioners only', () => {
    expect(outcomesView(rows, continuation, true).footnote).toBe('Withheld figures read 1-7; a median or percentage is withheld when it rests on fewer than 8 people.');
    expect(outcomesView(rows, continuation, false).footnote).toBe('');
  });
});
