import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIso } from '../../src/lib/server/clock';
import { nextNhsNumber } from '../support/pathway';
import { callApi, HAS_BUILD } from '../support/server-process';
import { formServer, type FormServer } from './form-server';

/**
 * The pages through the real built server, as a browser (or someone imitating one) would use them.
 *
 * Every form action of the pages, posted with bodies that are wrong in at least one field, through the real
 * built server as a browser would (same-origin, Accept: text/html) and as the role the form is for. Whatever
 * else is in the body (unicode, lone surrogates, NUL, invalid dates, injection, megabytes, repeated keys, other
 * encodings), the answer is a page that says what is wrong, or a 4xx, never a 5xx; and nothing is written.
 *
 * Left out: the actions that take no fields (sign out, a site's population sync, a patient's FHIR refresh).
 *
 * And output encoding: text holding markup, stored as a patient's name, a facilitation note or a barrier, shows as
 * text on every page that shows it, and so does what was typed into a refused form.
 */

type Value = string | { raw: string } | { file: string };
type Body = [string, Value][];
type Encoding = 'urlencoded' | 'multipart' | 'broken-multipart' | 'json' | 'text';

interface FormAction {
  action: string;
  as: keyof FormServer['cookies'];
  /** A body the form would send, before one field is broken. */
  valid: () => Record<string, string>;
  /** Fields whose absence, or a 100 kB value, the action must refuse. */
  required: string[];
}

const INJECTIONS = [
  "'; drop table patients; --",
  "1' or '1'='1",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}',
  '${7*7}',
  '../../etc/passwd',
  '__proto__',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '🩸💉',
  '\u202Eevil',
];
const value: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // any code unit, lone surrogates included
  fc.constantFrom('2025-02-30', '2026-13-01', '0000-00-00', '2026-1-1', '99999-01-01', '31/12/2025', '2026-02-29', '1900-01-01'),
  fc.oneof(fc.integer(), fc.double()).map(String),
  fc.constantFrom('true', 'false', 'yes', 'no', 'null', 'undefined', 'NaN', 'Infinity', '-1', '0', '1e309', '', ' '),
  fc.constantFrom('x'.repeat(100_000), 'é'.repeat(1_000_000)),
  fc.constantFrom({ raw: '%ED%A0%80' }, { raw: '%FF%FE' }, { raw: '%00' }, { raw: '%ZZ' }, { raw: '%' }, { raw: '%C0%AF' }),
  fc.constantFrom({ file: 'not a text field' }),
);

/** Noise over a valid body (fields changed, repeated, added), then one required field removed or made far too long. */
const hostileBody = (form: FormAction) =>
  fc
    .record({
      noise: fc.array(fc.tuple(fc.constantFrom(...Object.keys(form.valid()), 'unexpected', '__proto__', 'constructor'), value, fc.boolean()), { maxLength: 8 }),
      broken: fc.constantFrom(...form.required),
      remove: fc.boolean(),
    })
    .map(({ noise, broken, remove }) => {
      let body: Body = Object.entries(form.valid());
      for (const [key, v, repeat] of noise) {
        if (key === broken) continue;
        body = repeat ? [...body, [key, v]] : [...body.filter(([k]) => k !== key), [key, v]];
      }
      body = body.filter(([k]) => k !== broken);
      return remove ? body : [...body, [broken, 'x'.repeat(100_000)] as [string, Value]];
    });

