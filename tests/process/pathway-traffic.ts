import { rowsOf } from '../../src/lib/server/db/client';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { addDays } from '../../src/lib/domain/calendar-date';
import type { PathwayEvent } from '../../src/lib/domain/pathway';
import { replay } from '../support/oracles';
import type { Db } from '../../src/lib/server/db/client';
import { todayIso } from '../../src/lib/server/clock';
import { callApi, type ApiAnswer } from '../support/server-process';
import { ASSESS_ELIGIBLE, nextNhsNumber } from '../support/pathway';

/** A write the server acknowledged (answered 2xx): it must survive anything that happens afterwards. */
export interface AckedEvent {
  referralId: string;
  type: string;
  /** The referral's version after this event, as the server answered. */
  version: number;
  statusAfter: string;
}

export interface Acknowledged {
  patients: Map<string, string>; // id -> NHS number
  referrals: Set<string>;
  events: AckedEvent[];
}

export interface Clinicians {
  siteId: string;
  nurse: string;
  consultant: string;
}

/**
 * Several clients walking patients down the pathway as fast as the server answers (patient, referral, assessment,
 * funding, start, reviews), recording every write the server acknowledged. Every fourth event is sent twice at
 * once with the same version, as two people at two screens would: exactly one may win.
 *
 * Until `cut()` is called any failure (a refused request, a 5xx) is a problem reported by `done`; afterwards a
 * dropped connection, or a load balancer's 502 for a request whose process died under it, is what the test
 * expects, and the clients stop.
 */
export function pathwayTraffic(baseUrl: string, who: Clinicians, clients: number) {
  const acked: Acknowledged = { patients: new Map(), referrals: new Set(), events: [] };
  const problems: string[] = [];
  let inFlight = 0;
  let cut = false;
  let nhsSeed = Math.floor(Math.random() * 900_000);
  const used = new Set<string>();
  const freshNhsNumber = () => {
    let n = nextNhsNumber(nhsSeed++);
    while (used.has(n)) n = nextNhsNumber(nhsSeed++);
    used.add(n);
    return n;
  };
  const today = todayIso();
  const receivedOn = addDays(today, -2);
  const eventOn = addDays(today, -1);

  const call = async (cookie: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    inFlight++;
    try {
      return await callApi(baseUrl, method, path, { cookie, body });
    } finally {
      inFlight--;
    }
  };

  /** The next step for a referral in this status, and who records it; null when the story is over. */
  const nextStep = (status: string, turn: number): { cookie: string; body: Record<string, unknown> } | null => {
    const coin = turn % 5;
    switch (status) {
      case 'awaiting_assessment':
      case 'deferred':
        return { cookie: who.consultant, body: coin === 0 ? { ...ASSESS_ELIGIBLE, assessedOn: eventOn, decision: 'deferred' } : { ...ASSESS_ELIGIBLE, assessedOn: eventOn } };
      case 'awaiting_funding_request':
      case 'funding_more_info':
        return { cookie: who.nurse, body: { type: 'funding_requested', submittedOn: eventOn, commissioner: 'NHS Test ICB', route: 'routine' } };
      case 'awaiting_funding_decision':
        return { cookie: who.nurse, body: { type: 'funding_decision', decidedOn: eventOn, outcome: coin === 1 ? 'more_info' : 'approved' } };
      case 'awaiting_start':
        return { cookie: who.nurse, body: { type: 'device_started', startedOn: eventOn, pump: 'Tandem t:slim X2', cgm: 'Dexcom G7', algorithm: 'Control-IQ' } };
      case 'on_therapy':
        return turn > 12 ? null : { cookie: who.nurse, body: { type: 'review', reviewedOn: eventOn, decision: coin === 2 ? 'discontinue' : 'continue' } };
      default:
        return null;
    }
  };

  const expectStatus = (res: ApiAnswer, wanted: number, what: string) => {
    if (res.status !== wanted && !cut) problems.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.status === wanted;
  };

  async function client(n: number) {
    for (let round = 0; !cut; round++) {
      const nhsNumber = freshNhsNumber();
      const patient = await call(who.nurse, 'POST', '/api/v1/patients', {
        nhsNumber,
        givenName: `Client${n}`,
        familyName: `Round${round}`,
        birthDate: '1990-05-17',
        sex: 'female',
        siteId: who.siteId,
        diabetesType: 'type1',
      });
      if (patient.status === 409) continue; // a demo patient has this number
      if (!expectStatus(patient, 201, 'create patient')) return;
      acked.patients.set(patient.body.id, nhsNumber);

      const referral = await call(who.nurse, 'POST', '/api/v1/referrals', { patientId: patient.body.id, therapy: 'csii', receivedOn, source: 'gp' });
      if (!expectStatus(referral, 201, 'create referral')) return;
      acked.referrals.add(referral.body.id);

      let { status, version } = referral.body as { status: string; version: number };
      for (let turn = 0; !cut; turn++) {
        const step = nextStep(status, turn);
        if (!step) break;
        const path = `/api/v1/referrals/${referral.body.id}/events`;
        const body: Record<string, unknown> = { ...step.body, version };
        const answers = turn % 4 === 3 ? await Promise.all([call(step.cookie, 'POST', path, body), call(step.cookie, 'POST', path, body)]) : [await call(step.cookie, 'POST', path, body)];
        const won = answers.filter((a) => a.status === 201);
        const lost = answers.filter((a) => a.status === 409);
        // Recorded before anything else is judged: the twin of an acknowledged event may have died with its process.
        if (won.length === 1) {
          ({ status, version } = won[0]!.body as { status: string; version: number });
          acked.events.push({ referralId: referral.body.id, type: String(body.type), version, statusAfter: status });
        }
        if (won.length !== 1 || won.length + lost.length !== answers.length) {
          if (!cut) problems.push(`event ${String(body.type)} at version ${String(body.version)}: ${answers.map((a) => `${a.status} ${JSON.stringify(a.body).slice(0, 200)}`).join(' / ')}`);
          return;
        }
      }
    }
  }

  const done = Promise.all(
    Array.from({ length: clients }, (_, n) =>
      client(n).catch((e: unknown) => {
        if (!cut) problems.push(`client ${n} failed before the server was killed: ${String(e)}`);
      }),
    ),
  ).then(() => problems);

  return {
    acked,
    /** Writes acknowledged so far. */
    count: () => acked.patients.size + acked.referrals.size + acked.events.length,
    inFlight: () => inFlight,
    /** From now on a dropped connection is expected: the server is about to die. */
    cut: () => {
      cut = true;
    },
    done,
  };
}

