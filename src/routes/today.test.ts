import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserActor } from '$lib/domain/access';
import { provideAppContext } from '$lib/server/app-context';
import { load as patientLoad } from './patients/[id]/+page.server';
import { load as newPatientLoad } from './patients/new/+page.server';
import { load as referralLoad } from './referrals/[id]/+page.server';
import { load as siteLoad } from './sites/[id]/+page.server';

const SITE = '00000000-0000-4000-8000-000000000001';
const PATIENT = '00000000-0000-4000-8000-000000000002';
const REFERRAL = '00000000-0000-4000-8000-000000000003';
const actor: UserActor = { kind: 'user', userId: 'u', email: 'nurse@example.org', name: 'A Nurse', role: 'nurse', siteIds: [SITE] };

/** Just enough of the services for the loads that put a date on their forms. */
const site = { id: SITE, name: 'Riverside', odsCode: 'RIV01', icb: 'North' };
const services = {
  sites: { list: async () => ({ items: [site] }), get: async () => site },
  patients: {
    get: async () => ({ id: PATIENT, siteId: SITE, fhirId: null, nhsNumber: null, context: { hba1c: [], hypoglycaemia: [], conditions: [], fetchedAt: null, fhirServer: null } }),
  },
  referrals: { list: async () => ({ items: [] }), listForPatient: async () => [], get: async () => ({ id: REFERRAL, patientId: PATIENT, siteId: SITE, allowedEvents: [] }) },
  devices: { list: async () => ({ items: [] }) },
  implementation: { listFacilitation: async () => ({ items: [] }), listBarriers: async () => ({ items: [] }) },
  fhir: null,
};
const event = (id: string) =>
  ({ locals: { actor, ctx: { actor, requestId: 'test', clientAddress: null }, services }, params: { id }, url: new URL('http://localhost/') }) as never;
const todayOf = async (load: (event: never) => unknown, id = '') => ((await load(event(id))) as { today: string }).today;

describe("the pages' today", () => {
  beforeAll(() => {
    provideAppContext({ services: services as never, log: console as never });
    vi.useFakeTimers({ toFake: ['Date'] });
    // 00:30 on 2 July in London (BST), still 1 July in UTC.
    vi.setSystemTime(new Date('2026-07-01T23:30:00Z'));
  });
  afterAll(() => vi.useRealTimers());

  it("is London's date, as the services date events, on every page with a date on its forms", async () => {
    expect(await todayOf(newPatientLoad)).toBe('2026-07-02');
    expect(await todayOf(patientLoad, PATIENT)).toBe('2026-07-02');
    expect(await todayOf(referralLoad, REFERRAL)).toBe('2026-07-02');
    expect(await todayOf(siteLoad, SITE)).toBe('2026-07-02');
  });

  it('is never worked out by a page or a component, whose clock may be the browser’s or UTC', () => {
    const files = ['src/routes', 'src/lib/components'].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.(svelte|ts)$/.test(f) && !f.endsWith('.test.ts'))
        .map((f) => join(dir, f)),
    );
    const readingTheClock = files.filter((f) => /new Date\(\s*\)|Date\.now\(/.test(readFileSync(f, 'utf8')));
    expect(readingTheClock).toEqual([]);
  });
});
