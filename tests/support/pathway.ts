import type { TestApp } from './app';

/** Builds requests the way a client would: these helpers only post through the API. */
export function pathwayClient(t: TestApp, cookie: string) {
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, payload, headers: { cookie } });
    return { status: res.statusCode, body: res.json() };
  };
  let nhs = 0;
  return {
    call,
    createPatient: async (siteId: string, over: Record<string, unknown> = {}) => {
      const res = await call('POST', '/api/v1/patients', {
        nhsNumber: nextNhsNumber(++nhs + Math.floor(Math.random() * 1e6)),
        givenName: 'Ada',
        familyName: 'Lovelace',
        birthDate: '1990-05-17',
        sex: 'female',
        siteId,
        diabetesType: 'type1',
        ...over,
      });
      if (res.status !== 201) throw new Error(`patient: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; nhsNumber: string };
    },
    refer: async (patientId: string, over: Record<string, unknown> = {}) => {
      const res = await call('POST', '/api/v1/referrals', { patientId, therapy: 'csii', receivedOn: '2026-01-05', source: 'gp', ...over });
      if (res.status !== 201) throw new Error(`referral: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; version: number; status: string };
    },
    /** A person already on therapy: an existing-therapy record (a pump since 2019, known this spring, unless told otherwise). */
    existing: async (patientId: string, over: Record<string, unknown> = {}) => {
      const res = await call('POST', '/api/v1/referrals', {
        patientId,
        therapy: 'csii',
        origin: 'existing',
        startedOn: '2019-03-04',
        knownOn: '2026-04-01',
        pump: 'Tandem t:slim X2',
        funding: 'nhs',
        ...over,
      });
      if (res.status !== 201) throw new Error(`existing therapy: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; version: number; status: string };
    },
    event: (referralId: string, body: object) => call('POST', `/api/v1/referrals/${referralId}/events`, body),
  };
}

/** A valid NHS number (modulus 11) derived from n, in the 999 range no real person holds. */
export function nextNhsNumber(n: number): string {
  for (let i = n; ; i++) {
    const first = `999${String(i % 1_000_000).padStart(6, '0')}`;
    const sum = [...first].reduce((s, d, k) => s + Number(d) * (10 - k), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return `${first}${check === 11 ? 0 : check}`;
  }
}

export const ASSESS_ELIGIBLE = {
  type: 'assessment',
  assessedOn: '2026-02-01',
  hba1cMmolMol: 75,
  disablingHypoglycaemia: false,
  mdiTried: true,
  structuredEducation: true,
  decision: 'eligible',
  continuationTargetMmolMol: 64,
} as const;

/** Each kind of pathway step's event on a given day, with the payload a form would send (version left to the caller). */
export const PATHWAY_STEP = {
  eligible: (on: string) => ({ ...ASSESS_ELIGIBLE, assessedOn: on, rationale: 'Clinical judgement' }),
  not_eligible: (on: string) => ({ ...ASSESS_ELIGIBLE, assessedOn: on, decision: 'not_eligible', rationale: 'Clinical judgement' }),
  deferred: (on: string) => ({ ...ASSESS_ELIGIBLE, assessedOn: on, decision: 'deferred', rationale: 'Clinical judgement' }),
  requested: (on: string, commissioner = 'NHS Test ICB', route = 'routine') => ({ type: 'funding_requested', submittedOn: on, commissioner, route }),
  approved: (on: string) => ({ type: 'funding_decision', decidedOn: on, outcome: 'approved' }),
  declined: (on: string) => ({ type: 'funding_decision', decidedOn: on, outcome: 'declined' }),
  more_info: (on: string) => ({ type: 'funding_decision', decidedOn: on, outcome: 'more_info' }),
  started: (on: string) => ({ type: 'device_started', startedOn: on, pump: 'Insulet Omnipod 5', cgm: 'Dexcom G6', algorithm: 'SmartAdjust' }),
  continued: (on: string) => ({ type: 'review', reviewedOn: on, decision: 'continue' }),
  discontinued: (on: string) => ({ type: 'review', reviewedOn: on, decision: 'discontinue', reason: 'Patient preference' }),
  withdrawn: (on: string) => ({ type: 'withdrawn', on, reason: 'other' }),
} as const;
