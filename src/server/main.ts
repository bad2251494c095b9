import pino from 'pino';
import { ConfigError, loadConfig, type Config } from '../lib/server/config';
import { DatabaseLockedError, hasUsers, migrate, openEmbedded, openPostgres, type Database } from '../lib/server/db/client';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from '../lib/server/demo/demo.seed';
import { provideAppContext } from '../lib/server/app-context';
import { createServices } from '../lib/server/services';
import { todayIso } from '../lib/server/services/clock';
import { SYSTEM_META } from '../lib/server/services/context';
import { buildApp, loggerOptions } from './app';

const SHUTDOWN_GRACE_MS = 25_000;

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const log = pino(loggerOptions(config.LOG_LEVEL));
  // adapter-node reads these when the page handler loads. Without ORIGIN, the public URL comes from the Host
  // header and the protocol this server saw, which it passes on in x-forwarded-proto (overwriting the client's).
  if (!config.ORIGIN) process.env.PROTOCOL_HEADER = 'x-forwarded-proto';
  process.env.ADDRESS_HEADER = 'x-client-address';

  let database: Database;
  try {
    database = config.DATABASE_URL ? openPostgres(config.DATABASE_URL) : await openEmbedded(config.DATA_DIR);
    await migrate(database, config.DATABASE_URL);
  } catch (e) {
    if (e instanceof DatabaseLockedError) {
      log.fatal(e.message);
      process.exit(1);
    }
    log.fatal({ err: e }, 'could not open or migrate the database');
    process.exit(1);
  }

  const services = createServices(database, config);
  const demoSeeded = await prepareFirstUsers(config, database, services, log);
  provideAppContext({ services, log });

  const app = await buildApp({ config, services, pages: config.NODE_ENV === 'development' ? 'dev' : 'build', logger: log });
  await app.listen({ port: config.PORT, host: config.HOST });
  if (demoSeeded) {
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    // Plain text for the person at the console, beside the structured log line.
    console.log(
      `\nPump Pathway demo is running at ${config.ORIGIN ?? `http://${host}:${config.PORT}`}/\n` +
        `Sign in as ${DEMO_ACCOUNTS.join(', ')}\nwith the password "${DEMO_PASSWORD}".\n`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing in-flight requests');
    const force = setTimeout(() => {
      log.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    await app.close();
    await database.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Demo data on a new embedded database; on a server, only the first admin named in the environment. */
async function prepareFirstUsers(config: Config, database: Database, services: ReturnType<typeof createServices>, log: pino.Logger) {
  if (await hasUsers(database.db)) return false;
  if (database.kind === 'embedded') {
    await seedDemo(services, todayIso());
    log.info({ dataDir: config.DATA_DIR, accounts: DEMO_ACCOUNTS }, 'demo mode: new embedded database filled with demo sites and accounts');
    return true;
  }
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    await services.users.createAsSystem(SYSTEM_META, {
      email: config.ADMIN_EMAIL.toLowerCase(),
      name: 'Administrator',
      role: 'admin',
      siteIds: [],
      password: config.ADMIN_PASSWORD,
    });
    log.info({ email: config.ADMIN_EMAIL }, 'created the first admin from ADMIN_EMAIL');
    return false;
  }
  log.warn('The database has no users yet: create the first admin with "npm run user:create -- --email <email> --name <name> --role admin".');
  return false;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
