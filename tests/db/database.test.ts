import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareFirstStart } from '../../src/lib/server/bootstrap';
import { DatabaseLockedError, migrate, openEmbedded } from '../../src/lib/server/db/client';
import { auditLog } from '../../src/lib/server/db/schema';
import { DEMO_ACCOUNTS, DEMO_SITES } from '../../src/lib/server/demo/demo.seed';
import { createServices } from '../../src/lib/server/services';
import { createTestApp } from '../support/app';
import { onPostgresServer } from '../support/database';
import { systemCtx } from '../../src/lib/server/context';

const t = await createTestApp();
const quiet = { info: () => {}, warn: () => {} };
const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'pp-db-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the database', () => {
  it('is the PostgreSQL server when TEST_DATABASE_URL is set, else the embedded one', () => {
    expect(t.database.kind).toBe(process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded');
    expect(onPostgresServer()).toBe(Boolean(process.env.TEST_DATABASE_URL));
  });

  it('applies migrations idempotently: a second run changes nothing', async () => {
    await migrate(t.database, t.database.url);
    await migrate(t.database, t.database.url);
    const rows = await t.database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    const n = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows)[0] as { n: number };
    const journal = JSON.parse(readFileSync('migrations/meta/_journal.json', 'utf8')) as { entries: unknown[] };
    expect(n.n).toBe(journal.entries.length);
  });

  it('keeps the audit trail append-only: updates, deletes and truncation are refused by the database itself', async () => {
    await t.site('AUD01');
    const before = await t.database.db.select().from(auditLog);
    expect(before.length).toBeGreaterThan(0);
    await expect(t.database.db.update(auditLog).set({ action: 'tampered' })).rejects.toThrow();
    await expect(t.database.db.delete(auditLog)).rejects.toThrow();
    await expect(t.database.db.execute(sql`truncate audit_log`)).rejects.toThrow();
    expect(await t.database.db.select().from(auditLog)).toEqual(before);
  });
});

describe('the embedded database', () => {
  it('refuses a second process (or handle) on the same folder with a clear error', async () => {
    const dir = await tempDir();
    const first = await openEmbedded(dir);
    try {
      await expect(openEmbedded(dir)).rejects.toThrow(DatabaseLockedError);
      await expect(openEmbedded(dir)).rejects.toThrow(/in use by another Pump Pathway process/);
    } finally {
      await first.close();
    }
    const again = await openEmbedded(dir);
    await again.close();
  });
});

describe('the first start', () => {
  it('fills a new embedded database with the four demo sites and the four demo accounts, once', async () => {
    const database = await openEmbedded(await tempDir());
    try {
      await migrate(database);
      const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
      expect(await prepareFirstStart({ DATA_DIR: 'x' }, database, services, quiet)).toBe('demo');
      const sites = await services.sites.all(systemCtx('tests'));
      expect(sites.map((s) => s.odsCode).sort()).toEqual(DEMO_SITES.map((s) => s.odsCode).sort());
      for (const email of DEMO_ACCOUNTS) {
        await expect(services.auth.login(email, 'insulin-pump-demo', { requestId: 't', clientAddress: '127.0.0.1' })).resolves.toMatchObject({
          user: { email },
        });
      }
      expect(await prepareFirstStart({ DATA_DIR: 'x' }, database, services, quiet)).toBe('existing');
      expect(await services.sites.all(systemCtx('tests'))).toHaveLength(4);
    } finally {
      await database.close();
    }
    // The first start writes the demo's whole history (years of pathway records), tens of seconds on a busy machine.
  }, 120_000);

  it.runIf(onPostgresServer())('never creates demo accounts on a PostgreSQL server; creates the admin named in the environment', async () => {
    const fresh = await createTestApp();
    expect(
      await prepareFirstStart({ DATA_DIR: 'x', ADMIN_EMAIL: 'Lead@Trust.nhs.uk', ADMIN_PASSWORD: 'a-strong-admin-password' }, fresh.database, fresh.services, quiet),
    ).toBe('admin-from-environment');
    expect(await fresh.services.sites.all(systemCtx('tests'))).toEqual([]);
    await expect(fresh.signIn('nurse@example.org', 'insulin-pump-demo')).rejects.toThrow();
    await expect(fresh.signIn('lead@trust.nhs.uk', 'a-strong-admin-password')).resolves.toMatch(/^pp_session=/);
  });

  it.runIf(onPostgresServer())('creates the admin once when several app processes start together on a new PostgreSQL database', async () => {
    const fresh = await createTestApp();
    const config = { DATA_DIR: 'x', ADMIN_EMAIL: 'lead@trust.nhs.uk', ADMIN_PASSWORD: 'a-strong-admin-password' };
    const starts = await Promise.all([1, 2, 3].map(() => prepareFirstStart(config, fresh.database, fresh.services, quiet)));
    expect(starts.filter((s) => s === 'admin-from-environment')).toHaveLength(1);
    expect(starts.filter((s) => s === 'existing')).toHaveLength(2);
    await expect(fresh.signIn('lead@trust.nhs.uk', 'a-strong-admin-password')).resolves.toMatch(/^pp_session=/);
  });

  it.runIf(onPostgresServer())('leaves a PostgreSQL server without users when no admin is named', async () => {
    const fresh = await createTestApp();
    expect(await prepareFirstStart({ DATA_DIR: 'x' }, fresh.database, fresh.services, quiet)).toBe('no-users');
    expect(await fresh.services.sites.all(systemCtx('tests'))).toEqual([]);
  });
});
