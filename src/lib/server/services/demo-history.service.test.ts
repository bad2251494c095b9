import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq, isNull } from 'drizzle-orm';
import { freshDatabase } from '../../../../tests/support/database';
import type { Database } from '../db/client';
import { auditLog, observations, patients, referralEvents, referrals, sites } from '../db/schema';
import { systemCtx } from '../context';
import { generateHistory, type HistorySite } from '../demo/history.generator';
import { DemoHistoryService } from './demo-history.service';

const TODAY = '2026-11-26';

const SITES: (HistorySite & { name: string; icb: string })[] = [
  { id: '5a0e7c1d-2b3f-4a5e-8d9c-1e2f3a4b5c01', odsCode: 'RDM01', name: 'Riverside Diabetes Centre', icb: 'NHS North Riverside ICB', profile: 'active', facilitationStartsOn: '2025-11-01', t1dPopulation: 2140 },
  { id: '5a0e7c1d-2b3f-4a5e-8d9c-1e2f3a4b5c02', odsCode: 'RDM02', name: 'Hillcrest Hospital Diabetes Service', icb: 'NHS North Riverside ICB', profile: 'active', facilitationStartsOn: '2025-11-01', t1dPopulation: 1685 },
  { id: '5a0e7c1d-2b3f-4a5e-8d9c-1e2f3a4b5c03', odsCode: 'RDM03', name: 'Moorside General Diabetes Clinic', icb: 'NHS Moorside and Vale ICB', profile: 'passive', t1dPopulation: 1930 },
  { id: '5a0e7c1d-2b3f-4a5e-8d9c-1e2f3a4b5c04', odsCode: 'RDM04', name: 'Valley Community Diabetes Team', icb: 'NHS Moorside and Vale ICB', profile: 'none', t1dPopulation: 1210 },
];

let database: Database;

beforeAll(async () => {
  database = await freshDatabase();
  await database.db.insert(sites).values(
    SITES.map((s) => ({ id: s.id, odsCode: s.odsCode, name: s.name, icb: s.icb, t1dPopulation: s.t1dPopulation, t1dPopulationAsOf: TODAY })),
  );
});

afterAll(async () => {
  await database?.close();
});

async function rowCounts() {
  const n = async (table: typeof patients | typeof observations | typeof referrals | typeof referralEvents) =>
    (await database.db.select({ n: count() }).from(table))[0]!.n;
  return {
    patients: await n(patients),
    observations: await n(observations),
    referrals: await n(referrals),
    referralEvents: await n(referralEvents),
  };
}

const seedAudits = () => database.db.select().from(auditLog).where(eq(auditLog.action, 'demo.seed'));

describe('Loading a demo history into the database', () => {
  // Two years at 60 referrals a site: over a thousand results and events, so the inserts go in several chunks.
  const history = generateHistory({ seed: 2018, today: TODAY, years: 2, sites: SITES, referralsPerSitePerYear: 60 });

  it('is the system\'s work: a person, even an admin, is refused', async () => {
    const admin = { ...systemCtx('tests'), actor: { kind: 'user' as const, userId: SITES[0]!.id, email: 'a@test.nhs.uk', name: 'A', role: 'admin' as const, siteIds: [] } };
    await expect(new DemoHistoryService(database.db).load(admin, history)).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('writes nothing at all when any part fails (here, an event pointing at no referral)', async () => {
    const broken = { ...history, events: [...history.events, { ...history.events[0]!, id: '5a0e7c1d-2b3f-4a5e-8d9c-1e2f3a4b5cff', referralId: '5a0e7c1d-2b3f-4a5e-8d9c-1e2f3a4b5cee' }] };
    await expect(new DemoHistoryService(database.db).load(systemCtx('tests'), broken)).rejects.toThrow();
    expect(await rowCounts()).toEqual({ patients: 0, observations: 0, referrals: 0, referralEvents: 0 });
    expect(await seedAudits()).toHaveLength(0);
  });

  it('writes every patient, result, referral and event, and one audit entry with the counts', async () => {
    expect(history.observations.length).toBeGreaterThan(1000);
    expect(history.events.length).toBeGreaterThan(1000);

    const counts = await new DemoHistoryService(database.db).load(systemCtx('tests', 'demo-seed-test'), history);

    const expected = {
      patients: history.patients.length,
      observations: history.observations.length,
      referrals: history.referrals.length,
      referralEvents: history.events.length,
    };
    expect(counts).toEqual(expected);
    expect(await rowCounts()).toEqual(expected);
    const audits = await seedAudits();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ entityType: 'system', entityId: null, actorId: null, requestId: 'demo-seed-test', after: expected });
  });

  it('reads back as generated: a referral’s status, dates and payloads survive the round trip', async () => {
    const sample = history.referrals.find((r) => r.status === 'on_therapy')!;
    const [stored] = await database.db.select().from(referrals).where(eq(referrals.id, sample.id));
    expect(stored).toMatchObject({ status: 'on_therapy', receivedOn: sample.receivedOn, lastEventOn: sample.lastEventOn, version: sample.version });
    const events = await database.db.select().from(referralEvents).where(eq(referralEvents.referralId, sample.id)).orderBy(referralEvents.seq);
    expect(events.map((e) => [e.type, e.occurredOn, e.payload, e.statusAfter])).toEqual(
      history.events.filter((e) => e.referralId === sample.id).map((e) => [e.type, e.occurredOn, e.payload, e.statusAfter]),
    );
  });
});