/**
 * Reads back, through the API of a (restarted) server, everything that was acknowledged: each patient, each
 * referral with a status that replays from its events and a version one past its event count, each acknowledged
 * event at its place in the history, and an audit entry for every one of them (and for nothing else).
 */
export async function readBackAcknowledged(baseUrl: string, cookies: { nurse: string; admin: string }, acked: Acknowledged) {
  const auditOf = async (id: string) => {
    const res = await callApi(baseUrl, 'GET', `/api/v1/audit?entityId=${id}&limit=500`, { cookie: cookies.admin });
    expect(res.status).toBe(200);
    return (res.body.items as { action: string; after: { version?: number } }[]).reverse();
  };

  for (const [id, nhsNumber] of acked.patients) {
    const patient = await callApi(baseUrl, 'GET', `/api/v1/patients/${id}`, { cookie: cookies.nurse });
    expect(patient.status, `acknowledged patient ${id}`).toBe(200);
    expect(patient.body.nhsNumber).toBe(nhsNumber);
    expect((await auditOf(id)).map((e) => e.action)).toEqual(['patient.create']);
  }

  for (const id of acked.referrals) {
    const res = await callApi(baseUrl, 'GET', `/api/v1/referrals/${id}`, { cookie: cookies.nurse });
    expect(res.status, `acknowledged referral ${id}`).toBe(200);
    const referral = res.body as { status: string; version: number; events: { type: string; statusAfter: string; payload: Record<string, unknown> }[] };
    const events = referral.events;
    expect(referral.version, `referral ${id}: one version per event`).toBe(events.length + 1);
    expect(referral.status, `referral ${id}: status is the replay of its events`).toBe(replay(events.map((e) => ({ type: e.type, ...e.payload }) as PathwayEvent)));
    for (const ack of acked.events.filter((e) => e.referralId === id)) {
      expect(events[ack.version - 2], `acknowledged ${ack.type} of referral ${id} (version ${ack.version})`).toMatchObject({ type: ack.type, statusAfter: ack.statusAfter });
    }
    const audit = await auditOf(id);
    expect(audit.map((e) => e.action)).toEqual(['referral.create', ...events.map((e) => `referral.${e.type}`)]);
    expect(audit.map((e) => e.after.version)).toEqual(events.map((_, i) => i + 1).concat(events.length + 1));
  }
}

/**
 * The same rules over the whole database, unacknowledged writes included: a write that committed while its answer
 * was lost must be whole too (its event, its version step and its audit entry, or none of them). Rows created
before `since` (a demo history, loaded with one audit entry for the lot) are not the traffic's.
 */
export async function wholeDatabaseConsistent(db: Db, since: Date) {
  const broken = await db.execute(sql`
    select r.id, r.version, r.status,
      (select count(*) from referral_events e where e.referral_id = r.id)::int as events,
      (select count(*) from audit_log a where a.entity_id = r.id and a.action like 'referral.%')::int as audits,
      (select e.status_after from referral_events e where e.referral_id = r.id order by e.seq desc limit 1) as last_status,
      (select count(*) filter (where e.seq <> n) from (select seq, row_number() over (order by seq) as n from referral_events e where e.referral_id = r.id) e)::int as gaps
    from referrals r where r.created_at >= ${since.toISOString()}::timestamptz`);
  const rows = rowsOf<{ id: string; version: number; status: string; events: number; audits: number; last_status: string | null; gaps: number }>(broken);
  expect(rows.length).toBeGreaterThan(0);
  const wrong = rows.filter((r) => r.version !== r.events + 1 || r.audits !== r.events + 1 || r.gaps !== 0 || r.status !== (r.last_status ?? 'awaiting_assessment'));
  expect(wrong).toEqual([]);
  const orphans = await db.execute(sql`select count(*)::int as n from patients p where p.created_at >= ${since.toISOString()}::timestamptz and not exists (select 1 from audit_log a where a.entity_id = p.id)`);
  expect(rowsOf(orphans)[0]).toEqual({ n: 0 });
}

/** postgres.js answers a raw query with the rows, PGlite with an object holding them. */
