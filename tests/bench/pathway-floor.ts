import { createHash, randomUUID } from 'node:crypto';
import { Placeholder } from 'drizzle-orm';
import postgres from 'postgres';
import type { Database } from '../../src/lib/server/db/client';
import { auditValues } from '../../src/lib/server/repositories/audit.repository';
import { todayIso } from '../../src/lib/server/clock';
import type { Ctx } from '../../src/lib/server/context';

/** A statement as the app prepares it: its text, and each parameter's placeholder name (or fixed value). */
interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Keeps the text of every named statement the app prepares on `database` from now on: the statements of a pathway
 * event, as the API sends them, for the floor to send itself. Call before createServices (the session's statement is
 * prepared when the services are made).
 */
export function captureStatements(database: Database): Map<string, Statement> {
  const captured = new Map<string, Statement>();
  const session = (database.db as unknown as { _: { session: { prepareQuery: (...args: unknown[]) => unknown } } })._.session;
  const prepare = session.prepareQuery.bind(session);
  session.prepareQuery = (query: unknown, fields: unknown, name: unknown, ...rest: unknown[]) => {
    if (typeof name === 'string') captured.set(name, query as Statement);
    return prepare(query, fields, name, ...rest);
  };
  return captured;
}

/**
 * "The write floor": what a pathway event costs the database and a client that does nothing else. Each of 32
 * clients, on a connection of its own, records reviews on its own share of the referrals with the very statements
 * the API sends for one (the session's actor, the referral's summary, and the one statement that appends the event,
 * moves the referral on and writes its audit entry), each with the values the service gives it, as bare
 * postgres.js prepared statements. Reviews are recorded for `seconds` after a warm-up of `warmUp` seconds.
 */
export async function writeFloor(
  url: string,
  {
    statements,
    token,
    userId,
    referrals,
    clients,
    seconds,
    warmUp,
  }: { statements: Map<string, Statement>; token: string; userId: string; referrals: { id: string }[]; clients: number; seconds: number; warmUp: number },
) {
  const sql = postgres(url, { max: clients, onnotice: () => {} });
  // As drizzle sets up the app's client: dates and times travel as the strings they are.
  for (const type of ['1184', '1082', '1083', '1114', '1182', '1185', '1115', '1231']) {
    sql.options.parsers[type as unknown as number] = (value: string) => value;
    sql.options.serializers[type as unknown as number] = (value: unknown) => value;
  }
  const send = (name: string) => {
    const statement = statements.get(name);
    if (!statement) throw new Error(`The app did not prepare ${name}: the floor would not send what the API sends`);
    return (values: Record<string, unknown>) =>
      sql.unsafe(statement.sql, statement.params.map((p) => (p instanceof Placeholder ? values[p.name] : p)) as never[], { prepare: true });
  };
  const sessionActor = send('session_actor');
  const readSummary = send('read_referral_summary');
  const appendEvent = send('append_event');
  const tokenHash = createHash('sha256').update(token).digest('hex');
  const today = todayIso();

  /** One review, as the service records it. */
  const review = async (id: string) => {
    const [actor] = await sessionActor({ tokenHash });
    if (!actor) throw new Error('The floor has no session');
    const [current] = (await readSummary({ id })) as unknown as [{ version: number; status: string } & Record<string, unknown>];
    const now = new Date();
    const event = {
      id: randomUUID(),
      type: 'review',
      occurredOn: today,
      payload: { reviewedOn: today, decision: 'continue' },
      statusAfter: current.status,
      recordedBy: userId,
      recordedByName: null,
      recordedAt: now,
    };
    const updated = { ...current, version: current.version + 1, lastEventOn: today };
    const ctx = { actor: { kind: 'user', userId, role: 'nurse' }, requestId: randomUUID(), clientAddress: '127.0.0.1' } as unknown as Ctx;
    const written = await appendEvent({
      id,
      readVersion: current.version,
      eventId: event.id,
      type: event.type,
      occurredOn: today,
      payload: JSON.stringify(event.payload),
      criteria: null,
      status: event.statusAfter,
      version: updated.version,
      reassessOn: null,
      recordedBy: userId,
      recordedRole: 'nurse',
      recordedAt: now.toISOString(),
      ...auditValues(ctx, { action: 'referral.review', entityType: 'referral', entityId: id, before: current, after: { ...updated, event } }),
    });
    if (written.length !== 1) throw new Error('The floor lost a write: no two of its clients share a referral');
  };

  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  const work = async (client: number) => {
    for (let turn = 0; !stop; turn++) {
      const started = performance.now();
      await review(referrals[(client + turn * clients) % referrals.length]!.id);
      if (measuring) latencies.push(performance.now() - started);
    }
  };
  const running = Array.from({ length: clients }, (_, i) => work(i));
  await new Promise((resolve) => setTimeout(resolve, warmUp * 1000));
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(running);
  await sql.end();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round(latencies[Math.max(0, Math.ceil((p / 100) * latencies.length) - 1)]!);
  return { eventsPerSecond: Math.round(latencies.length / elapsed), latencyMs: { p50: at(50), p99: at(99), max: at(100) }, events: latencies.length };
}