describe('Loading a history with a caseload', () => {
  const nurseId = '5a0e7c1d-2b3f-4a5e-8d9c-1e2f3a4b5d01';
  const consultantId = '5a0e7c1d-2b3f-4a5e-8d9c-1e2f3a4b5d02';
  const history = generateHistory({
    seed: 2018,
    today: TODAY,
    years: 2,
    sites: SITES,
    referralsPerSitePerYear: 60,
    caseload: { share: 0.12, fhirServerId: 'urn:test:fhir' },
    clinicians: Object.fromEntries(SITES.map((s) => [s.id, { nurseId, consultantId }])),
  });
  const existing = history.referrals.filter((r) => r.origin === 'existing');
  const switches = history.events.filter((e) => e.type === 'switched_to_hcl');
  const entries = (action: string) => database.db.select().from(auditLog).where(eq(auditLog.action, action));

  beforeAll(async () => {
    const fresh = await freshDatabase();
    await fresh.db.insert(sites).values(SITES.map((s) => ({ id: s.id, odsCode: s.odsCode, name: s.name, icb: s.icb, t1dPopulation: s.t1dPopulation, t1dPopulationAsOf: TODAY })));
    await database.close();
    database = fresh;
    await new DemoHistoryService(database.db).load(systemCtx('tests', 'demo-seed-test'), history);
  });

  it('stores people without an NHS number as imported from the FHIR server', async () => {
    const stored = await database.db.select().from(patients).where(isNull(patients.nhsNumber));
    expect(stored).toHaveLength(SITES.length);
    expect(stored.every((p) => p.fhirServer === 'urn:test:fhir' && p.fhirId)).toBe(true);
  });

  it('audits each existing record as the referral service does: the record as created, with its event, by whoever entered it, when they did', async () => {
    const audits = await entries('referral.existing_therapy');
    expect(audits).toHaveLength(existing.length);
    const record = existing.find((r) => r.status !== 'on_therapy')!;
    const first = history.events.find((e) => e.referralId === record.id && e.seq === 1)!;
    expect(audits.find((a) => a.entityId === record.id)).toMatchObject({
      entityType: 'referral',
      actorId: nurseId,
      actorRole: 'nurse',
      requestId: 'demo-seed-test',
      at: first.recordedAt,
      before: null,
      after: {
        id: record.id,
        patientId: record.patientId,
        siteId: record.siteId,
        therapy: record.therapy,
        status: 'on_therapy',
        origin: 'existing',
        receivedOn: null,
        source: null,
        knownOn: record.knownOn,
        priorityGroup: null,
        lastEventOn: record.knownOn,
        version: 1,
        event: { id: first.id, type: 'existing_therapy', occurredOn: record.knownOn, payload: first.payload, statusAfter: 'on_therapy', recordedBy: nurseId, recordedByName: null, recordedAt: first.recordedAt.toISOString() },
      },
    });
  });

  it('audits each switch to closed loop as the referral service does: the pump record before and after, under whoever started the closed loop', async () => {
    const audits = await entries('referral.switched_to_hcl');
    expect(switches.length).toBeGreaterThan(0);
    expect(audits).toHaveLength(switches.length);
    for (const e of switches) {
      const audit = audits.find((a) => a.entityId === e.referralId)!;
      const [stored] = await database.db.select().from(referrals).where(eq(referrals.id, e.referralId));
      expect(audit).toMatchObject({ actorId: nurseId, actorRole: 'nurse', before: { status: 'on_therapy', version: stored!.version - 1 } });
      expect(audit.after).toMatchObject({ status: 'switched', version: stored!.version, lastEventOn: e.occurredOn, event: { type: 'switched_to_hcl', recordedBy: null, payload: e.payload } });
    }
  });
});

describe('Generating a large history', () => {
  it('makes 20 sites x 300 referrals a year x 5 years in seconds (timed, not asserted)', () => {
    const bigSites: HistorySite[] = Array.from({ length: 20 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      odsCode: `BIG${String(i).padStart(2, '0')}`,
      profile: (['active', 'passive', 'none'] as const)[i % 3]!,
      facilitationStartsOn: '2024-06-01',
      t1dPopulation: 1500,
    }));
    const started = performance.now();
    const big = generateHistory({ seed: 1, today: TODAY, years: 5, sites: bigSites, referralsPerSitePerYear: 300 });
    const ms = Math.round(performance.now() - started);
    console.log(
      `Generated ${big.referrals.length} referrals, ${big.events.length} events, ${big.patients.length} patients and ${big.observations.length} HbA1c results in ${ms} ms`,
    );
    expect(big.referrals.length).toBe(30_000);
  });
});
