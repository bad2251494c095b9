import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { fromPglite, migrate, openPostgres } from '../../src/lib/server/db/client';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated embedded database, dumped once per run and loaded by each test file. */
    pgliteTemplate: string;
    /** With TEST_DATABASE_URL: a migrated database on that server that each test file copies. */
    postgresTemplate: string | null;
  }
}

/**
 * Migrating a database once per run and copying it per test file keeps files independent and fast
 * (PGlite's initdb alone takes seconds).
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'pump-pathway-tests-'));
  const pg = await PGlite.create();
  await migrate(fromPglite(pg));
  const dump = await pg.dumpDataDir('none');
  const templateFile = join(dir, 'template.tar');
  await writeFile(templateFile, Buffer.from(await dump.arrayBuffer()));
  await pg.close();
  project.provide('pgliteTemplate', templateFile);

  const url = process.env.TEST_DATABASE_URL;
  let template: string | null = null;
  if (url) {
    template = `pp_template_${process.pid}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${template}`);
    await admin.unsafe(`create database ${template}`);
    const templateUrl = withDatabase(url, template);
    const db = openPostgres(templateUrl, { max: 1 });
    await migrate(db, templateUrl);
    await db.close();
    await admin.end();
  }
  project.provide('postgresTemplate', template);

  return async () => {
    await rm(dir, { recursive: true, force: true });
    if (url && template) {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${template} with (force)`);
      await admin.end();
    }
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
