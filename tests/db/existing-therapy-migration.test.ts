import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/lib/server/db/client';

/**
 * A database made before existing therapy (migrations up to 0008) upgrades in place: its referrals become pathway
 * referrals, and each milestone row gains the dates the "on therapy" counts now read, equal to what the pathway
 * already said (the device start, the discontinuation), with nothing switched.
 */

const client = new PGlite();
const db = drizzle(client);
const folder = mkdtempSync(join(tmpdir(), 'migrations-'));
afterAll(async () => {
  await client.close();
  rmSync(folder, { recursive: true, force: true });
});

/** The migrations folder as it was up to and including `lastTag`. */
function migrationsUpTo(lastTag: string): string {
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return folder;
}

describe('the migration that brings in existing therapy', () => {
  it('keeps every referral made before it as a pathway referral, with its figures unchanged', async () => {
    await migrate(db, { migrationsFolder: migrationsUpTo('0008_population_history') });
    await client.exec(`
      insert into sites (id, ods_code, name, icb) values ('00000000-0000-4000-8000-000000000001', 'OLD01', 'Old Site', 'ICB');
      insert into patients (id, site_id, nhs_number, given_name, family_name, birth_date, sex, diabetes_type)
        values ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', '9434765919', 'Ann', 'Old', '1980-01-01', 'female', 'type1');
      insert into referrals (id, patient_id, site_id, therapy, status, received_on, source, last_event_on, version) values
        ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'csii', 'discontinued', '2024-01-02', 'gp', '2025-03-01', 6),
        ('00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'hcl', 'awaiting_assessment', '2025-04-01', 'gp', '2025-04-01', 1);
      insert into referral_events (referral_id, seq, type, occurred_on, payload, status_after) values
        ('00000000-0000-4000-8000-000000000003', 1, 'assessment', '2024-01-10', '{"decision":"eligible"}', 'awaiting_funding_request'),
        ('00000000-0000-4000-8000-000000000003', 2, 'funding_requested', '2024-01-20', '{}', 'awaiting_funding_decision'),
        ('00000000-0000-4000-8000-000000000003', 3, 'funding_decision', '2024-02-01', '{"outcome":"approved"}', 'awaiting_start'),
        ('00000000-0000-4000-8000-000000000003', 4, 'device_started', '2024-03-01', '{}', 'on_therapy'),
        ('00000000-0000-4000-8000-000000000003', 5, 'review', '2025-03-01', '{"decision":"discontinue"}', 'discontinued');
    `);

    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });

    const referrals = await db.execute(sql`select id, origin, received_on, known_on from referrals order by id`);
    expect(referrals.rows).toEqual([
      { id: '00000000-0000-4000-8000-000000000003', origin: 'pathway', received_on: '2024-01-02', known_on: null },
      { id: '00000000-0000-4000-8000-000000000004', origin: 'pathway', received_on: '2025-04-01', known_on: null },
    ]);
    const milestones = await db.execute(
      sql`select referral_id, origin, entered_on::text, started_on::text, on_therapy_from::text, discontinued_on::text, ended_on::text, switched_on::text from referral_milestones order by referral_id`,
    );
    expect(milestones.rows).toEqual([
      {
        referral_id: '00000000-0000-4000-8000-000000000003',
        origin: 'pathway',
        entered_on: '2024-01-02',
        started_on: '2024-03-01',
        on_therapy_from: '2024-03-01',
        discontinued_on: '2025-03-01',
        ended_on: '2025-03-01',
        switched_on: null,
      },
      {
        referral_id: '00000000-0000-4000-8000-000000000004',
        origin: 'pathway',
        entered_on: '2025-04-01',
        started_on: null,
        on_therapy_from: null,
        discontinued_on: null,
        ended_on: null,
        switched_on: null,
      },
    ]);
  });
});
