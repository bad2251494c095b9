import { HBA1C_RANGE, HBA1C_UNITS, toMmolMol, type Hba1cUnit } from '../../domain/hba1c';
import type { FieldErrors } from './forms';

/** The review form's HbA1c fields: the result as the lab reported it, and its unit. */
export const REVIEW_HBA1C_FIELD = 'hba1cResult';
export const REVIEW_HBA1C_UNIT_FIELD = 'hba1cUnit';

/**
 * The review form takes an HbA1c in mmol/mol or %, as the patient page does. The review event carries whole IFCC
 * mmol/mol only (api.md), so the page converts here, once, with the conversion the patient page's results use;
 * the form says so. Errors are keyed by the form's field, so the error summary links to it.
 */
export function reviewHba1cFromForm(values: Record<string, unknown>): { body: Record<string, unknown>; errors: FieldErrors } {
  const { [REVIEW_HBA1C_FIELD]: raw, [REVIEW_HBA1C_UNIT_FIELD]: rawUnit, ...body } = values;
  if (raw === undefined) return { body, errors: {} };
  const text = String(raw).trim();
  const unit = (HBA1C_UNITS as readonly unknown[]).includes(rawUnit ?? 'mmol/mol') ? ((rawUnit ?? 'mmol/mol') as Hba1cUnit) : null;
  if (!unit) return { body, errors: { [REVIEW_HBA1C_UNIT_FIELD]: 'Choose mmol/mol or %' } };
  if (!/^\d+(\.\d+)?$/.test(text)) return { body, errors: { [REVIEW_HBA1C_FIELD]: 'Enter the HbA1c as a number, for example 58 (mmol/mol) or 7.5 (%)' } };
  const value = Number(text);
  const range = HBA1C_RANGE[unit];
  if (value < range.min || value > range.max) {
    const other = unit === 'mmol/mol' && value < range.min ? '; for a result in %, choose %' : '';
    return { body, errors: { [REVIEW_HBA1C_FIELD]: `HbA1c in ${unit} must be between ${range.min} and ${range.max}${other}` } };
  }
  return { body: { ...body, hba1cMmolMol: toMmolMol({ value, unit }).mmolMol }, errors: {} };
}

/** A schema error on the converted value belongs to the field the person typed in. */
export function onReviewHba1cField(errors: FieldErrors): FieldErrors {
  const { hba1cMmolMol, ...rest } = errors;
  return hba1cMmolMol === undefined ? errors : { [REVIEW_HBA1C_FIELD]: hba1cMmolMol, ...rest };
}
