import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PATHWAY, type PathwayEvent } from '../../src/lib/domain/pathway';
import { replay } from '../support/oracles';
import { createTestApp } from '../support/app';
import { ASSESS_ELIGIBLE, pathwayClient } from '../support/pathway';

const t = await createTestApp();
const site = await t.site('PRP01');
const nurse = pathwayClient(t, (await t.as('nurse', [site.id])).cookie);
const consultant = pathwayClient(t, (await t.as('consultant', [site.id])).cookie);

const DAY = '2026-02-01';
/** Any event a client might send, legal or not where the referral stands. */
const anyEvent = fc.oneof(
  fc.constantFrom('eligible', 'not_eligible', 'deferred').map((decision) => ({ ...ASSESS_ELIGIBLE, assessedOn: DAY, decision, rationale: 'Clinical judgement' })),
  fc.constant({ type: 'funding_requested', submittedOn: DAY, commissioner: 'NHS Test ICB', route: 'routine' }),
  fc.constantFrom('approved', 'declined', 'more_info').map((outcome) => ({ type: 'funding_decision', decidedOn: DAY, outcome })),
  fc.constant({ type: 'device_started', startedOn: DAY, pump: 'Insulet Omnipod 5', cgm: 'Dexcom G6', algorithm: 'SmartAdjust' }),
  fc.constantFrom('continue', 'discontinue').map((decision) => ({ type: 'review', reviewedOn: DAY, decision })),
  fc.constant({ type: 'withdrawn', on: DAY, reason: 'other' }),
);

describe('the pathway through the API, for any sequence of events', () => {
  it('only ever moves along the table, and replaying the stored events gives the stored status', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyEvent, { minLength: 1, maxLength: 8 }), async (events) => {
        let referral = await nurse.refer((await nurse.createPatient(site.id)).id);
        for (const event of events) {
          const who = event.type === 'assessment' ? consultant : nurse;
          const res = await who.event(referral.id, { ...event, version: referral.version });
          const row = PATHWAY[event.type as keyof typeof PATHWAY];
          const legal = (row.from as readonly string[]).includes(referral.status);
          expect(res.status).toBe(legal ? 201 : 422);
          if (res.status === 201) referral = res.body;
        }
        const stored = (await nurse.call('GET', `/api/v1/referrals/${referral.id}`)).body;
        const history = stored.events.map((e: { type: string; payload: Record<string, unknown> }) => ({ type: e.type, ...e.payload }) as PathwayEvent);
        expect(stored.status).toBe(replay(history));
        expect(stored.version).toBe(1 + stored.events.length);
        let previous = 'awaiting_assessment';
        for (const e of stored.events as { type: keyof typeof PATHWAY; statusAfter: string }[]) {
          expect(PATHWAY[e.type].from as readonly string[]).toContain(previous);
          previous = e.statusAfter;
        }
      }),
      { numRuns: 25 },
    );
  });
});
