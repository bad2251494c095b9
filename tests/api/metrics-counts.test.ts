import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../src/lib/domain/calendar-date';
import { WAIT_NAMES, type GroupBy, type MetricsReport, type WaitName } from '../../src/lib/domain/metrics';
import { timeBuckets } from '../../src/lib/domain/metrics-series';
import { binEnd, SPC_BINS, spcBins, type SpcBin } from '../../src/lib/domain/spc-series';
import { facilitationActivities, observations, patientsCountedDirectly, referralEvents, referrals, sitePopulationCounts, sites } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { binOf, expectCountsTrue, groupBy, storedEvents } from '../support/kept-counts';
import { milestonesOf, oracleReport, type OracleData } from '../support/metrics-fixtures';
import { twelveMonthsAfter } from '../support/oracles';
import { nextNhsNumber, pathwayClient, PATHWAY_STEP as EVENT } from '../support/pathway';

/**
 * The reports read milestone_counts and funding_counts, which the database keeps up to date as each write arrives
 * (migrations/0015_milestone_counts.sql). Whatever is written, through the API or straight into the tables, both
 * must stay what their definitions give, worked out here from the rows they are kept from; and the reports and
 * the dashboard's series read through them must stay what the metrics' definitions give, worked out here from the
 * events (the oracle of tests/support/metrics-fixtures.ts and the series' definitions below).
 */

const t = await createTestApp();
const { db } = t.database;
const admin = pathwayClient(t, (await t.as('admin')).cookie);
const alpha = await t.site('MCT01', 'Alpha Centre');
const bravo = await t.site('MCT02', 'Bravo Hospital');
const charlie = await t.site('MCT03', 'Charlie Clinic');
await db.update(sites).set({ icb: 'ICB South' }).where(eq(sites.id, charlie.id));
const allSites = [alpha.id, bravo.id, charlie.id];
const nurse = pathwayClient(t, (await t.as('nurse', allSites)).cookie);
const consultant = pathwayClient(t, (await t.as('consultant', allSites)).cookie);

/** Everything the metrics oracle reads, as the tables hold it. */
async function oracleData(): Promise<OracleData> {
  const counts = await db.select().from(sitePopulationCounts);
  return {
    sites: (await db.select().from(sites)).map((s) => ({
      id: s.id,
      name: s.name,
      icb: s.icb,
      t1dPopulation: s.t1dPopulation,
      t1dPopulationAsOf: s.t1dPopulationAsOf,
      counts: counts.filter((c) => c.siteId === s.id).map((c) => ({ asOf: c.asOf, count: c.t1dPopulation })),
    })),
    facilitation: (await db.select().from(facilitationActivities)).map((f) => ({ siteId: f.siteId, on: f.on, mode: f.mode })),
    referrals: await db.select({ id: referrals.id, patientId: referrals.patientId, siteId: referrals.siteId, therapy: referrals.therapy, receivedOn: referrals.receivedOn }).from(referrals),
    events: await storedEvents(db),
    observations: await db.select({ id: observations.id, patientId: observations.patientId, effective: observations.effective, effectiveAt: observations.effectiveAt, mmolMol: observations.mmolMol }).from(observations),
  };
}

