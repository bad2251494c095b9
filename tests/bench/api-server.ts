/**
 * The API alone (no pages), in a process of its own so that the load generator does not share its event loop.
 * Prints its address on stdout. DATABASE_URL selects the PostgreSQL database.
 */
import { openPostgres } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { buildApp } from '../../src/server/app';

const database = openPostgres(process.env.DATABASE_URL!, { max: 10 });
const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'production' }, services });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening ${address}`);
process.on('message', (m) => {
  if (m === 'memory') process.send!({ rss: process.memoryUsage().rss });
});
process.on('SIGTERM', async () => {
  await app.close();
  await database.close();
  process.exit(0);
});
