import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/server/db/client';
import { systemCtx, type Ctx } from '../../src/lib/server/context';
import { seedDemo } from '../../src/lib/server/demo/demo.seed';
import { createServices } from '../../src/lib/server/services';
import { spcMonths } from '../../src/lib/domain/spc-months';
import { yearsEndingOn } from '../../src/lib/domain/metrics';
import { spcReading } from '../../src/lib/domain/spc-reading';
import { SPC_MEASURES, type SpcMeasure } from '../../src/lib/domain/spc-series';
import { freshDatabase } from '../support/database';

/**
 * The demo as it is made on a first start, read through the improvement charts' own service: the story the history's
 * own reading of its records promised (history.story.ts) is the one the dashboard tells.
 */
const TODAY = '2026-11-20';

let database: Database;
let services: ReturnType<typeof createServices>;
let admin: Ctx;

beforeAll(async () => {
  database = await freshDatabase();
  services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
  await seedDemo(services, TODAY);
  const user = (await services.users.list(systemCtx('tests'), { limit: 10 })).items.find((u) => u.role === 'admin')!;
  admin = { ...systemCtx('tests'), actor: { kind: 'user', userId: user.id, email: user.email, name: user.name, role: 'admin', siteIds: [] } };
}, 120_000);

afterAll(async () => {
  await database?.close();
});

async function readings(measure: SpcMeasure): Promise<Record<string, string>> {
  const months = spcMonths(yearsEndingOn(TODAY, 1), TODAY);
  const charts = await services.spc.charts(admin, { measure, groupBy: 'site', from: months.from, to: months.to, bin: 'month', rebase: { kind: 'facilitation' } });
  return Object.fromEntries(charts.groups.map((g) => [g.label, spcReading(g, { measure, bin: 'month', change: 'hands-on facilitation' })]));
}

describe("the demo's improvement charts, as the dashboard first shows them", () => {
  it('show starts rising and waits falling after hands-on facilitation at Riverside and Hillcrest', async () => {
    const [starts, waits] = [await readings('starts'), await readings('referral_to_start_days')];
    for (const site of ['Riverside Diabetes Centre', 'Hillcrest Hospital Diabetes Service']) {
      expect(starts[site]).toMatch(/^Starts rose after hands-on facilitation in December 2025: a run of \d+ months above the earlier mean[^;]*\(improvement\)\./);
      expect(waits[site]).toMatch(/^Waits from referral to start fell after hands-on facilitation in December 2025: a run of \d+ months below the earlier mean[^;]*\(improvement\)\./);
    }
  });

  it.each(SPC_MEASURES)('show only common-cause variation in %s at Moorside and Valley, which had no hands-on help', async (measure) => {
    const read = await readings(measure);
    for (const site of ['Moorside General Diabetes Clinic', 'Valley Community Diabetes Team']) expect(read[site]).toMatch(/ show only common-cause variation\.$/);
  });
});
