import { Readable } from 'node:stream';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, imdPostcodes } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';

/**
 * The postcode-to-deprivation table (api.md, `POST /api/v1/reference/imd`): an admin replaces it whole from a CSV
 * file; a file with any problem leaves it as it was.
 */

const t = await createTestApp();
const { db } = t.database;
const site = await t.site('IMD01', 'Riverside Diabetes Service');
const admin = await t.as('admin');
const nurse = await t.as('nurse', [site.id]);
const commissioner = await t.as('commissioner');

async function load(body: string | Readable, { cookie = admin.cookie, type = 'text/csv' } = {}) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/reference/imd', headers: { cookie, 'content-type': type }, payload: body });
  return { status: res.statusCode, body: res.json() };
}
const table = () => db.select().from(imdPostcodes).orderBy(asc(imdPostcodes.postcode));

describe('loading the postcode-to-deprivation table', () => {
  it('stores each postcode compact, with its decile, and answers how many it holds', async () => {
    const res = await load('postcode,imd_decile\r\nLS1 4AP,3\r\nls2 9jt,10\r\n"M1  1AE",1\r\n');
    expect(res).toEqual({ status: 200, body: { postcodes: 3 } });
    expect(await table()).toEqual([
      { postcode: 'LS14AP', imdDecile: 3 },
      { postcode: 'LS29JT', imdDecile: 10 },
      { postcode: 'M11AE', imdDecile: 1 },
    ]);
  });

  it('replaces the table rather than adding to it, and is audited with the sizes before and after', async () => {
    const res = await load('imd_decile,lsoa,postcode\n7,E01011365,BD1 1AA\n\n');
    expect(res).toEqual({ status: 200, body: { postcodes: 1 } });
    expect(await table()).toEqual([{ postcode: 'BD11AA', imdDecile: 7 }]);
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.action, 'reference.imd_replace')).orderBy(asc(auditLog.id)).limit(1).offset(1);
    expect(entry).toMatchObject({ actorId: admin.user.id, before: { postcodes: 3 }, after: { postcodes: 1 } });
  });

  it('loads a file streamed in small pieces, across many batches', async () => {
    // 25,003 different postcodes: districts AB1 to AB4, each sector 0 to 9, each unit AA to ZZ.
    const letters = (n: number) => String.fromCharCode(65 + Math.floor(n / 26), 65 + (n % 26));
    const rows = Array.from({ length: 25_003 }, (_, i) => `AB${1 + Math.floor(i / 6760)} ${Math.floor(i / 676) % 10}${letters(i % 676)},${1 + (i % 10)}`);
    const text = ['postcode,imd_decile', ...rows].join('\n');
    const pieces = text.match(/[\s\S]{1,1000}/g)!;
    const res = await load(Readable.from(pieces.map((p) => Buffer.from(p))));
    expect(res).toEqual({ status: 200, body: { postcodes: 25_003 } });
    expect(await db.select().from(imdPostcodes).where(eq(imdPostcodes.postcode, 'AB46AA'))).toEqual([{ postcode: 'AB46AA', imdDecile: 1 + (24_336 % 10) }]);
  });

  describe('a file with a problem loads nothing and says where the problems are', () => {
    const before = async () => (await table()).length;

    it.each([
      ['no header naming the columns', 'postcode,decile\nLS1 4AP,3\n', [{ path: 'line 1', message: 'The first row must name the columns postcode and imd_decile' }]],
      ['an empty file', '', [{ path: 'file', message: 'The file is empty: it needs a header row postcode,imd_decile' }]],
      [
        'a postcode that is not one, and deciles out of range',
        'postcode,imd_decile\nLS1 4AP,3\nNOT A CODE,4\nLS2 9JT,0\nLS3 1AB,11\nLS4 2CD,4.5\n',
        [
          { path: 'line 3', message: '"NOT A CODE" is not a UK postcode' },
          { path: 'line 4', message: 'The IMD decile must be a whole number from 1 to 10, not "0"' },
          { path: 'line 5', message: 'The IMD decile must be a whole number from 1 to 10, not "11"' },
          { path: 'line 6', message: 'The IMD decile must be a whole number from 1 to 10, not "4.5"' },
        ],
      ],
      ['the same postcode twice, written two ways', 'postcode,imd_decile\nLS1 4AP,3\nls14ap,3\n', [{ path: 'file', message: 'The postcode LS14AP appears more than once in the first 2 rows: each postcode needs one row' }]],
      ['a quote never closed', 'postcode,imd_decile\n"LS1 4AP,3\n', [{ path: 'file', message: 'The file cannot be read as CSV: save it as plain comma-separated text, UTF-8, with one postcode a row' }]],
    ])('%s', async (_case, file, errors) => {
      const held = await before();
      const res = await load(file);
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe('Nothing was loaded: put right the problems listed in errors, then load the file again');
      expect(res.body.errors).toEqual(errors);
      expect(await table()).toHaveLength(held);
    });

    it('lists at most 20 problems of a long bad file', async () => {
      const res = await load(['postcode,imd_decile', ...Array.from({ length: 500 }, () => 'nope,99')].join('\n'));
      expect(res.status).toBe(400);
      expect(res.body.errors).toHaveLength(20);
    });
  });

  it('is for admins only, and takes text/csv only', async () => {
    const file = 'postcode,imd_decile\nLS1 4AP,3\n';
    expect((await load(file, { cookie: nurse.cookie })).status).toBe(403);
    expect((await load(file, { cookie: commissioner.cookie })).status).toBe(403);
    expect((await load(file, { cookie: '' })).status).toBe(401);
    const wrongType = await load(file, { type: 'application/json' });
    expect(wrongType).toMatchObject({ status: 415, body: { detail: 'Send the postcode file as text/csv' } });
  });
});
