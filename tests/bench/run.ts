/**
 * `npm run bench`: the speed figures the issues ask for, printed as JSON. Uses BENCH_DATABASE_URL, or starts a
 * throwaway PostgreSQL cluster (the CI script's). BENCH_SECONDS sets each load phase's length (default 20),
 * BENCH_RUNS the number of timed requests per metrics or national return figure (default 50), BENCH_SOAK_SECONDS
 * the soak's (default 300). Phase names as arguments run only those phases (`npm run bench -- national-return`).
 * The pages phase needs no PostgreSQL (it runs the demo), so run alone it starts none.
 */
import { caseloadBench } from './caseload.bench';
import { fhirImportBench } from './fhir-import.bench';
import { equitySpcBench } from './equity-spc.bench';
import { fhirSyncBench } from './fhir-sync.bench';
import { imdBench } from './imd.bench';
import { metricsBench } from './metrics.bench';
import { nationalReturnBench } from './national-return.bench';
import { pagesBench } from './pages.bench';
import { pathwayLoad } from './pathway-load.bench';
import { soak } from './soak.bench';
import { benchServer } from './postgres';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const runs = Number(process.env.BENCH_RUNS ?? 50);
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want('pages')) {
  console.log("each role's main pages on the demo (ms): p95 time to first byte, and Chromium's load time (loadEventEnd), each as its range over the rounds:");
  const pages = await pagesBench({
    requests: Number(process.env.BENCH_PAGES_REQUESTS ?? 60),
    loads: Number(process.env.BENCH_PAGES_LOADS ?? 5),
    rounds: Number(process.env.BENCH_PAGES_ROUNDS ?? 3),
    port: Number(process.env.BENCH_PAGES_PORT ?? 3291),
  });
  console.log(JSON.stringify(pages, null, 2));
}

const needsPostgres = only.length === 0 || only.some((name) => name !== 'pages');
const server = needsPostgres ? await benchServer() : { url: '', stop: () => {} };
try {
  if (want('pathway')) {
    console.log('pathway events and reads under load (PostgreSQL, 32 clients):');
    console.log(JSON.stringify(await pathwayLoad(server.url, seconds), null, 2));
  }
  if (want('fhir-import')) {
    console.log('FHIR import of one patient with ten years of history, against the same searches made directly:');
    console.log(JSON.stringify(await fhirImportBench(server.url, 20), null, 2));
  }
  if (want('fhir-sync')) {
    console.log('FHIR population sync of a site with 10,000 type 1 patients, against the same searches made directly:');
    console.log(JSON.stringify(await fhirSyncBench(server.url, 5), null, 2));
  }
  if (want('metrics')) {
    console.log('implementation metrics for a region of 20 sites and 30,000 referrals, 12 months by site (ms, one request at a time):');
    console.log(JSON.stringify(await metricsBench(server.url, runs), null, 2));
  }
  if (want('equity-spc')) {
    console.log('improvement (SPC) charts over 5 years by month, and equity by each split over 12 months, for the region (PostgreSQL, ms, one request at a time; ranges over 3 rounds):');
    console.log(JSON.stringify(await equitySpcBench(server.url, runs), null, 2));
  }
  if (want('caseload')) {
    console.log('caseload import of 10,000 rows through the API (PostgreSQL, seconds; server memory in MiB):');
    console.log(JSON.stringify(await caseloadBench(server.url), null, 2));
  }
  if (want('imd')) {
    console.log('the national postcode-to-deprivation file (1.7 million postcodes) loaded through the API (PostgreSQL, seconds; server memory in MiB):');
    console.log(JSON.stringify(await imdBench(server.url), null, 2));
  }
  if (want('national-return')) {
    console.log('national HCL return of a site with 2,000 closed loop users, pathway and existing, among the region (PostgreSQL, ms, one request at a time):');
    console.log(JSON.stringify(await nationalReturnBench(server.url, runs), null, 2));
  }
  if (want('soak')) {
    console.log('memory of the real server under mixed writes and reads (PostgreSQL, 16 clients), sampled every 10 s:');
    console.log(JSON.stringify(await soak(server.url, Number(process.env.BENCH_SOAK_SECONDS ?? 300)), null, 2));
  }
} finally {
  server.stop();
}
