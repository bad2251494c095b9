import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFacilitationBody } from '../../schemas/implementation.schema';
import { createPatientBody } from '../../schemas/patients.schema';
import { eventBody } from '../../schemas/referrals.schema';
import { parseForm } from './forms';

const errorsOf = (result: ReturnType<typeof parseForm>) => (result.ok ? {} : result.failure.data.errors);

describe("a form's errors in the words and formats its page shows", () => {
  it('names the field as the page labels it, never the codes or YYYY-MM-DD the API takes', () => {
    const errors = errorsOf(parseForm(createFacilitationBody, { on: '27/03/2026', mode: 'hands-on' }, { on: 'the date of the activity', mode: 'the mode', kind: 'the activity' }));
    expect(errors).toEqual({
      on: 'The date of the activity must be a real date, for example 27/03/2026',
      mode: 'Select the mode',
      kind: 'Select the activity',
    });
  });

  it('asks for a missing date or choice, and a chosen site, by its label', () => {
    const labels = { birthDate: 'the date of birth', sex: 'the sex', givenName: 'the given name', siteId: { select: 'the site' } };
    const errors = errorsOf(parseForm(createPatientBody, { nhsNumber: '9434765919', familyName: 'Harris', diabetesType: 'type1' }, labels));
    expect(errors).toEqual({ givenName: 'Enter the given name', birthDate: 'Enter the date of birth', sex: 'Select the sex', siteId: 'Select the site' });
    expect(errorsOf(parseForm(createPatientBody, { birthDate: '2001-02-29' }, labels)).birthDate).toBe('The date of birth must be a real date, for example 27/03/2026');
  });

  it("without the page's labels still says dates and choices in the page's terms", () => {
    const errors = errorsOf(parseForm(eventBody, { type: 'funding_decision', version: 1, decidedOn: '2026-13-01', outcome: 'yes' }));
    expect(errors.decidedOn).toBe('Enter a real date, for example 27/03/2026');
    expect(errors.outcome).toBe('Select the outcome');
    expect(Object.values(errors).join(' ')).not.toMatch(/YYYY|more_info/);
  });

  it("keeps a message already in the user's words", () => {
    const schema = z.object({ bin: z.enum(['month', 'quarter'], 'Choose months or quarters'), n: z.int('Population must be a whole number') });
    expect(errorsOf(parseForm(schema, { bin: 'week', n: 1.5 }))).toEqual({ bin: 'Choose months or quarters', n: 'Population must be a whole number' });
  });
});
