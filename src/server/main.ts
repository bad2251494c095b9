import { ConfigError, loadConfig, type Config } from '../lib/server/config';
import { DatabaseLockedError, migrate, openEmbedded, openPostgres, type Database } from '../lib/server/db/client';
import { prepareFirstStart } from '../lib/server/bootstrap';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, syncDemoPopulations } from '../lib/server/demo/demo.seed';
import { provideAppContext } from '../lib/server/app-context';
import { createServices } from '../lib/server/services';
import { buildApp } from './app';
import { createLogger } from './logger';
import { fhirClientOptionsFrom } from '../lib/server/fhir/fhir.config';
import { startDemoFhirServer } from '../lib/server/demo/fhir-demo.server';
import { scheduleEmbeddedMaintenance } from '../lib/server/db/embedded-maintenance';
import { signInSettingsFrom } from '../lib/server/auth/sign-in.settings';
import { keptAuthenticatorKey } from '../lib/server/services/server-key.service';
import { replicaReads } from '../lib/server/db/read-replica';
import { isLostArrayTypeFetch } from '../lib/server/db/errors';

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
  let signIn = signInSettingsFrom(config, config.DATABASE_URL ? 'postgres' : 'embedded');
  const log = createLogger(config.LOG_LEVEL);
  process.on('unhandledRejection', (reason) => {
    if (!isLostArrayTypeFetch(reason)) throw reason; // as Node would: the process stops
    log.warn({ err: reason }, 'a new database connection was lost while it was being set up; it reconnects');
  });
  // Whatever a stalled reader left held back gets one last offer, never a wait (see LogDestination).
  process.on('exit', () => log.flush());
  // adapter-node reads these when the page handler loads. Without ORIGIN, the public URL comes from the Host
  // header and the protocol this server saw, which it passes on in x-forwarded-proto (overwriting the client's).
  if (!config.ORIGIN) process.env.PROTOCOL_HEADER = 'x-forwarded-proto';
  process.env.ADDRESS_HEADER = 'x-client-address';

  let database: Database;
  const statementTimeoutMs = config.DATABASE_STATEMENT_TIMEOUT_MS;
  try {
    database = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, { statementTimeoutMs }) : await openEmbedded(config.DATA_DIR);
    await migrate(database, config.DATABASE_URL);
  } catch (e) {
    if (e instanceof DatabaseLockedError) {
      console.error(e.message);
      process.exit(1);
    }
    log.fatal({ err: e }, 'could not open or migrate the database');
    process.exit(1);
  }

  if (!signIn.totpKey) {
    signIn = { ...signIn, totpKey: await keptAuthenticatorKey(database.db) };
    log.warn(
      'TOTP_ENCRYPTION_KEY is not set: authenticator secrets are encrypted with a key kept in the database, so a copy of the database carries it. Set TOTP_ENCRYPTION_KEY (openssl rand -base64 32) for every app process to keep it apart.',
    );
  }

  // Demo mode answers FHIR imports from an in-process server holding a made-up UK population.
  const demoFhir = !config.FHIR_BASE_URL && config.DEMO_FHIR && database.kind === 'embedded' ? await startDemoFhirServer() : null;
  const fhir = config.FHIR_BASE_URL
    ? fhirClientOptionsFrom({ ...config, FHIR_BASE_URL: config.FHIR_BASE_URL })
    : demoFhir && { baseUrl: demoFhir.baseUrl, serverId: demoFhir.serverId, timeoutMs: config.FHIR_TIMEOUT_MS };
  // The replica is opened lazily: the app starts, and reads from the primary, while it is down.
  const replica = config.READ_DATABASE_URL ? openPostgres(config.READ_DATABASE_URL, { statementTimeoutMs }) : null;
  const reads = replica ? replicaReads(database.db, replica.db, { maxLagSeconds: config.READ_MAX_LAG_SECONDS, log }) : undefined;
  const services = createServices(database, config, { fhir, reads, signIn });
  await reads?.replica(); // logs where the reads go from the start
  const firstStart = await prepareFirstStart(config, database, services, log);
  provideAppContext({ services, log, demoFhirExamples: demoFhir?.examples });
  const maintenance = database.kind === 'embedded' ? scheduleEmbeddedMaintenance(database.db, log) : null;

  const app = await buildApp({ config, services, pages: config.NODE_ENV === 'development' ? 'dev' : 'build', logger: log });
  await app.listen({ port: config.PORT, host: config.HOST });
  if (firstStart === 'demo') {
    // After the server answers: the first start is not held up by the demo's population sync.
    syncDemoPopulations(services).then(
      (sites) => log.info({ sites }, 'demo mode: population counted by every split from the demo FHIR server'),
      (err: unknown) => log.warn({ err }, 'demo mode: the population sync from the demo FHIR server did not finish'),
    );
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
    await maintenance?.stop();
    await demoFhir?.close();
    await replica?.close();
    await database.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
