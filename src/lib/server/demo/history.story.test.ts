import { describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar-date';
import { DEMO_HISTORY, DEMO_SITES } from './demo.seed';
import { demoHistorySites } from './history.demo-sites';
import { generateHistory } from './history.generator';
import { historyTellingTheStory, storyCharts, storyProblems } from './history.story';

const SITES = DEMO_SITES.map((s, i) => ({ ...s, id: `00000000-0000-4000-8000-00000000000${i}` }));
const demoOn = (today: string) => ({ ...DEMO_HISTORY, today, sites: demoHistorySites(SITES, today) });

describe("the demo's story on the dashboard's improvement charts", () => {
  // The demo is made on the day the app first starts: a year of such days, a month or so apart.
  const days = Array.from({ length: 10 }, (_, i) => addDays('2026-12-06', i * 37));

  it.each(days)('is told by the history made on %s: signals of improvement after hands-on help, common cause elsewhere', (today) => {
    const options = demoOn(today);
    expect(storyProblems(historyTellingTheStory(options), options.sites, today)).toEqual([]);
  });

  it("would not be told by every site's first history: a steady site's few starts a month make chance signals", () => {
    const told = days.map((today) => {
      const options = demoOn(today);
      return storyProblems(generateHistory(options), options.sites, today).length === 0;
    });
    expect(told).toContain(false);
  });

  it('finds a signal at a site without hands-on help, and a facilitated site whose starts did not rise', () => {
    const today = '2026-12-06';
    const sites = demoOn(today).sites.map((s) => (s.odsCode === 'RDM01' ? { ...s, facilitationStartsOn: addDays(today, -150) } : s));
    const problems = storyProblems(generateHistory({ ...demoOn(today), sites }), sites, today);
    // Facilitation five months ago leaves too few months since it for a run of 7.
    expect(problems).toContain('RDM01 starts: no sustained improvement after hands-on facilitation');
    expect(problems.some((p) => /^RDM0[34] .+: a signal at a site without hands-on help$/.test(p))).toBe(true);
  });
});

describe('a site’s variant', () => {
  it('changes only that site’s history: each site draws on its own random stream', () => {
    const options = demoOn('2026-12-06');
    const other = { ...options, sites: options.sites.map((s) => (s.odsCode === 'RDM04' ? { ...s, variant: 3 } : s)) };
    const receipts = (history: ReturnType<typeof generateHistory>, siteId: string) => history.referrals.filter((r) => r.siteId === siteId).map((r) => r.receivedOn);
    const [first, second] = [generateHistory(options), generateHistory(other)];
    for (const site of options.sites) {
      if (site.odsCode === 'RDM04') expect(receipts(second, site.id)).not.toEqual(receipts(first, site.id));
      else expect(receipts(second, site.id)).toEqual(receipts(first, site.id));
    }
  });

  it('must be a whole number, zero or more', () => {
    const options = demoOn('2026-12-06');
    expect(() => generateHistory({ ...options, sites: options.sites.map((s) => ({ ...s, variant: 1.5 })) })).toThrow(/variant of RDM01 must be a whole number/);
  });
});

describe('the charts the story is read from', () => {
  it('cover the 24 whole months the dashboard opens with, each site split where its hands-on help began', () => {
    const options = demoOn('2026-12-06');
    const charts = storyCharts(generateHistory(options), options.sites, '2026-12-06');
    const riverside = charts.get(SITES[0]!.id)!.get('starts')!;
    expect(riverside.points.map((p) => p.start)).toHaveLength(24);
    expect([riverside.points[0]!.start, riverside.points.at(-1)!.start]).toEqual(['2024-12-01', '2026-11-01']);
    expect(riverside.rebasedOn).toEqual(['2025-12-01']);
    expect(charts.get(SITES[3]!.id)!.get('starts')!.rebasedOn).toEqual([]);
  });
});
