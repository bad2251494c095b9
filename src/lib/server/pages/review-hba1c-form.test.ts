import { describe, expect, it } from 'vitest';
import { onReviewHba1cField, reviewHba1cFromForm } from './review-hba1c-form';

describe("the review form's HbA1c", () => {
  const base = { type: 'review', version: 3, reviewedOn: '2026-06-01', decision: 'continue' };

  it('takes a result in %, converted once to whole IFCC mmol/mol as the patient page converts it', () => {
    expect(reviewHba1cFromForm({ ...base, hba1cResult: '8.7', hba1cUnit: '%' })).toEqual({ body: { ...base, hba1cMmolMol: 72 }, errors: {} });
    expect(reviewHba1cFromForm({ ...base, hba1cResult: '5.85', hba1cUnit: '%' }).body.hba1cMmolMol).toBe(40);
  });

  it('takes mmol/mol, a decimal rounded to the whole number', () => {
    expect(reviewHba1cFromForm({ ...base, hba1cResult: '58', hba1cUnit: 'mmol/mol' }).body.hba1cMmolMol).toBe(58);
    expect(reviewHba1cFromForm({ ...base, hba1cResult: '58.5', hba1cUnit: 'mmol/mol' }).body.hba1cMmolMol).toBe(59);
  });

  it('leaves the HbA1c out when none is given', () => {
    expect(reviewHba1cFromForm({ ...base, hba1cUnit: 'mmol/mol' })).toEqual({ body: base, errors: {} });
  });

  it('refuses what is not a plausible result, in words about the field typed in', () => {
    expect(reviewHba1cFromForm({ ...base, hba1cResult: '8.7', hba1cUnit: 'mmol/mol' }).errors).toEqual({
      hba1cResult: 'HbA1c in mmol/mol must be between 20 and 200; for a result in %, choose %',
    });
    expect(reviewHba1cFromForm({ ...base, hba1cResult: '69', hba1cUnit: '%' }).errors).toEqual({ hba1cResult: 'HbA1c in % must be between 3 and 20' });
    expect(reviewHba1cFromForm({ ...base, hba1cResult: 'high', hba1cUnit: '%' }).errors.hba1cResult).toMatch(/^Enter the HbA1c as a number/);
    expect(reviewHba1cFromForm({ ...base, hba1cResult: '58', hba1cUnit: 'mg' }).errors).toEqual({ hba1cUnit: 'Choose mmol/mol or %' });
    expect(onReviewHba1cField({ hba1cMmolMol: 'HbA1c must be at least 20 mmol/mol', decision: 'x' })).toEqual({ hba1cResult: 'HbA1c must be at least 20 mmol/mol', decision: 'x' });
  });
});
