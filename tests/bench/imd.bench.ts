import { migrate, openPostgres } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { startApiServer } from './api-process';
import { freshBenchDatabase } from './postgres';

const POSTCODES = 1_700_000;
const RUNS = 3;
const MiB = 1024 * 1024;

/**
 * The national postcode-to-deprivation file (about 1.7 million postcodes) loaded through the API on PostgreSQL, each
 * run replacing the table the run before loaded. The target: under a minute. The server's resident memory
 * is sampled every 100 ms; a run's growth is its peak above the memory just before it (the file is streamed, never
 * held whole).
 */
export async function imdBench(serverUrl: string) {
  const url = await freshBenchDatabase(serverUrl, 'bench_imd');
  await seed(url);
  const server = await startApiServer(url);
  try {
    const login = await fetch(`${server.address}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'imd@admin.test', password: 'imd-admin-password-1' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const file = imdFile();
    const seconds: number[] = [];
    const growth: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const before = (await server.usage(null)).rss;
      let peak = before;
      const sampler = setInterval(() => void server.usage(null).then((u) => (peak = Math.max(peak, u.rss))), 100);
      const started = performance.now();
      const res = await fetch(`${server.address}/api/v1/reference/imd`, { method: 'POST', headers: { cookie, 'content-type': 'text/csv' }, body: new Uint8Array(file) });
      const answer = (await res.json()) as { postcodes?: number };
      seconds.push((performance.now() - started) / 1000);
      clearInterval(sampler);
      growth.push((peak - before) / MiB);
      if (res.status !== 200 || answer.postcodes !== POSTCODES) throw new Error(`load: ${res.status} ${JSON.stringify(answer).slice(0, 500)}`);
    }
    return {
      postcodes: POSTCODES,
      fileMiB: round(file.length / MiB),
      loadSeconds: spread(seconds),
      serverRssGrowthMiB: spread(growth),
      targets: { loadSeconds: 60 },
    };
  } finally {
    await server.stop();
  }
}

async function seed(url: string): Promise<void> {
  const database = openPostgres(url, { max: 2 });
  try {
    await migrate(database, url);
    const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
    await services.users.create(systemCtx('bench'), { email: 'imd@admin.test', name: 'IMD', role: 'admin', siteIds: [], password: 'imd-admin-password-1' });
  } finally {
    await database.close();
  }
}

/** 1.7 million different postcodes written as the national file writes them ("AB1 0AA"), deciles spread evenly. */
function imdFile(): Buffer {
  const areas = ['AB', 'B', 'BD', 'CB', 'DE', 'E', 'HG', 'LS', 'M', 'N', 'NE', 'S', 'SE', 'TW', 'W', 'YO'];
  const lines = ['postcode,imd_decile'];
  for (let i = 0; i < POSTCODES; i++) {
    const unit = i % 676;
    const sector = Math.floor(i / 676) % 10;
    const district = Math.floor(i / 6760);
    const area = areas[district % areas.length]!;
    lines.push(`${area}${1 + Math.floor(district / areas.length)} ${sector}${String.fromCharCode(65 + Math.floor(unit / 26), 65 + (unit % 26))},${1 + (i % 10)}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const round = (n: number) => Math.round(n * 100) / 100;
const spread = (xs: number[]) => ({ runs: xs.map(round), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });
