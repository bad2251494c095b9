import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { nhsCheckDigit } from '../../src/lib/domain/nhs-number';
import { auditLog, patients, referralEvents, referrals } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { nextNhsNumber, pathwayClient } from '../support/pathway';

/**
 * Bringing in a service's caseload (api.md, "Bringing in a service's caseload"): a CSV file of people on therapy now
 * and people waiting, checked (nothing written) and then applied (everything written, or nothing).
 */

const t = await createTestApp();
const { db } = t.database;
const site = await t.site('CSL01', 'Riverside Diabetes Service');
const elsewhere = await t.site('CSL02', 'Hilltop Diabetes Service');
const nurse = await t.as('nurse', [site.id]);
const consultant = await t.as('consultant', [site.id]);
const otherNurse = await t.as('nurse', [elsewhere.id]);
const commissioner = await t.as('commissioner');
const admin = await t.as('admin');
const clinic = pathwayClient(t, nurse.cookie);
const hilltop = pathwayClient(t, otherNurse.cookie);

let numbers = 0;
/** A fresh NHS number, from a stretch of the test range no other helper uses. */
const nhs = () => nextNhsNumber(810_000 + ++numbers * 3);

const COLUMNS = [
  'nhs_number', 'given_name', 'family_name', 'birth_date', 'sex', 'diabetes_type', 'ethnic_category', 'postcode', 'imd_decile', 'record',
  'therapy', 'started_on', 'started_year', 'known_on', 'pump', 'cgm', 'algorithm', 'funding', 'received_on', 'source', 'priority_group',
] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string>>;

/** The file a spreadsheet saves: every column, one line per row. */
const csv = (...rows: Row[]) => [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => r[c] ?? '').join(','))].join('\r\n') + '\r\n';

const person = (nhsNumber: string, over: Row = {}): Row => ({
  nhs_number: nhsNumber,
  given_name: 'Ada',
  family_name: 'Lovelace',
  birth_date: '17/05/1990',
  sex: 'female',
  diabetes_type: 'type1',
  ...over,
});
const onHcl = (nhsNumber: string, over: Row = {}): Row =>
  person(nhsNumber, { record: 'on_therapy', therapy: 'hcl', started_on: '2024-06-01', known_on: '2026-01-10', pump: 'Insulet Omnipod 5', cgm: 'Dexcom G6', algorithm: 'SmartAdjust', funding: 'nhs', ...over });
const onPump = (nhsNumber: string, over: Row = {}): Row =>
  person(nhsNumber, { record: 'on_therapy', therapy: 'csii', started_year: '2016', known_on: '2026-01-10', pump: 'Tandem t:slim X2', funding: 'non_nhs', ...over });
const waiting = (nhsNumber: string, over: Row = {}): Row =>
  person(nhsNumber, { record: 'waiting', therapy: 'hcl', received_on: '2026-02-01', source: 'gp', priority_group: 'adult', ...over });