/** The bytes and content type of a body, as a browser (or someone imitating one badly) would send it. */
async function encode(body: Body, encoding: Encoding): Promise<{ bytes: Buffer; type: string }> {
  const text = (v: Value) => (typeof v === 'string' ? v : 'raw' in v ? v.raw : v.file);
  const escape = (t: string) => new URLSearchParams({ t }).toString().slice(2);
  // Built by hand, so that malformed escapes and bytes that are not UTF-8 reach the server as sent.
  const urlencoded = () => body.map(([k, v]) => `${escape(k)}=${typeof v === 'object' && 'raw' in v ? v.raw : escape(text(v))}`).join('&');
  switch (encoding) {
    case 'multipart': {
      const form = new FormData();
      for (const [k, v] of body) {
        if (typeof v === 'object' && 'file' in v) form.append(k, new Blob([v.file]), 'upload.txt');
        else form.append(k, text(v));
      }
      const res = new Response(form);
      return { bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type')! };
    }
    case 'broken-multipart':
      return { bytes: Buffer.from(urlencoded()), type: 'multipart/form-data' };
    case 'urlencoded':
      return { bytes: Buffer.from(urlencoded()), type: 'application/x-www-form-urlencoded' };
    case 'json':
      return { bytes: Buffer.from(JSON.stringify(Object.fromEntries(body.map(([k, v]) => [k, text(v)])))), type: 'application/json' };
    case 'text':
      return { bytes: Buffer.from(body.map(([k, v]) => `${k}=${text(v)}`).join('\r\n')), type: 'text/plain' };
  }
}

/** Posts on a connection of its own, closed after, so that a refused body never spills over onto other requests. */
async function post(baseUrl: string, action: string, cookie: string, body: Body, encoding: Encoding) {
  const { bytes, type } = await encode(body, encoding);
  const url = new URL(action, baseUrl);
  return new Promise<{ status: number; type: string; html: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { origin: url.origin, accept: 'text/html', 'content-type': type, 'content-length': bytes.length, ...(cookie ? { cookie } : {}) },
    });
    req.on('response', (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (html += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), html }));
      res.on('error', reject);
    });
    // No excuse for a dropped connection: the server reads and discards an oversized body so the 413 arrives.
    req.on('error', reject);
    req.end(bytes);
  });
}

const describeBody = (body: Body, encoding: Encoding) =>
  `${encoding}: ${JSON.stringify(body.map(([k, v]) => [k, typeof v === 'string' && v.length > 60 ? `${v.slice(0, 20)}... (${v.length})` : v]))}`;

