import { describe, expect, it } from 'vitest';
import { CASELOAD_COLUMNS } from './caseload';
import { CaseloadReader } from './caseload-file';
import { CASELOAD_GUIDE, caseloadTemplateCsv } from './caseload-guide';
import { planCaseload } from './caseload-import';

describe('the guide to a caseload file', () => {
  it('explains every column once', () => {
    const explained = CASELOAD_GUIDE.flatMap((g) => g.columns);
    expect([...explained].sort()).toEqual(Object.keys(CASELOAD_COLUMNS).sort());
  });

  it('offers a template of every column, with a row of each kind, that passes the check', () => {
    const [header, ...lines] = caseloadTemplateCsv().trimEnd().split('\r\n');
    expect(header!.split(',')).toEqual(Object.keys(CASELOAD_COLUMNS));
    const reader = new CaseloadReader('2026-03-31');
    for (const line of [header!, ...lines]) reader.read(line.split(','));
    const { rows, errors } = reader.finish();
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.record)).toEqual(['on_therapy', 'on_therapy', 'waiting']);
    const devices = [
      { kind: 'pump', name: 'Insulet Omnipod 5' },
      { kind: 'pump', name: 'Tandem t:slim X2' },
      { kind: 'cgm', name: 'Dexcom G6' },
      { kind: 'algorithm', name: 'SmartAdjust' },
    ] as const;
    const plan = planCaseload(rows, { siteId: 's', today: '2026-03-31', registered: [], records: [], devices, earliestStartYear: 1970 });
    expect(plan.errors).toEqual([]);
  });
});
