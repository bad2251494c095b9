import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateEligibility, latestHba1cWithin12Months } from './eligibility';
import { toMmolMol } from './hba1c';

/**
 * The Synthea bundles are adults with type 2 diabetes and HbA1c in % (docs/eligibility.md, "Codes"); converted to mmol/mol and run
 * through the rule engine, a CSII referral is suggested not eligible under TA151-1.5. The bundles are read in
 * place (never copied into the project); the FHIR parsing here is the bare minimum the check needs.
 */
const folder = fileURLToPath(new URL('../../../../shared/data/fhir/synthea-r4/', import.meta.url));

interface Resource {
  resourceType: string;
  birthDate?: string;
  code?: { coding?: { system?: string; code?: string }[] };
  effectiveDateTime?: string;
  valueQuantity?: { value?: number; unit?: string };
}

function resources(file: string): Resource[] {
  const bundle = JSON.parse(readFileSync(`${folder}${file}`, 'utf8')) as { entry?: { resource: Resource }[] };
  return (bundle.entry ?? []).map((entry) => entry.resource);
}

const hasCode = (resource: Resource, code: string) => resource.code?.coding?.some((c) => c.code === code) ?? false;

const bundles = existsSync(folder)
  ? readdirSync(folder).filter((file) => file.endsWith('.json') && file !== 'MANIFEST.json')
  : [];
const type2Bundles = bundles.filter((file) =>
  resources(file).some((r) => r.resourceType === 'Condition' && hasCode(r, '44054006')),
);

describe.skipIf(type2Bundles.length === 0)('Synthea adults with type 2 diabetes, referred for CSII', () => {
  it.each(type2Bundles)('%s is suggested not eligible under TA151-1.5', (file) => {
    const all = resources(file);
    const patient = all.find((r) => r.resourceType === 'Patient');
    const hba1c = all
      .filter((r) => r.resourceType === 'Observation' && hasCode(r, '4548-4') && r.valueQuantity?.value !== undefined)
      .map((r) => ({
        effective: r.effectiveDateTime ?? '',
        ...toMmolMol({ value: r.valueQuantity?.value ?? Number.NaN, unit: '%' }),
      }));
    expect(patient?.birthDate).toBeDefined();
    expect(hba1c.length).toBeGreaterThan(0);
    for (const result of hba1c) expect(Number.isInteger(result.mmolMol)).toBe(true);

    // Assess on the day of the latest result, so that result is the one in the 12-month window.
    const assessedOn = hba1c.map((r) => r.effective.slice(0, 10)).sort().at(-1) ?? '';
    const latest = latestHba1cWithin12Months(hba1c, assessedOn);
    expect(latest?.original.unit).toBe('%');

    const result = evaluateEligibility({
      therapy: 'csii',
      birthDate: patient?.birthDate ?? '',
      assessedOn,
      diabetesType: 'type2',
      hba1cMmolMol: latest?.mmolMol ?? null,
      disablingHypoglycaemia: true,
      mdiTried: true,
      structuredEducation: true,
    });
    expect(result.met).toContain('TA151-1.5');
    expect(result.suggestion).toBe('not_eligible');
  });
});
