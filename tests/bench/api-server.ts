/**
 * The API alone (no pages), in a process of its own so that the load generator does not share its event loop.
 * Prints its address on stdout, then its logs. DATABASE_URL selects the PostgreSQL database; every other
 * setting (log level, pool, sessions) is production's default. With BENCH_CPU_PROF set to a folder, each load
 * phase's CPU profile is written there (`<phase>.cpuprofile`, for Chrome's DevTools).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../../src/lib/server/config';
import { openPostgres } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { buildApp } from '../../src/server/app';

const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL });
const database = openPostgres(config.DATABASE_URL!);
const services = createServices(database, config);
const app = await buildApp({ config, services });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening ${address}`);

const profiles = process.env.BENCH_CPU_PROF;
const profiler = profiles ? new Session() : null;
let profiling: string | null = null;
let connected = false;

/** Ends the profile of the phase that has just finished, and starts one for the phase that begins. */
async function phase(next: string | null) {
  if (!profiler) return;
  if (profiling) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(join(profiles!, `${profiling}.cpuprofile`), JSON.stringify(profile));
  } else if (!connected) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    connected = true;
  }
  profiling = next;
  if (next) await profiler.post('Profiler.start');
}

process.on('message', async (m: { usage: string | null }) => {
  await phase(m.usage);
  process.send!({ rss: process.memoryUsage().rss, cpuMicros: process.cpuUsage() });
});
process.on('SIGTERM', async () => {
  await app.close();
  await database.close();
  process.exit(0);
});
