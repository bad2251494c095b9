import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { migrate, openEmbedded } from '../../src/lib/server/db/client';
import { auditLog, users } from '../../src/lib/server/db/schema';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { createTestApp } from '../support/app';
import { onPostgresServer } from '../support/database';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Runs `npm run user:create` as an operator would, the password piped on standard input. */
const userCreate = (args: string[], password: string, env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli/user-create.ts', ...args], {
    input: `${password}\n`,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });

describe('npm run user:create', () => {
  // Each run creates an embedded database (initdb in WebAssembly), which can take tens of seconds on a busy machine.
  it('creates a nurse at a site on the embedded database, reading the password from stdin', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pp-cli-'));
    dirs.push(dir);
    const db = await openEmbedded(dir);
    await migrate(db);
    const services = createServices(db, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
    await services.sites.create(systemCtx('tests'), { odsCode: 'CLI01', name: 'CLI site', icb: 'ICB', t1dPopulation: null, t1dPopulationAsOf: null });
    await db.close();

    const res = userCreate(['--email', 'Nurse@Trust.nhs.uk', '--name', 'Pat Nurse', '--role', 'nurse', '--site', 'cli01'], 'a-long-cli-password', { DATA_DIR: dir, DATABASE_URL: '' });
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^Created nurse nurse@trust\.nhs\.uk \(/);

    const again = await openEmbedded(dir);
    try {
      const signedIn = await createServices(again, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 }).auth.login('nurse@trust.nhs.uk', 'a-long-cli-password', { requestId: 'system', clientAddress: null });
      expect(signedIn.user).toMatchObject({ role: 'nurse', name: 'Pat Nurse' });
      expect(signedIn.user.siteIds).toHaveLength(1);
    } finally {
      await again.close();
    }
  });

  it('refuses a short password and an unknown site with a plain message, creating nothing', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pp-cli-'));
    dirs.push(dir);
    const short = userCreate(['--email', 'a@trust.nhs.uk', '--name', 'A', '--role', 'admin'], 'short', { DATA_DIR: dir, DATABASE_URL: '' });
    expect(short.status).toBe(1);
    expect(short.stderr.trim()).toBe('password: Password must be at least 12 characters');
    const site = userCreate(['--email', 'a@trust.nhs.uk', '--name', 'A', '--role', 'nurse', '--site', 'NOPE1'], 'a-long-cli-password', { DATA_DIR: dir, DATABASE_URL: '' });
    expect(site.stderr.trim()).toBe('No site with ODS code NOPE1');
    const usage = userCreate(['--email', 'a@trust.nhs.uk'], 'x', { DATA_DIR: dir });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^Usage: npm run user:create/);
  });

  it('with --sso-only creates a person without a password, who signs in only through the identity provider; audited', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pp-cli-'));
    dirs.push(dir);
    const args = ['--email', 'sso.lead@trust.nhs.uk', '--name', 'SSO Lead', '--role', 'admin', '--sso-only'];
    const notSetUp = userCreate(args, '', { DATA_DIR: dir, DATABASE_URL: '' });
    expect(notSetUp.status).toBe(2);
    expect(notSetUp.stderr.trim()).toBe('--sso-only needs single sign-on set up: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET in the environment');

    // Nothing is asked of the provider to create someone: an address with nothing behind it will do.
    const oidc = { OIDC_ISSUER: 'http://127.0.0.1:9/', OIDC_CLIENT_ID: 'pump-pathway', OIDC_CLIENT_SECRET: 'a-client-secret', OIDC_DISPLAY_NAME: 'Trust Sign-in' };
    const res = userCreate(args, 'a-password-piped-but-never-read', { DATA_DIR: dir, DATABASE_URL: '', ...oidc });
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^Created admin sso\.lead@trust\.nhs\.uk \(.+\), who signs in only with Trust Sign-in\n$/);

    const again = await openEmbedded(dir);
    try {
      const [row] = await again.db.select().from(users).where(eq(users.email, 'sso.lead@trust.nhs.uk'));
      expect(row).toMatchObject({ role: 'admin', passwordHash: null, active: true });
      const [entry] = await again.db.select().from(auditLog).where(eq(auditLog.entityId, row!.id));
      expect(entry).toMatchObject({ action: 'user.create', actorId: null, requestId: 'cli:user-create' });
      const services = createServices(again, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
      await expect(services.auth.login('sso.lead@trust.nhs.uk', 'a-password-piped-but-never-read', { requestId: 'system', clientAddress: null })).rejects.toMatchObject({ kind: 'unauthorized' });
    } finally {
      await again.close();
    }
  });

  it.runIf(onPostgresServer())('creates the first admin on a PostgreSQL server', async () => {
    const t = await createTestApp();
    const res = userCreate(['--email', 'lead@trust.nhs.uk', '--name', 'Lead', '--role', 'admin'], 'a-long-cli-password', { DATABASE_URL: t.database.url! });
    expect(res.stderr).toBe('');
    await expect(t.signIn('lead@trust.nhs.uk', 'a-long-cli-password')).resolves.toMatch(/^pp_session=/);
  });
});
