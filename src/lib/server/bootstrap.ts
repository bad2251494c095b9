import type { Logger } from 'pino';
import type { Config } from './config';
import type { Database } from './db/client';
import { DEMO_ACCOUNTS, seedDemo } from './demo/demo.seed';
import type { Services } from './services';
import { todayIso } from './clock';
import { systemCtx } from './context';
import { isDomainError } from '../domain/errors';

export type FirstStart = 'existing' | 'demo' | 'admin-from-environment' | 'no-users';

/**
 * The first start of an empty database. The embedded database gets the demo sites and accounts; a PostgreSQL
 * server never does, and gets only the first admin named in ADMIN_EMAIL and ADMIN_PASSWORD, if any.
 */
export async function prepareFirstStart(
  config: Pick<Config, 'DATA_DIR' | 'ADMIN_EMAIL' | 'ADMIN_PASSWORD'>,
  database: Database,
  services: Services,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<FirstStart> {
  const system = systemCtx('start-up');
  if (await services.users.anyExist(system)) return 'existing';
  if (database.kind === 'embedded') {
    await seedDemo(services, todayIso());
    log.info({ dataDir: config.DATA_DIR, accounts: DEMO_ACCOUNTS }, 'demo mode: new embedded database filled with demo sites and accounts');
    return 'demo';
  }
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    try {
      await services.users.create(system, {
        email: config.ADMIN_EMAIL.toLowerCase(),
        name: 'Administrator',
        role: 'admin',
        siteIds: [],
        password: config.ADMIN_PASSWORD,
      });
    } catch (e) {
      // Several app processes starting together on a new database: another one created the admin first.
      if (isDomainError(e) && e.kind === 'conflict') return 'existing';
      throw e;
    }
    log.info({ email: config.ADMIN_EMAIL }, 'created the first admin from ADMIN_EMAIL');
    return 'admin-from-environment';
  }
  log.warn('The database has no users yet: create the first admin with "npm run user:create -- --email <email> --name <name> --role admin".');
  return 'no-users';
}