const get = async (path: string) => {
  const res = await admin.call('GET', path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/**
 * The dashboard's series as their definitions (metrics-series.schema.ts) give them: starts per site and month, each
 * wait's bins, the people waiting for funding, continuation, and funding by commissioner and route.
 */
function oracleSeries(data: OracleData, from: string, to: string, grouping: GroupBy, therapy?: 'csii' | 'hcl') {
  const report = oracleReport(data, { from, to, groupBy: grouping, ...(therapy ? { therapy } : {}) });
  const groupOf = new Map(report.rows.flatMap((row) => data.sites.filter((s) => (grouping === 'site' ? s.id === row.key : s.icb === row.key)).map((s) => [s.id, row.key])));
  const inPeriod = (d: string | undefined): d is string => !!d && d >= from && d <= to;
  const ms = [...milestonesOf(data, to).values()].filter((m) => (m.referral.receivedOn ?? m.existingFrom!) <= to && (!therapy || m.referral.therapy === therapy));
  const buckets = timeBuckets({ from, to }, 'month');
  const starts = Object.fromEntries(
    data.sites.map((s) => [s.id, buckets.map((b) => ms.filter((m) => m.referral.siteId === s.id && inPeriod(m.started) && m.started >= b.from && m.started <= b.to).length)]),
  );
  const ends: Record<WaitName, (m: (typeof ms)[number]) => [string | undefined, string | undefined]> = {
    referralToAssessment: (m) => [m.referral.receivedOn ?? undefined, m.decided],
    assessmentToFundingDecision: (m) => [m.eligible, m.fundingDecided],
    fundingApprovalToStart: (m) => [m.approved, m.started],
    referralToStart: (m) => [m.referral.receivedOn ?? undefined, m.started],
  };
  const withdrawnBy = (id: string) => data.events.some((e) => e.referralId === id && e.type === 'withdrawn' && e.occurredOn <= to);
  const groups = report.rows.map((row) => {
    const mine = ms.filter((m) => groupOf.get(m.referral.siteId) === row.key);
    const waits = Object.fromEntries(
      WAIT_NAMES.map((name) => {
        const counts = [0, 0, 0, 0, 0, 0];
        for (const m of mine) {
          const [start, end] = ends[name](m);
          if (start && inPeriod(end)) counts[binOf(daysBetween(start, end))]! += 1;
        }
        return [name, counts];
      }),
    );
    const startedBy = mine.filter((m) => m.started && twelveMonthsAfter(m.started) <= to);
    return {
      key: row.key,
      waits,
      awaitingFunding: mine.filter((m) => m.eligible && !m.fundingDecided && !withdrawnBy(m.referral.id)).length,
      reached12m: new Set(startedBy.map((m) => m.referral.patientId)).size,
      continuing12m: row.continuing12m,
    };
  });
  const scoped = new Set(ms.map((m) => m.referral.id));
  const decisions = new Map<string, { commissioner: string; route: string; submitted: number; approved: number; declined: number; moreInfo: number; awaitingDecision: number }>();
  for (const history of groupBy(data.events.filter((e) => scoped.has(e.referralId)), (e) => e.referralId).values()) {
    history.sort((a, b) => a.seq - b.seq);
    for (const e of history) {
      const request = history.filter((q) => q.type === 'funding_requested' && q.seq <= e.seq).at(-1);
      if (!request || (e.type !== 'funding_requested' && e.type !== 'funding_decision')) continue;
      const { commissioner, route } = request.payload as { commissioner: string; route: string };
      const row = decisions.get(`${commissioner}|${route}`) ?? { commissioner, route, submitted: 0, approved: 0, declined: 0, moreInfo: 0, awaitingDecision: 0 };
      const outcome = (e.payload as { outcome?: string }).outcome;
      if (inPeriod(e.occurredOn)) row[e.type === 'funding_requested' ? 'submitted' : outcome === 'approved' ? 'approved' : outcome === 'declined' ? 'declined' : 'moreInfo'] += 1;
      if (e.type === 'funding_requested' && e.occurredOn <= to && !history.some((l) => l.seq > e.seq && l.occurredOn <= to)) row.awaitingDecision += 1;
      decisions.set(`${commissioner}|${route}`, row);
    }
  }
  const counted = [...decisions.values()].filter((d) => d.submitted + d.approved + d.declined + d.moreInfo + d.awaitingDecision > 0);
  return { starts, groups, decisions: counted.sort((a, b) => (a.commissioner + a.route).localeCompare(b.commissioner + b.route)) };
}

/**
 * The improvement charts' counts as api.md defines them: per group and bin from the one holding `from` to the one
 * holding `to`, the pathway records received, or started, in it.
 */
function oracleSpc(data: OracleData, from: string, to: string, grouping: 'site' | 'icb', measure: 'referrals' | 'starts', bin: SpcBin, therapy?: 'csii' | 'hcl') {
  const bins = spcBins({ from, to }, bin);
  const last = binEnd(bins.at(-1)!, bin);
  const groupOf = new Map(data.sites.map((s) => [s.id, grouping === 'site' ? s.id : s.icb]));
  const records = [...milestonesOf(data, last).values()].filter((m) => m.referral.receivedOn && m.referral.receivedOn <= last && (!therapy || m.referral.therapy === therapy));
  return Object.fromEntries(
    [...new Set(groupOf.values())].map((key) => [
      key,
      bins.map((start) => {
        const end = binEnd(start, bin);
        return records.filter((m) => {
          const on = measure === 'referrals' ? m.referral.receivedOn : m.started;
          return groupOf.get(m.referral.siteId) === key && on && on >= start && on <= end;
        }).length;
      }),
    ]),
  );
}

/** Periods of whole years and months, cut through months at either end, and reaching years back. */
const PERIODS: [string, string][] = [
  ['2025-01-01', '2025-12-31'],
  ['2025-11-15', '2026-06-20'],
  ['2021-03-02', '2026-11-30'],
];

/** The reports and series through the kept counts against the definitions, for several periods, groupings and therapies. */
async function expectFiguresTrue() {
  const data = await oracleData();
  for (const [i, [from, to]] of PERIODS.entries()) {
    for (const therapy of [undefined, 'csii', 'hcl'] as const) {
      const groupBy = (['site', 'icb', 'facilitation'] as const)[i]!;
      const query = `from=${from}&to=${to}&groupBy=${groupBy}${therapy ? `&therapy=${therapy}` : ''}`;
      expect((await get(`/api/v1/metrics?${query}`)) as MetricsReport, query).toEqual(oracleReport(data, { from, to, groupBy, ...(therapy ? { therapy } : {}) }));
      if (groupBy === 'facilitation') continue;
      const expected = oracleSeries(data, from, to, groupBy, therapy);
      const starts = await get(`/api/v1/metrics/starts?from=${from}&to=${to}&bin=month${therapy ? `&therapy=${therapy}` : ''}`);
      expect(Object.fromEntries(starts.sites.map((s: { siteId: string; starts: number[] }) => [s.siteId, s.starts])), `starts ${query}`).toEqual(expected.starts);
      const waits = await get(`/api/v1/metrics/waits?${query}`);
      const funding = await get(`/api/v1/metrics/funding?${query}`);
      const continuation = await get(`/api/v1/metrics/continuation?${query}`);
      const actual = expected.groups.map(({ key }) => ({
        key,
        waits: Object.fromEntries(WAIT_NAMES.map((name) => [name, waits.rows.find((r: { key: string }) => r.key === key).waits[name].counts])),
        awaitingFunding: funding.groups.find((r: { key: string }) => r.key === key).awaitingFunding,
        reached12m: continuation.rows.find((r: { key: string }) => r.key === key).reached12m,
        continuing12m: continuation.rows.find((r: { key: string }) => r.key === key).continuing12m,
      }));
      expect(actual, `series ${query}`).toEqual(expected.groups);
      const decisions = funding.decisions.map(({ suppressed: _s, ...d }: { suppressed: string[] }) => d);
      expect(decisions.sort((a: { commissioner: string; route: string }, b: typeof a) => (a.commissioner + a.route).localeCompare(b.commissioner + b.route)), `funding ${query}`).toEqual(
        expected.decisions,
      );
      // Monthly counts come from the kept counts, weekly ones from the records.
      for (const measure of ['referrals', 'starts'] as const) {
        for (const bin of SPC_BINS) {
          const spc = await get(`/api/v1/metrics/spc?measure=${measure}&bin=${bin}&${query}`);
          const charted = Object.fromEntries(spc.groups.map((g: { key: string; points: { value: number }[] }) => [g.key, g.points.map((p) => p.value)]));
          expect(charted, `spc ${measure} by ${bin} ${query}`).toEqual(oracleSpc(data, from, to, groupBy, measure, bin, therapy));
        }
      }
    }
  }
}

type Step = keyof typeof EVENT;
const CONSULTANT_STEPS: Step[] = ['eligible', 'not_eligible', 'deferred'];

/** Records the steps on a referral through the API, checking the counts after each one. */
async function walk(referral: { id: string; version: number }, steps: [Step, string][]) {
  let version = referral.version;
  for (const [step, on] of steps) {
    const res = await (CONSULTANT_STEPS.includes(step) ? consultant : nurse).event(referral.id, { ...EVENT[step](on), version });
    expect(res.status, `${step} on ${on}: ${JSON.stringify(res.body)}`).toBe(201);
    version = res.body.version;
    await expectCountsTrue(db);
  }
  return { id: referral.id, version };
}

const TO_START = (received: string): [Step, string][] => [
  ['eligible', addDays(received, 20)],
  ['requested', addDays(received, 30)],
  ['approved', addDays(received, 60)],
  ['started', addDays(received, 90)],
];

describe('the kept counts', () => {
  it('follow every kind of pathway step, as each is recorded', async () => {
    const ada = await nurse.createPatient(alpha.id);
    await walk(await nurse.refer(ada.id, { receivedOn: '2025-01-06' }), [
      ['deferred', '2025-01-20'],
      ['eligible', '2025-02-17'],
      ['requested', '2025-02-20'],
      ['more_info', '2025-03-10'],
      ['requested', '2025-03-15'],
      ['approved', '2025-04-01'],
      ['started', '2025-05-02'],
      ['continued', '2025-11-03'],
      ['discontinued', '2026-06-01'],
    ]);
    const ben = await nurse.createPatient(bravo.id);
    await walk(await nurse.refer(ben.id, { receivedOn: '2025-03-03', therapy: 'hcl' }), [['not_eligible', '2025-04-14']]);
    await walk(await nurse.refer(ben.id, { receivedOn: '2025-09-01', therapy: 'hcl' }), [
      ['eligible', '2025-09-15'],
      ['requested', '2025-10-01'],
      ['declined', '2025-11-20'],
    ]);
    const cal = await nurse.createPatient(charlie.id);
    await walk(await nurse.refer(cal.id, { receivedOn: '2025-06-02' }), [
      ['eligible', '2025-06-30'],
      ['requested', '2025-07-07'],
      ['withdrawn', '2025-08-01'],
    ]);
    await walk(await nurse.refer(cal.id, { receivedOn: '2026-02-02', therapy: 'hcl' }), [['withdrawn', '2026-02-03']]);
    // A request still awaiting its decision, and one awaiting funding before any request.
    const dee = await nurse.createPatient(charlie.id);
    await walk(await nurse.refer(dee.id, { receivedOn: '2026-05-04' }), [
      ['eligible', '2026-05-18'],
      ['requested', '2026-06-01'],
    ]);
    await walk(await nurse.refer((await nurse.createPatient(alpha.id)).id, { receivedOn: '2026-04-01' }), [['eligible', '2026-04-15']]);
    await expectFiguresTrue();
  }, 120_000);

  it('follow existing-therapy records, their discontinuation, and switches from a pump to closed loop', async () => {
    // On a pump since a known date, since a year only, and since an unknown date; the last one then stops.
    await nurse.existing((await nurse.createPatient(alpha.id)).id, { startedOn: '2019-03-04', knownOn: '2025-04-01' });
    await expectCountsTrue(db);
    await nurse.existing((await nurse.createPatient(alpha.id)).id, { startedOn: undefined, startedYear: 2018, knownOn: '2025-05-01' });
    await expectCountsTrue(db);
    const stops = await nurse.existing((await nurse.createPatient(bravo.id)).id, { therapy: 'hcl', startedOn: undefined, knownOn: '2025-02-01' });
    await expectCountsTrue(db);
    await walk(stops, [['discontinued', '2025-10-10']]);
    // An existing pump switched to closed loop through the pathway.
    const eve = await nurse.createPatient(bravo.id);
    await nurse.existing(eve.id, { startedOn: '2020-02-02', knownOn: '2025-01-15' });
    await walk(await nurse.refer(eve.id, { receivedOn: '2025-01-20', therapy: 'hcl' }), TO_START('2025-01-20'));
    // A pathway pump switched to closed loop through the pathway: two starts, so the patient is counted directly.
    const fay = await nurse.createPatient(alpha.id);
    await walk(await nurse.refer(fay.id, { receivedOn: '2024-01-08' }), TO_START('2024-01-08'));
    await walk(await nurse.refer(fay.id, { receivedOn: '2025-06-02', therapy: 'hcl' }), TO_START('2025-06-02'));
    expect(await db.select().from(patientsCountedDirectly).where(eq(patientsCountedDirectly.patientId, fay.id))).toHaveLength(1);
    // A person on an existing pump and started on another through the pathway: on therapy twice at once.
    const gus = await nurse.createPatient(charlie.id);
    await nurse.existing(gus.id, { startedOn: '2017-01-01', knownOn: '2025-03-01' });
    await walk(await nurse.refer(gus.id, { receivedOn: '2025-04-07' }), TO_START('2025-04-07'));
    expect(await db.select().from(patientsCountedDirectly).where(eq(patientsCountedDirectly.patientId, gus.id))).toHaveLength(1);
    await expectFiguresTrue();
  }, 120_000);

  it('leave HbA1c results, population counts and facilitation to the reports, which read them as they are', async () => {
    const hal = await nurse.createPatient(charlie.id);
    await walk(await nurse.refer(hal.id, { receivedOn: '2025-02-03' }), TO_START('2025-02-03'));
    for (const [effective, value] of [['2025-03-01', 72], ['2025-11-01', 61]] as const) {
      expect((await nurse.call('POST', `/api/v1/patients/${hal.id}/observations`, { kind: 'hba1c', effective, value, unit: 'mmol/mol' })).status).toBe(201);
      await expectCountsTrue(db);
    }
    let version = (await admin.call('GET', `/api/v1/sites/${alpha.id}`)).body.version;
    for (const [count, asOf] of [[1200, '2025-04-01'], [1250, '2026-04-01']] as const) {
      const res = await admin.call('PATCH', `/api/v1/sites/${alpha.id}`, { version, t1dPopulation: count, t1dPopulationAsOf: asOf });
      expect(res.status).toBe(200);
      version = res.body.version;
    }
    expect((await nurse.call('POST', `/api/v1/sites/${bravo.id}/facilitation`, { on: '2025-09-01', mode: 'active', kind: 'site_visit' })).status).toBe(201);
    await expectCountsTrue(db);
    await expectFiguresTrue();
  }, 120_000);

  it('follow a caseload brought in from a file, and the people on it as they move on', async () => {
    const header = 'nhs_number,given_name,family_name,birth_date,sex,diabetes_type,record,therapy,started_on,started_year,known_on,pump,funding,received_on';
    const people = [0, 1, 2, 3].map((i) => nextNhsNumber(620_000 + i * 7));
    const file = [
      header,
      `${people[0]},Lia,Moss,1988-03-03,female,type1,on_therapy,csii,2021-05-10,,2025-02-01,Tandem t:slim X2,nhs,`,
      `${people[1]},Rex,Hale,1979-11-20,male,type1,on_therapy,hcl,,2019,2025-02-01,Tandem t:slim X2,non_nhs,`,
      `${people[2]},Uma,Reid,2001-07-14,female,type1,waiting,hcl,,,,,,2024-12-02`,
      // Already on a pump and waiting for closed loop: two records of one person from one file.
      `${people[3]},Ned,Yeo,1995-01-30,male,type1,on_therapy,csii,2018-09-01,,2025-02-01,Tandem t:slim X2,nhs,`,
      `${people[3]},Ned,Yeo,1995-01-30,male,type1,waiting,hcl,,,,,,2025-01-06`,
    ].join('\r\n');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/imports/caseload?siteId=${bravo.id}&mode=apply`,
      headers: { cookie: (await t.as('admin')).cookie, 'content-type': 'text/csv' },
      payload: file,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().referrals.created).toBe(2);
    await expectCountsTrue(db);
    // The waiting people go on through the pathway; Ned's closed loop start switches his pump.
    for (const nhsNumber of [people[2], people[3]]) {
      const [waiting] = await db.select().from(referrals).where(sql`${referrals.status} = 'awaiting_assessment' and ${referrals.patientId} = (select id from patients where nhs_number = ${nhsNumber})`);
      await walk(waiting!, TO_START(waiting!.receivedOn!));
    }
    await expectFiguresTrue();
  }, 120_000);

  it('group a site that moves to another ICB with its new ICB, counts and all', async () => {
    const version = (await admin.call('GET', `/api/v1/sites/${bravo.id}`)).body.version;
    expect((await admin.call('PATCH', `/api/v1/sites/${bravo.id}`, { version, icb: 'ICB South' })).status).toBe(200);
    await expectCountsTrue(db);
    await expectFiguresTrue();
  }, 120_000);

  it('follow rows changed or removed in the database directly', async () => {
    const ivy = await nurse.createPatient(alpha.id);
    const referral = await walk(await nurse.refer(ivy.id, { receivedOn: '2025-07-07' }), [...TO_START('2025-07-07'), ['continued', '2026-01-05']]);
    // Every event a week later; then the latest removed.
    await db.update(referralEvents).set({ occurredOn: sql`${referralEvents.occurredOn} + 7` }).where(eq(referralEvents.referralId, referral.id));
    await expectCountsTrue(db);
    await db.execute(sql`delete from referral_events where id = (select id from referral_events where referral_id = ${referral.id} order by seq desc limit 1)`);
    await expectCountsTrue(db);
    // A start dated before its approval, as only a direct edit could make it.
    await db.execute(sql`update referral_events set occurred_on = '2025-07-01' where referral_id = ${referral.id} and type = 'device_started'`);
    expect(await db.select().from(patientsCountedDirectly).where(eq(patientsCountedDirectly.patientId, ivy.id))).toHaveLength(1);
    await expectCountsTrue(db);
    // Moved to another site: on therapy at two sites, as a person who moves is.
    const jon = await nurse.createPatient(alpha.id);
    await walk(await nurse.refer(jon.id, { receivedOn: '2025-01-13' }), TO_START('2025-01-13'));
    const moving = await walk(await nurse.refer(jon.id, { receivedOn: '2025-09-01', therapy: 'hcl' }), [['eligible', '2025-09-10']]);
    await db.update(referrals).set({ siteId: charlie.id }).where(eq(referrals.id, moving.id));
    await expectCountsTrue(db);
    // A referral removed with its events; a withdrawal removed.
    const kim = await nurse.createPatient(bravo.id);
    const gone = await walk(await nurse.refer(kim.id, { receivedOn: '2025-05-05' }), [['eligible', '2025-05-20'], ['withdrawn', '2025-06-01']]);
    await db.execute(sql`delete from referral_events where referral_id = ${gone.id} and type = 'withdrawn'`);
    await expectCountsTrue(db);
    await db.delete(referralEvents).where(eq(referralEvents.referralId, gone.id));
    await db.delete(referrals).where(eq(referrals.id, gone.id));
    await expectCountsTrue(db);
    await expectFiguresTrue();
  }, 120_000);

  it('stay true after any sequence of steps and results entered through the API', async () => {
    const NEXT: Record<string, Step[]> = {
      awaiting_assessment: ['eligible', 'eligible', 'not_eligible', 'deferred', 'withdrawn'],
      deferred: ['eligible', 'not_eligible'],
      awaiting_funding_request: ['requested', 'requested', 'withdrawn'],
      funding_more_info: ['requested', 'withdrawn'],
      awaiting_funding_decision: ['approved', 'approved', 'declined', 'more_info', 'withdrawn'],
      awaiting_start: ['started', 'started', 'withdrawn'],
      on_therapy: ['continued', 'discontinued'],
    };
    const person = fc.record({
      site: fc.constantFrom(...allSites),
      existing: fc.constantFrom('none', 'csii', 'hcl'),
      referrals: fc.array(
        fc.record({ therapy: fc.constantFrom('csii' as const, 'hcl' as const), gap: fc.integer({ min: 0, max: 300 }), steps: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 30 })), { maxLength: 8 }) }),
        { minLength: 1, maxLength: 2 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(person, async (p) => {
        const patient = await nurse.createPatient(p.site);
        if (p.existing !== 'none') await nurse.existing(patient.id, { therapy: p.existing, startedOn: '2020-06-01', knownOn: '2024-01-02' });
        let day = '2023-01-02';
        for (const r of p.referrals) {
          day = addDays(day, r.gap);
          let referral = await nurse.refer(patient.id, { receivedOn: day, therapy: r.therapy });
          for (const [pick, days] of r.steps) {
            const next = NEXT[referral.status];
            if (!next) break;
            day = addDays(day, days);
            const step = next[pick % next.length]!;
            const res = await (CONSULTANT_STEPS.includes(step) ? consultant : nurse).event(referral.id, { ...EVENT[step](day), version: referral.version });
            expect(res.status, JSON.stringify(res.body)).toBe(201);
            referral = res.body;
          }
        }
        await expectCountsTrue(db);
      }),
      { numRuns: 25, seed: 17 },
    );
    await expectFiguresTrue();
  }, 300_000);
});