describe.skipIf(!HAS_BUILD)('pages through the real server (needs `npm run build`)', () => {
  let s: FormServer;
  beforeAll(async () => {
    s = await formServer();
  }, 120_000);
  afterAll(() => s?.close(), 60_000);

  describe('form actions with hostile bodies', () => {
    let tablesAtStart: Record<string, number>;
    beforeAll(async () => {
      tablesAtStart = await s.tableCounts();
    }, 120_000);

    const today = todayIso();
    const FORMS: FormAction[] = [
      { action: '/login', as: 'none', valid: () => ({ email: 'nurse@example.org', password: 'not-the-password' }), required: ['email', 'password'] },
      {
        action: '/admin/users?/create',
        as: 'admin',
        valid: () => ({ email: 'fuzzed@example.org', name: 'Fuzzed User', role: 'nurse', siteIds: s.siteId, password: 'long-enough-password' }),
        required: ['email', 'name', 'role', 'siteIds', 'password'],
      },
      { action: '/admin/sites?/create', as: 'admin', valid: () => ({ odsCode: 'FZZ01', name: 'Fuzzed site', icb: 'Fuzzed ICB' }), required: ['odsCode', 'name', 'icb'] },
      {
        action: '/admin/sites/{site}?/update',
        as: 'admin',
        valid: () => ({ version: '1', name: 'Renamed', icb: 'Renamed ICB', t1dPopulation: '300', t1dPopulationAsOf: today }),
        required: ['version', 'name', 'icb'],
      },
      { action: '/admin/devices?/create', as: 'admin', valid: () => ({ kind: 'pump', name: 'Fuzzed pump', manufacturer: 'Fuzz Ltd' }), required: ['kind', 'name'] },
      { action: '/admin/devices?/toggle', as: 'admin', valid: () => ({ id: s.device.id, version: String(s.device.version), active: 'false' }), required: ['id', 'version'] },
      {
        action: '/patients/new?/create',
        as: 'nurse',
        valid: () => ({ nhsNumber: '943 476 5919', givenName: 'Fuzzed', familyName: 'Patient', birthDate: '1990-01-01', sex: 'female', siteId: s.siteId, diabetesType: 'type1' }),
        required: ['nhsNumber', 'givenName', 'familyName', 'birthDate', 'sex', 'siteId', 'diabetesType'],
      },
      { action: '/patients/new?/import', as: 'nurse', valid: () => ({ importSiteId: s.siteId, importNhsNumber: '943 476 5919' }), required: ['importSiteId', 'importNhsNumber'] },
      { action: '/patients/{patient}?/addHba1c', as: 'nurse', valid: () => ({ effective: today, value: '64', unit: 'mmol/mol' }), required: ['effective', 'value', 'unit'] },
      { action: '/patients/{patient}?/refer', as: 'nurse', valid: () => ({ therapy: 'csii', receivedOn: today, source: 'gp' }), required: ['therapy', 'receivedOn', 'source'] },
      {
        action: '/referrals/{referral}?/event',
        as: 'consultant',
        valid: () => ({
          type: 'assessment',
          version: String(s.referral.version),
          assessedOn: today,
          hba1cMmolMol: '75',
          disablingHypoglycaemia: 'no',
          mdiTried: 'yes',
          structuredEducation: 'yes',
          decision: 'eligible',
          currentTechnology: 'rtcgm',
        }),
        required: ['type', 'version', 'assessedOn', 'disablingHypoglycaemia', 'mdiTried', 'structuredEducation', 'decision'],
      },
      { action: '/sites/{site}?/facilitation', as: 'nurse', valid: () => ({ on: today, mode: 'active', kind: 'workshop', facilitator: 'Fuzz team', notes: 'Fuzzed' }), required: ['on', 'mode', 'kind'] },
      { action: '/sites/{site}?/barrier', as: 'nurse', valid: () => ({ raisedOn: today, category: 'staffing', description: 'Fuzzed barrier' }), required: ['raisedOn', 'category', 'description'] },
      { action: '/sites/{site}?/resolve', as: 'nurse', valid: () => ({ id: s.barrier.id, version: String(s.barrier.version), resolvedOn: today }), required: ['id', 'version'] },
    ];
    const pathOf = (action: string) => action.replace('{site}', s.siteId).replace('{patient}', s.patient.id).replace('{referral}', s.referral.id);

    it.each(FORMS)('$action answers a page with an error summary or a 4xx, never a 5xx, and writes nothing', { timeout: 180_000 }, async (form) => {
      await fc.assert(
        fc.asyncProperty(hostileBody(form), fc.constantFrom<Encoding>('urlencoded', 'urlencoded', 'multipart', 'broken-multipart', 'json', 'text'), async (body, encoding) => {
          const before = await s.counts();
          const res = await post(s.url, pathOf(form.action), s.cookies[form.as], body, encoding);
          const what = `${res.status} for ${describeBody(body, encoding)}\n${res.html.slice(0, 500)}`;
          expect(res.status, what).toBeGreaterThanOrEqual(400);
          expect(res.status, what).toBeLessThan(500);
          // A form that could be read and was refused is shown again with what is wrong; a body that is not a form
          // at all gets an error page.
          if (res.status === 400 && (encoding === 'urlencoded' || encoding === 'multipart')) expect(res.html, what).toContain('nhsuk-error-summary');
          expect(await s.counts(), what).toEqual(before);
        }),
        { numRuns: 30 },
      );
    });

    it.each([
      ['admin', '/admin/sites/123', '?/update'],
      ['nurse', "/patients/1'%20or%20'1'='1", '?/addHba1c'],
      ['nurse', '/referrals/not-a-referral', '?/event'],
      ['nurse', '/sites/%00', '?/barrier'],
    ] as const)('%s: %s (an id that is not a UUID) is a page that does not exist, to read or to post to', async (who, path, action) => {
      const read = await fetch(new URL(path, s.url), { headers: { accept: 'text/html', cookie: s.cookies[who] } });
      expect(read.status).toBe(404);
      const posted = await post(s.url, path + action, s.cookies[who], [['version', '1']], 'urlencoded');
      expect(posted.status).toBe(404);
    });

    it('left every table as it was', { timeout: 120_000 }, async () => {
      expect(await s.tableCounts()).toEqual(tablesAtStart);
    });
  });

  describe('output encoding', () => {
    const SCRIPT = '<script>alert(1)</script>';
    const IMG = '"><img src=x onerror=alert(1)>';
    // Svelte escapes < (and " in attributes); devalue writes < as \u003C in the data it embeds. Names may be upper-cased.
    const RAW = [/<script>alert\(1\)<\/script>/i, /<img src=x onerror/i];
    const SHOWN_AS_TEXT = [/&lt;script(>|&gt;)alert\(1\)&lt;\/script/i, /(&quot;|")(>|&gt;)&lt;img src=x onerror=alert\(1\)/i];

    const page = async (cookie: string, path: string, init: RequestInit = {}) => {
      const res = await fetch(new URL(path, s.url), { redirect: 'manual', ...init, headers: { accept: 'text/html', cookie, ...init.headers } });
      return { status: res.status, html: await res.text() };
    };

    it('shows a patient, a facilitation note and a barrier holding markup as text on every page that shows them', { timeout: 60_000 }, async () => {
      const api = (cookie: string, path: string, body: object) => callApi(s.url, 'POST', path, { cookie, body });
      const patient = await api(s.cookies.nurse, '/api/v1/patients', {
        nhsNumber: nextNhsNumber(555_000 + Math.floor(Math.random() * 1000)),
        givenName: SCRIPT,
        familyName: IMG,
        birthDate: '1980-01-01',
        sex: 'female',
        siteId: s.siteId,
        diabetesType: 'type1',
      });
      expect(patient.status).toBe(201);
      const referral = await api(s.cookies.nurse, '/api/v1/referrals', { patientId: patient.body.id, therapy: 'csii', receivedOn: todayIso(), source: 'gp' });
      const facilitation = await api(s.cookies.nurse, `/api/v1/sites/${s.siteId}/facilitation`, { on: todayIso(), mode: 'active', kind: 'workshop', facilitator: SCRIPT, notes: IMG });
      const barrier = await api(s.cookies.nurse, `/api/v1/sites/${s.siteId}/barriers`, { raisedOn: todayIso(), category: 'other', description: `${SCRIPT} ${IMG}` });
      expect([referral.status, facilitation.status, barrier.status]).toEqual([201, 201, 201]);

      const pages: [keyof FormServer['cookies'], string][] = [
        ['nurse', '/'],
        ['consultant', '/'],
        ['nurse', `/patients?q=${patient.body.nhsNumber}`],
        ['nurse', `/patients/${patient.body.id}`],
        ['nurse', `/referrals/${referral.body.id}`],
        ['nurse', `/sites/${s.siteId}`],
        ['admin', `/admin/audit?entityId=${patient.body.id}`],
        ['admin', `/admin/audit?entityId=${facilitation.body.id}`],
        ['admin', `/admin/audit?entityId=${barrier.body.id}`],
      ];
      for (const [who, path] of pages) {
        const { status, html } = await page(s.cookies[who], path);
        expect(status, `${who} ${path}`).toBe(200);
        for (const raw of RAW) expect(html, `${who} ${path}`).not.toMatch(raw);
        for (const text of SHOWN_AS_TEXT) expect(html, `${who} ${path}`).toMatch(text);
      }
    });

    it('keeps what was typed into a refused form as text', async () => {
      const form = new URLSearchParams({ nhsNumber: '123', givenName: SCRIPT, familyName: IMG, birthDate: '1980-01-01', sex: 'female', siteId: s.siteId, diabetesType: 'type1' });
      const { status, html } = await page(s.cookies.nurse, '/patients/new?/create', {
        method: 'POST',
        body: form,
        headers: { origin: new URL(s.url).origin, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(status).toBe(400);
      expect(html).toContain('nhsuk-error-summary');
      for (const raw of RAW) expect(html).not.toMatch(raw);
      for (const text of SHOWN_AS_TEXT) expect(html).toMatch(text);
    });
  });
});
