import { describe, expect, it } from 'vitest';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { problem } from '../../src/lib/schemas/common.schema';
import { referral } from '../../src/lib/schemas/referrals.schema';
import { spcCharts } from '../../src/lib/schemas/spc.schema';
import { fastSerializerCompiler } from '../../src/server/plugins/fast-serializer';

const route = { schema: referral, method: 'GET', url: '/api/v1/referrals/:id', httpStatus: '200' };
const fast = fastSerializerCompiler(route);
const zod = serializerCompiler(route);

const nurse = '6f1c1f0e-8a53-4a35-9b8e-0d6f9c1f2a10';
const assessed = {
  id: '0b7d3f4e-2c1a-4e5b-8f9a-1c2d3e4f5a6b',
  type: 'assessment',
  occurredOn: '2026-02-01',
  payload: { assessedOn: '2026-02-01', decision: 'eligible', currentTechnology: ['csii'], hba1cMmolMol: 75, rationale: 'Says "yes" \u2014 \n twice' },
  criteria: { met: ['TA151-1.1b'], suggestion: 'eligible', explanation: 'HbA1c 75 mmol/mol' },
  statusAfter: 'awaiting_funding_request',
  recordedBy: nurse,
  recordedByName: 'Nurse Ní Bhriain',
  recordedAt: new Date('2026-02-01T09:30:15.123Z'),
};
const imported = { ...assessed, id: '1b7d3f4e-2c1a-4e5b-8f9a-1c2d3e4f5a6b', type: 'review', criteria: undefined, recordedBy: null, recordedByName: null };
const aReferral = {
  id: '2b7d3f4e-2c1a-4e5b-8f9a-1c2d3e4f5a6b',
  patientId: '3b7d3f4e-2c1a-4e5b-8f9a-1c2d3e4f5a6b',
  siteId: '4b7d3f4e-2c1a-4e5b-8f9a-1c2d3e4f5a6b',
  therapy: 'hcl',
  status: 'awaiting_funding_request',
  origin: 'pathway',
  receivedOn: '2026-01-05',
  source: 'gp',
  knownOn: null,
  priorityGroup: null,
  lastEventOn: '2026-02-01',
  version: 2,
  events: [assessed, imported],
  allowedEvents: ['funding_requested', 'withdrawn'],
};

describe('the fast response serializer of the busiest routes', () => {
  // Only the order of members may differ: fast-json-stringify writes required ones before optional ones.
  const same = (value: unknown) => expect(JSON.parse(fast(value))).toStrictEqual(JSON.parse(zod(value)));

  it('writes what zod would, with dates as ISO 8601', () => {
    same(aReferral);
    same({ ...aReferral, priorityGroup: 'pregnancy', criteria: assessed.criteria, events: [] });
    expect(JSON.parse(fast(aReferral)).events[0].recordedAt).toBe('2026-02-01T09:30:15.123Z');
  });

  it('writes nothing the schema does not declare', () => {
    const leaky = { ...aReferral, passwordHash: 'secret', events: [{ ...assessed, recordedRole: 'nurse' }] };
    expect(fast(leaky)).not.toContain('secret');
    expect(fast(leaky)).not.toContain('recordedRole');
    same(leaky);
  });

  it('refuses a response missing a required member', () => {
    const { version: _version, ...incomplete } = aReferral;
    expect(() => fast(incomplete)).toThrow(/version/);
  });

  it('leaves problem documents to zod, which checks every member', () => {
    const notFound = fastSerializerCompiler({ ...route, schema: problem, httpStatus: '404' });
    expect(notFound({ type: 'about:blank', title: 'Not found', status: 404 })).toBe('{"type":"about:blank","title":"Not found","status":404}');
    expect(() => notFound({ type: 'about:blank', title: 'Not found', status: 'four hundred and four' })).toThrow();
  });
});

describe('the fast serializer of the metrics, which write charts of every site', () => {
  const spcRoute = { schema: spcCharts, method: 'GET', url: '/api/v1/metrics/spc', httpStatus: '200' };
  const [fast, zod] = [fastSerializerCompiler(spcRoute), serializerCompiler(spcRoute)];
  const point = (start: string, value: number | null, shown: boolean) => ({
    start,
    value,
    mean: shown ? 12.5 : null,
    lpl: shown ? -1.25 : null,
    upl: shown ? 26.25 : null,
    specialCause: shown && value !== null ? 'shift_high' : null,
    variation: shown && value !== null ? 'improvement' : null,
  });
  const charts = {
    measure: 'referral_to_start_days',
    bin: 'month',
    improvement: 'down',
    groups: [
      { key: 'a', label: 'Riverside', rebasedOn: ['2026-03-01'], withheld: false, points: [point('2026-02-01', 41.5, true), point('2026-03-01', null, true)], latest: { variation: 'improvement' } },
      { key: 'b', label: 'Hillcrest', rebasedOn: [], withheld: true, points: [point('2026-02-01', null, false)], latest: { variation: null } },
    ],
  };

  it('writes fractions, nulls and withheld charts as zod would', () => {
    expect(JSON.parse(fast(charts))).toStrictEqual(JSON.parse(zod(charts)));
  });
});
