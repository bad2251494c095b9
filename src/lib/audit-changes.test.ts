import { describe, expect, it } from 'vitest';
import { changesOf } from './audit-changes';

describe('what an audit entry changed, in words', () => {
  it('lists only the fields that changed, named and valued as the pages show them', () => {
    const before = { id: 'x', version: 3, status: 'awaiting_start', therapy: 'hcl', lastEventOn: '2026-01-02' };
    const after = { id: 'x', version: 4, status: 'on_therapy', therapy: 'hcl', lastEventOn: '2026-03-27', event: { type: 'device_started', payload: { startedOn: '2026-03-27', pump: 'Omnipod 5' } } };
    expect(changesOf(before, after)).toEqual([
      { field: 'Status', before: 'Awaiting start', after: 'On therapy' },
      { field: 'Step', before: null, after: 'Device started' },
      { field: 'Step: started on', before: null, after: '27 March 2026' },
      { field: 'Step: pump', before: null, after: 'Omnipod 5' },
    ]);
  });

  it('shows a new record as its filled-in fields, and nothing for an entry without a record', () => {
    expect(changesOf(null, { givenName: 'Leo', nhsNumber: '4857773456', sex: 'male', postcode: null })).toEqual([
      { field: 'Given name', before: null, after: 'Leo' },
      { field: 'NHS number', before: null, after: '4857773456' },
      { field: 'Sex', before: null, after: 'Male' },
    ]);
    expect(changesOf(null, null)).toEqual([]);
    expect(changesOf({ resolvedOn: null }, { resolvedOn: '2026-04-01' })).toEqual([{ field: 'Resolved on', before: null, after: '1 April 2026' }]);
  });
});
