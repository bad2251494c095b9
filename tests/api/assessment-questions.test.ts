import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { ASSESS_ELIGIBLE, pathwayClient } from '../support/pathway';

const t = await createTestApp();
const site = await t.site('ASQ01');
const asNurse = pathwayClient(t, (await t.as('nurse', [site.id])).cookie);
const asConsultant = pathwayClient(t, (await t.as('consultant', [site.id])).cookie);

async function referred(therapy: 'csii' | 'hcl', over: Record<string, unknown> = {}) {
  const patient = await asNurse.createPatient(site.id);
  return asNurse.refer(patient.id, { therapy, ...over });
}

/** A closed-loop assessment as api.md lists it: no MDI answers, which only the pump rules (TA151) ask. */
const { mdiTried: _mdi, continuationTargetMmolMol: _target, ...HCL_ASSESSMENT } = {
  ...ASSESS_ELIGIBLE,
  currentTechnology: ['iscgm'],
};

describe('an assessment asks each therapy its own rules', () => {
  it('accepts a closed-loop assessment without the pump-only answers, judged on TA943 alone', async () => {
    const referral = await referred('hcl', { priorityGroup: 'adult' });
    const res = await asConsultant.event(referral.id, { ...HCL_ASSESSMENT, version: 1 });
    expect(res.status).toBe(201);
    expect(res.body.criteria).toMatchObject({ met: ['TA943-1.1', 'TA943-1.5'], suggestion: 'eligible', missing: [] });
    expect(res.body.events[0].payload).not.toHaveProperty('mdiTried');
  });

  it('requires MDI tried on a pump assessment', async () => {
    const referral = await referred('csii');
    const { mdiTried: _unanswered, ...withoutMdi } = ASSESS_ELIGIBLE;
    const res = await asConsultant.event(referral.id, { ...withoutMdi, version: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'mdiTried', message: 'Say whether multiple daily injections have been tried' }]);
  });

  it('names what eligibility still needs beside a not-eligible suggestion', async () => {
    const referral = await referred('hcl');
    const res = await asConsultant.event(referral.id, { ...HCL_ASSESSMENT, structuredEducation: false, decision: 'not_eligible', version: 1 });
    expect(res.status).toBe(201);
    expect(res.body.criteria).toMatchObject({ suggestion: 'not_eligible', missing: ['structured education had or offered (TA943-1.5)'] });
  });
});

describe('every problem of an event at once', () => {
  it('reports the date, the missing pump answer and the reassessment date together', async () => {
    const referral = await referred('csii');
    const { mdiTried: _unanswered, ...withoutMdi } = ASSESS_ELIGIBLE;
    const res = await asConsultant.event(referral.id, {
      ...withoutMdi,
      version: 1,
      assessedOn: '2999-01-01',
      decision: 'deferred',
      reassessOn: '2998-01-01',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'assessedOn', message: 'Date cannot be in the future' },
      { path: 'mdiTried', message: 'Say whether multiple daily injections have been tried' },
      { path: 'reassessOn', message: 'Reassessment cannot be before the assessment' },
    ]);
    expect((await asConsultant.call('GET', `/api/v1/referrals/${referral.id}`)).body).toMatchObject({ version: 1, events: [] });
  });

  it("reports the schema's problems and the referral's together", async () => {
    const referral = await referred('csii');
    const { mdiTried: _m, structuredEducation: _s, ...incomplete } = ASSESS_ELIGIBLE;
    const res = await asConsultant.event(referral.id, { ...incomplete, version: 1, assessedOn: '2999-01-01' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'structuredEducation', message: 'Say whether structured education has been had or offered' },
      { path: 'assessedOn', message: 'Date cannot be in the future' },
      { path: 'mdiTried', message: 'Say whether multiple daily injections have been tried' },
    ]);
  });

  it("keeps the schema's answer alone for a referral out of the caller's reach", async () => {
    const referral = await referred('csii');
    const outsider = pathwayClient(t, (await t.as('consultant', [(await t.site('ASQ02')).id])).cookie);
    const res = await outsider.event(referral.id, { ...ASSESS_ELIGIBLE, version: 1, assessedOn: '2999-01-01', decision: 'maybe' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['decision']);
  });

  it('reports a bad date and a rationale left out together', async () => {
    const referral = await referred('csii');
    const res = await asConsultant.event(referral.id, { ...ASSESS_ELIGIBLE, version: 1, assessedOn: '2026-01-01', hba1cMmolMol: 60 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['assessedOn', 'rationale']);
  });

  it('reports a device start dated in the future with devices not in the catalogue', async () => {
    const referral = await referred('csii');
    let r = (await asConsultant.event(referral.id, { ...ASSESS_ELIGIBLE, version: 1 })).body;
    r = (await asNurse.event(r.id, { type: 'funding_requested', version: r.version, submittedOn: '2026-02-10', commissioner: 'ICB', route: 'routine' })).body;
    r = (await asNurse.event(r.id, { type: 'funding_decision', version: r.version, decidedOn: '2026-03-01', outcome: 'approved' })).body;
    const res = await asNurse.event(r.id, { type: 'device_started', version: r.version, startedOn: '2999-01-01', pump: 'No Such Pump', cgm: 'No Such CGM' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'startedOn', message: 'Date cannot be in the future' },
      { path: 'pump', message: 'No Such Pump is not a pump in the device catalogue' },
      { path: 'cgm', message: 'No Such CGM is not a CGM in the device catalogue' },
    ]);
  });
});

describe("the eligibility queue's provisional view", () => {
  it('says what a queued referral still needs rather than only the rules met', async () => {
    const patient = await asNurse.createPatient(site.id, { diabetesType: 'type2' });
    const referral = await asNurse.refer(patient.id, { therapy: 'hcl' });
    const queue = await asConsultant.call('GET', `/api/v1/queues/eligibility?siteId=${site.id}&limit=200`);
    const item = queue.body.items.find((i: { referral: { id: string } }) => i.referral.id === referral.id);
    expect(item.criteria).toMatchObject({ suggestion: 'not_eligible', met: ['TA943-1.5'], missing: ['type 1 diabetes (TA943)'] });
  });
});