type Mode = 'check' | 'apply';
async function send(body: string | Buffer | Readable, { cookie = nurse.cookie, mode = 'check' as Mode, siteId = site.id, type = 'text/csv' } = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/imports/caseload?siteId=${siteId}&mode=${mode}`,
    headers: { cookie, 'content-type': type },
    payload: body,
  });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
}
const check = (body: string | Buffer, options: Parameters<typeof send>[1] = {}) => send(body, { ...options, mode: 'check' });
const apply = (body: string | Buffer | Readable, options: Parameters<typeof send>[1] = {}) => send(body, { ...options, mode: 'apply' });

/** How many rows each table holds: what a refused request must leave as it found it. */
async function tableCounts() {
  const [[p], [r], [e], [a]] = await Promise.all([
    db.select({ n: count() }).from(patients),
    db.select({ n: count() }).from(referrals),
    db.select({ n: count() }).from(referralEvents),
    db.select({ n: count() }).from(auditLog),
  ]);
  return { patients: p!.n, referrals: r!.n, events: e!.n, audit: a!.n };
}

const patientOf = async (nhsNumber: string) => (await db.select().from(patients).where(eq(patients.nhsNumber, nhsNumber)))[0];
const register = (client: typeof clinic, siteId: string, nhsNumber: string, over: Record<string, unknown> = {}) =>
  client.createPatient(siteId, { nhsNumber, givenName: 'Ada', familyName: 'Lovelace', birthDate: '1990-05-17', ...over });
const problems = (body: { errors: { line: number | null; column: string | null }[] }) => body.errors.map((e) => [e.line, e.column]);

describe('check and apply', () => {
  it('reports what the file would do and writes nothing, not even an audit entry', async () => {
    const [a, b] = [nhs(), nhs()];
    const before = await tableCounts();
    const res = await check(csv(onHcl(a), onPump(b), waiting(b, { therapy: 'hcl' })));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      mode: 'check',
      rows: 3,
      errors: [],
      patients: { created: 2, matched: 0 },
      existingTherapies: { created: 2, alreadyRecorded: 0 },
      referrals: { created: 1, alreadyRecorded: 0 },
    });
    expect(await tableCounts()).toEqual(before);
  });

  it('applies the file as it was checked: each record written and audited as its own endpoint writes it, and the import audited once', async () => {
    const [a, b] = [nhs(), nhs()];
    const file = csv(onHcl(a, { ethnic_category: 'a', postcode: 'ls14ap', imd_decile: '3' }), onPump(b), waiting(b));
    const checked = await check(file);
    const before = await tableCounts();
    const applied = await apply(file);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body).toEqual({ ...checked.body, mode: 'apply' });
    expect(await tableCounts()).toEqual({
      patients: before.patients + 2,
      referrals: before.referrals + 3,
      events: before.events + 2,
      audit: before.audit + 2 + 3 + 1,
    });

    const ada = await patientOf(a);
    expect(ada).toMatchObject({ siteId: site.id, givenName: 'Ada', birthDate: '1990-05-17', ethnicCategory: 'A', postcode: 'LS1 4AP', imdDecile: 3 });
    const adaRecords = (await t.app.inject({ method: 'GET', url: `/api/v1/referrals?patientId=${ada!.id}`, headers: { cookie: nurse.cookie } })).json().items;
    expect(adaRecords).toHaveLength(1);
    const record = (await t.app.inject({ method: 'GET', url: `/api/v1/referrals/${adaRecords[0].id}`, headers: { cookie: nurse.cookie } })).json();
    expect(record).toMatchObject({ origin: 'existing', status: 'on_therapy', therapy: 'hcl', knownOn: '2026-01-10', version: 1, allowedEvents: ['review'] });
    expect(record.events).toEqual([
      expect.objectContaining({
        type: 'existing_therapy',
        occurredOn: '2026-01-10',
        statusAfter: 'on_therapy',
        recordedBy: nurse.user.id,
        payload: { startedOn: '2024-06-01', knownOn: '2026-01-10', pump: 'Insulet Omnipod 5', cgm: 'Dexcom G6', algorithm: 'SmartAdjust', funding: 'nhs' },
      }),
    ]);
    const bob = await patientOf(b);
    const bobRecords = (await t.app.inject({ method: 'GET', url: `/api/v1/referrals?patientId=${bob!.id}`, headers: { cookie: nurse.cookie } })).json().items;
    expect(bobRecords.map((r: { origin: string; status: string }) => [r.origin, r.status]).sort()).toEqual([
      ['existing', 'on_therapy'],
      ['pathway', 'awaiting_assessment'],
    ]);

    const [entry] = await db.select().from(auditLog).where(eq(auditLog.action, 'import.caseload')).orderBy(sql`${auditLog.id} desc`).limit(1);
    expect(entry).toMatchObject({ actorId: nurse.user.id, actorRole: 'nurse', entityType: 'site', entityId: site.id });
    expect(entry!.after).toEqual({
      siteId: site.id,
      sha256: createHash('sha256').update(file).digest('hex'),
      rows: 3,
      patients: { created: 2, matched: 0 },
      existingTherapies: { created: 2, alreadyRecorded: 0 },
      referrals: { created: 1, alreadyRecorded: 0 },
    });
  });

  it('audits each record in the shape its single endpoint does', async () => {
    // The same kinds of record made one at a time, then by a file.
    const single = await register(clinic, site.id, nhs());
    const existing = await clinic.existing(single.id, { therapy: 'hcl', startedOn: '2024-06-01', knownOn: '2026-01-10', pump: 'Insulet Omnipod 5', cgm: 'Dexcom G6', algorithm: 'SmartAdjust' });
    const referral = await clinic.refer(single.id, { therapy: 'hcl', receivedOn: '2026-02-01', priorityGroup: 'adult' });
    const a = nhs();
    expect((await apply(csv(onHcl(a), waiting(a)))).status).toBe(200);
    const imported = await patientOf(a);
    const importedRecords = await db.select().from(referrals).where(eq(referrals.patientId, imported!.id));

    const entriesOf = async (ids: string[]) => db.select().from(auditLog).where(inArray(auditLog.entityId, ids)).orderBy(auditLog.id);
    const shape = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(shape) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]).sort()) : typeof value;
    const byAction = async (ids: string[]) =>
      Object.fromEntries((await entriesOf(ids)).map((e) => [e.action, { entityType: e.entityType, actorRole: e.actorRole, requestId: typeof e.requestId, after: shape(e.after) }]));
    expect(await byAction(importedRecords.map((r) => r.id).concat(imported!.id))).toEqual(await byAction([single.id, existing.id, referral.id]));
  });

  it('writes nothing when one row has a problem: 422, a problem document carrying the same report, and no audit entry', async () => {
    const [a, b] = [nhs(), nhs()];
    const file = csv(onHcl(a), onPump(b, { pump: 'Pump-o-matic 3000' }), waiting(b));
    const checked = await check(file);
    expect(problems(checked.body)).toEqual([[3, 'pump']]);
    const before = await tableCounts();
    const res = await apply(file);
    expect(res.status).toBe(422);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: '/api/problems/caseload-rejected', status: 422, title: 'Caseload file not applied' });
    const { type: _type, title: _title, status: _status, detail, ...report } = res.body;
    expect(detail).toMatch(/^Nothing was written/);
    expect(report).toEqual({ ...checked.body, mode: 'apply' });
    expect(await tableCounts()).toEqual(before);
  });

  it('creates nothing when the same file is applied again: everyone matched, every record already recorded', async () => {
    const [a, b] = [nhs(), nhs()];
    const file = csv(onHcl(a), onPump(b), waiting(b));
    expect((await apply(file)).status).toBe(200);
    const before = await tableCounts();
    const again = await apply(file);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({
      errors: [],
      patients: { created: 0, matched: 2 },
      existingTherapies: { created: 0, alreadyRecorded: 2 },
      referrals: { created: 0, alreadyRecorded: 1 },
    });
    // Only the import's own audit entry.
    expect(await tableCounts()).toEqual({ ...before, audit: before.audit + 1 });
  });

  it('lets two applies of one file for one site run one after the other, the second finding the first\'s records', async () => {
    const file = csv(onHcl(nhs()), waiting(nhs()));
    const before = await tableCounts();
    const [first, second] = await Promise.all([apply(file), apply(file, { cookie: consultant.cookie })]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const created = [first.body, second.body].map((b) => b.patients.created).sort();
    expect(created).toEqual([0, 2]);
    expect((await tableCounts()).patients).toBe(before.patients + 2);
  });

  it('leaves nothing written when the database fails part-way through an apply', async () => {
    // The last statement of an apply is its audit: make the database refuse the import's own entry.
    await db.execute(sql.raw(`create function refuse_import_audit() returns trigger language plpgsql as $$
      begin if new.action = 'import.caseload' then raise exception 'disk full'; end if; return new; end $$`));
    await db.execute(sql.raw('create trigger refuse_import_audit before insert on audit_log for each row execute function refuse_import_audit()'));
    try {
      const a = nhs();
      const before = await tableCounts();
      const res = await apply(csv(onHcl(a), waiting(a)));
      expect(res.status).toBe(500);
      expect(await tableCounts()).toEqual(before);
      expect(await patientOf(a)).toBeUndefined();
    } finally {
      await db.execute(sql.raw('drop trigger refuse_import_audit on audit_log'));
      await db.execute(sql.raw('drop function refuse_import_audit()'));
    }
  });
});

describe('people already registered', () => {
  it('are matched at the site by NHS number, a blank cell keeping what is stored', async () => {
    const a = nhs();
    const registered = await register(clinic, site.id, a, { givenName: 'Grace', familyName: 'Hopper', birthDate: '1980-12-09' });
    const res = await apply(csv({ nhs_number: a, given_name: 'GRACE', record: 'waiting', therapy: 'csii', received_on: '2026-01-05' }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ patients: { created: 0, matched: 1 }, referrals: { created: 1, alreadyRecorded: 0 } });
    expect(await patientOf(a)).toMatchObject({ id: registered.id, givenName: 'Grace', familyName: 'Hopper', birthDate: '1980-12-09', version: 1 });
  });

  it('are never overwritten: a cell that differs from the record is a problem naming what the record says', async () => {
    const a = nhs();
    await register(clinic, site.id, a, { birthDate: '1980-12-09' });
    const file = csv(onHcl(a, { birth_date: '09/12/1981', postcode: 'LS1 4AP' }));
    const res = await apply(file);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        line: 2,
        column: 'birth_date',
        message: expect.stringContaining('differs from the registered record of NHS number') && expect.stringContaining('which has date of birth 9 December 1980'),
      },
      { line: 2, column: 'postcode', message: expect.stringContaining('which has no postcode') },
    ]);
    expect(await patientOf(a)).toMatchObject({ birthDate: '1980-12-09', postcode: null, version: 1 });
  });

  it('are checked against the date of birth on record', async () => {
    const a = nhs();
    await register(clinic, site.id, a, { birthDate: '2001-03-03' });
    const res = await check(csv({ nhs_number: a, record: 'waiting', therapy: 'hcl', received_on: '2000-01-01' }, { nhs_number: a, record: 'on_therapy', therapy: 'csii', started_on: '1999-05-05', pump: 'Tandem t:slim X2', funding: 'nhs' }));
    expect(res.body.errors).toEqual([
      { line: 2, column: 'received_on', message: 'Date received cannot be before the date of birth (3 March 2001)' },
      { line: 3, column: 'started_on', message: 'The start cannot be before the date of birth (3 March 2001)' },
    ]);
  });

  it('at another site are refused, the site named only to someone who may see it', async () => {
    const a = nhs();
    await register(hilltop, elsewhere.id, a);
    const file = csv(onHcl(a));
    const forNurse = await check(file);
    expect(forNurse.body.errors).toEqual([
      { line: 2, column: 'nhs_number', message: expect.stringMatching(/^NHS number \d{3} \d{3} \d{4} is registered at another site, not at this site/) },
    ]);
    expect(JSON.stringify(forNurse.body)).not.toContain('Hilltop');
    const forAdmin = await check(file, { cookie: admin.cookie });
    expect(forAdmin.body.errors[0].message).toContain('is registered at Hilltop Diabetes Service, not at this site');
    const res = await apply(file);
    expect(res.status).toBe(422);
    expect((await patientOf(a))!.siteId).toBe(elsewhere.id);
  });
});

describe('rows beyond their own cells', () => {
  it('need the person columns for someone not yet registered', async () => {
    const res = await check(csv({ nhs_number: nhs(), given_name: 'Ada', record: 'waiting', therapy: 'csii', received_on: '2026-01-05' }));
    expect(problems(res.body)).toEqual([
      [2, 'family_name'],
      [2, 'birth_date'],
      [2, 'sex'],
      [2, 'diabetes_type'],
    ]);
  });

  it('name active catalogue devices of the right kind, found whatever their capitals', async () => {
    const retired = await t.app.inject({ method: 'POST', url: '/api/v1/devices', headers: { cookie: admin.cookie }, payload: { kind: 'pump', name: 'Old Pump 1' } });
    await t.app.inject({ method: 'PATCH', url: `/api/v1/devices/${retired.json().id}`, headers: { cookie: admin.cookie }, payload: { version: 1, active: false } });
    const res = await check(
      csv(
        onHcl(nhs(), { pump: 'insulet omnipod 5', cgm: 'DEXCOM G6' }),
        onHcl(nhs(), { pump: 'Old Pump 1' }),
        onHcl(nhs(), { cgm: 'SmartAdjust' }),
      ),
    );
    expect(res.body.errors).toEqual([
      { line: 3, column: 'pump', message: expect.stringMatching(/^Old Pump 1 is not a pump in the device catalogue: write it as the catalogue names it, .*Insulet Omnipod 5/) },
      { line: 4, column: 'cgm', message: 'SmartAdjust is an algorithm in the device catalogue, not a CGM: check the columns' },
    ]);
  });

  it('refuse two rows that would both make a current record of one therapy for one person', async () => {
    const a = nhs();
    const res = await check(csv(onHcl(a), onHcl(a, { started_on: '2025-01-01' })));
    expect(problems(res.body)).toEqual([[3, null]]);
  });

  it('count as already recorded what the person has: the same start, an open record of the therapy, a referral received that day', async () => {
    const a = nhs();
    const patient = await register(clinic, site.id, a);
    const pump = await clinic.existing(patient.id, { startedOn: undefined, startedYear: 2016, knownOn: '2025-10-01', pump: 'Tandem t:slim X2' });
    await clinic.event(pump.id, { type: 'review', reviewedOn: '2025-12-01', decision: 'discontinue', reason: 'Moved to injections', version: 1 });
    await clinic.existing(patient.id, { therapy: 'hcl', startedOn: '2023-03-03', knownOn: '2025-10-01', pump: 'Insulet Omnipod 5' });
    await clinic.refer(patient.id, { therapy: 'csii', receivedOn: '2026-02-01' });
    const res = await check(
      csv(
        onPump(a, { given_name: '', family_name: '', birth_date: '', sex: '', diabetes_type: '' }),
        onHcl(a, { started_on: '2024-06-01' }),
        waiting(a, { therapy: 'csii', priority_group: '' }),
        waiting(a, { therapy: 'csii', priority_group: '', received_on: '2026-02-02' }),
      ),
    );
    expect(res.body).toMatchObject({
      errors: [],
      existingTherapies: { created: 0, alreadyRecorded: 2 },
      referrals: { created: 1, alreadyRecorded: 1 },
    });
  });
});

describe('who may import', () => {
  const file = () => csv(waiting(nhs()));

  it('is the site\'s nurses and consultants, and admins', async () => {
    for (const who of [nurse, consultant, admin]) expect((await check(file(), { cookie: who.cookie })).status).toBe(200);
  });

  it('is not commissioners (403), nor anyone signed out (401)', async () => {
    expect((await check(file(), { cookie: commissioner.cookie })).status).toBe(403);
    expect((await check(file(), { cookie: '' })).status).toBe(401);
  });

  it('answers 404 for a site outside the caller\'s, or no such site', async () => {
    expect((await check(file(), { cookie: otherNurse.cookie })).status).toBe(404);
    expect((await check(file(), { cookie: admin.cookie, siteId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
  });
});

describe('the request', () => {
  it('takes text/csv, with or without a UTF-8 charset, and nothing else (415)', async () => {
    const file = csv(waiting(nhs()));
    expect((await check(file, { type: 'text/csv; charset=utf-8' })).status).toBe(200);
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'text/csv; charset=latin1']) {
      const res = await check(type === 'application/json' ? JSON.stringify({ file }) : file, { type });
      expect(res.status, type).toBe(415);
      expect(res.type).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 400 for a query without a site or a mode', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/imports/caseload?siteId=nope&mode=maybe', headers: { cookie: nurse.cookie, 'content-type': 'text/csv' }, payload: csv() });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['mode', 'siteId']);
  });

  it('refuses a file over 20 MiB with 413, said plainly, whether its length is announced or not, and writes nothing', async () => {
    const before = await tableCounts();
    const big = Buffer.concat([Buffer.from(csv()), Buffer.alloc(21 * 1024 * 1024, 'x')]);
    const announced = await apply(big);
    expect(announced.status).toBe(413);
    expect(announced.body).toMatchObject({ title: 'Request body too large', detail: 'A caseload file must be at most 20 MiB: split it into smaller files' });
    const streamed = await apply(Readable.from((function* () { for (let at = 0; at < big.length; at += 1 << 20) yield big.subarray(at, at + (1 << 20)); })()));
    expect(streamed.status).toBe(413);
    expect(await tableCounts()).toEqual(before);
  });
});

describe('hostile files', () => {
  // Every one: a clear report, never a 5xx, and nothing written.
  async function refused(file: string | Buffer) {
    const before = await tableCounts();
    const res = await apply(file);
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(422);
    expect(res.body.errors.length).toBeGreaterThan(0);
    expect(await tableCounts()).toEqual(before);
    return res.body.errors as { line: number | null; column: string | null; message: string }[];
  }

  it('Latin-1 bytes: the file is not UTF-8', async () => {
    const file = Buffer.concat([Buffer.from(csv()), Buffer.from(`${nhs()},Zo`, 'latin1'), Buffer.from([0xeb]), Buffer.from(',Lovelace\r\n')]);
    expect(await refused(file)).toEqual([{ line: null, column: null, message: 'The file is not UTF-8 text: save it from your spreadsheet as CSV UTF-8' }]);
  });

  it('a cell of a megabyte', async () => {
    const errors = await refused(csv(waiting(nhs(), { family_name: 'L'.repeat(1024 * 1024) })));
    expect(errors).toEqual([{ line: 2, column: null, message: expect.stringMatching(/^This row is longer than 1,048,576 characters/) }]);
  });

  it('a long cell in a row that is not', async () => {
    const errors = await refused(csv(waiting(nhs(), { family_name: 'L'.repeat(1000) })));
    expect(errors).toEqual([{ line: 2, column: 'family_name', message: 'Family name is longer than 200 characters' }]);
  });

  it('a spreadsheet formula for a name', async () => {
    const errors = await refused(csv(waiting(nhs(), { given_name: '"=HYPERLINK(""http://x"",""y"")"' })));
    expect(errors).toEqual([{ line: 2, column: 'given_name', message: expect.stringMatching(/^Given name must start with a letter/) }]);
  });

  it('the same row twice', async () => {
    const row = waiting(nhs());
    expect((await refused(csv(row, row))).map((e) => e.line)).toEqual([3]);
  });

  it('more rows than a file may have', { timeout: 120_000 }, async () => {
    const header = 'nhs_number,given_name,family_name,birth_date,sex,diabetes_type,record,therapy,received_on\r\n';
    const lines: string[] = [];
    for (let i = 0; lines.length <= 100_000; i++) {
      const firstNine = `999${String(i).padStart(6, '0')}`;
      const check = nhsCheckDigit(firstNine);
      if (check !== null) lines.push(`${firstNine}${check},Ada,Lovelace,1990-05-17,female,type1,waiting,csii,2026-01-05\r\n`);
    }
    const errors = await refused(Buffer.from(header + lines.join('')));
    expect(errors).toEqual([{ line: 100_002, column: null, message: 'The file has more than 100,000 rows: split it into files of 100,000 rows or fewer' }]);
  });
});

describe('the figures afterwards', () => {
  it('count the applied existing records as on therapy, and as existing', async () => {
    const fresh = await t.site('CSL03', 'Meadow Diabetes Service');
    const meadow = await t.as('nurse', [fresh.id]);
    const file = csv(onHcl(nhs()), onPump(nhs()), onPump(nhs(), { started_year: '', known_on: '2026-02-01' }), waiting(nhs()));
    expect((await apply(file, { cookie: meadow.cookie, siteId: fresh.id })).status).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/metrics?groupBy=site&from=2026-01-01&to=2026-03-31', headers: { cookie: admin.cookie } });
    const row = res.json().rows.find((r: { key: string }) => r.key === fresh.id);
    expect(row).toMatchObject({ onTherapy: 3, existingOnTherapy: 3, referrals: 1, started: 0 });
  });
});
