import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { inject } from 'vitest';
import { fromPglite, openPostgres, type Database } from '../../src/lib/server/db/client';
import { withDatabase } from './global-setup';

export const onPostgresServer = () => inject('postgresTemplate') !== null;

/**
 * A fresh, migrated database for one test file: a copy of the run's template, on PostgreSQL when
 * TEST_DATABASE_URL is set, else embedded. Closing it drops the copy.
 */
export async function freshDatabase(): Promise<Database & { url?: string }> {
  const template = inject('postgresTemplate');
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (template && serverUrl) {
    const name = `pp_test_${randomBytes(6).toString('hex')}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name} template ${template}`);
    const url = withDatabase(serverUrl, name);
    const database = openPostgres(url, { max: 10 });
    return {
      ...database,
      url,
      close: async () => {
        await database.close();
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const dump = await readFile(inject('pgliteTemplate'));
  const pg = await PGlite.create({ loadDataDir: new Blob([dump]) });
  return fromPglite(pg);
}
