import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, sitePopulationCounts, sites } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';

/**
 * The migration that began the population history keeps each site's count of the day as its first entry, with
 * how it was recorded read from the audit trail. Its backfill statement is run here on rows made as they were
 * before the history existed.
 */
const t = await createTestApp();
const { db } = t.database;
const backfill = readFileSync('migrations/0008_population_history.sql', 'utf8').split('--> statement-breakpoint').at(-1)!;

describe('the migration that keeps population counts as history', () => {
  it("keeps today's counts, marking a FHIR sync's as fhir and anything else as manual, by whoever recorded it", async () => {
    const admin = await t.as('admin');
    const [synced, entered, uncounted] = await db
      .insert(sites)
      .values([
        { odsCode: 'MIG01', name: 'Synced', icb: 'X', t1dPopulation: 1200, t1dPopulationAsOf: '2026-03-01' },
        { odsCode: 'MIG02', name: 'Entered', icb: 'X', t1dPopulation: 800, t1dPopulationAsOf: '2025-12-31' },
        { odsCode: 'MIG03', name: 'Uncounted', icb: 'X' },
      ])
      .returning();
    const at = (iso: string) => new Date(iso);
    await db.insert(auditLog).values([
      // An older manual count, then the sync that set today's figure.
      { action: 'site.update', entityType: 'site', entityId: synced!.id, actorId: admin.user.id, at: at('2026-01-01T10:00:00Z'), after: { t1dPopulation: 1100, t1dPopulationAsOf: '2025-12-01' } },
      { action: 'site.population_sync', entityType: 'site', entityId: synced!.id, actorId: admin.user.id, at: at('2026-03-01T09:00:00Z'), after: { t1dPopulation: 1200, t1dPopulationAsOf: '2026-03-01' } },
      { action: 'site.update', entityType: 'site', entityId: entered!.id, actorId: admin.user.id, at: at('2026-01-02T11:00:00Z'), after: { t1dPopulation: 800, t1dPopulationAsOf: '2025-12-31' } },
    ]);

    await db.execute(sql.raw(backfill));

    const kept = await db.select().from(sitePopulationCounts).where(sql`${sitePopulationCounts.siteId} in (${synced!.id}, ${entered!.id}, ${uncounted!.id})`);
    expect(kept.map(({ siteId, asOf, t1dPopulation, source, recordedAt, recordedBy }) => ({ siteId, asOf, t1dPopulation, source, recordedAt, recordedBy }))).toEqual(
      expect.arrayContaining([
        { siteId: synced!.id, asOf: '2026-03-01', t1dPopulation: 1200, source: 'fhir', recordedAt: at('2026-03-01T09:00:00Z'), recordedBy: admin.user.id },
        { siteId: entered!.id, asOf: '2025-12-31', t1dPopulation: 800, source: 'manual', recordedAt: at('2026-01-02T11:00:00Z'), recordedBy: admin.user.id },
      ]),
    );
    expect(kept).toHaveLength(2);
  });
});
