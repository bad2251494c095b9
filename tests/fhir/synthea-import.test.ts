import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { evaluateEligibility, latestHba1cWithin12Months } from '../../src/lib/domain/eligibility';
import { percentToMmolMol, toMmolMol } from '../../src/lib/domain/hba1c';
import { auditLog, observations, patientConditions, patients } from '../../src/lib/server/db/schema';
import type { FhirJson } from '../../src/lib/server/demo/fhir.store';
import { fhirTestKit } from './fhir-test-kit';

/**
 * Every Synthea R4 bundle of the shared test data (read in place: the project never copies it), loaded into
 * the test FHIR server as the transaction bundle it is, then imported by FHIR id. What each import must give
 * is in MANIFEST.json, written independently of this code.
 */
const folder = fileURLToPath(new URL('../../../shared/data/fhir/synthea-r4/', import.meta.url));

interface ManifestBundle {
  file: string;
  group: 'T2DM' | 'prediabetes-only' | 'control-no-diabetes';
  patient: { id: string; name: string; gender: string; birthDate: string };
  hba1c: { count: number; first?: string; last?: string; min: string | null; max: string | null; units: string[] };
}

const manifest: { bundles: ManifestBundle[] } | null = existsSync(`${folder}MANIFEST.json`)
  ? JSON.parse(readFileSync(`${folder}MANIFEST.json`, 'utf8'))
  : null;
const bundles = manifest?.bundles ?? [];

describe.skipIf(bundles.length === 0)('importing the Synthea R4 bundles', async () => {
  const resources = bundles.map((b) => JSON.parse(readFileSync(`${folder}${b.file}`, 'utf8')) as FhirJson);
  const kit = await fhirTestKit({ resources });
  const timings: Record<string, number> = {};

  it('found the shared data where the tests expect it', () => {
    expect(bundles).toHaveLength(14);
  });

  it.each(bundles.map((b) => [b.patient.name, b] as const))('%s', async (_, bundle) => {
    const started = performance.now();
    const result = await kit.service.importPatient(kit.nurse, { siteId: kit.site.id, fhirId: bundle.patient.id });
    timings[bundle.patient.name] = Math.round(performance.now() - started);
    expect(result.created).toBe(true);

    const [row] = await kit.db.select().from(patients).where(eq(patients.id, result.patientId));
    expect(row).toMatchObject({
      nhsNumber: null,
      fhirId: bundle.patient.id,
      fhirServer: kit.server.baseUrl,
      birthDate: bundle.patient.birthDate,
      sex: bundle.patient.gender,
      siteId: kit.site.id,
      diabetesType: bundle.group === 'T2DM' ? 'type2' : 'unknown',
      // Synthea's people live at US addresses and carry no UK Core ethnic category.
      ethnicCategory: null,
      postcode: null,
      version: 1,
    });
    expect(row!.fhirFetchedAt).toBeInstanceOf(Date);
    expect(row!.fhirVersion).toEqual(expect.any(String));

    const results = await kit.db
      .select()
      .from(observations)
      .where(and(eq(observations.patientId, result.patientId), eq(observations.kind, 'hba1c')))
      .orderBy(observations.effectiveAt);
    expect(results).toHaveLength(bundle.hba1c.count);
    if (bundle.hba1c.count > 0) {
      expect(results[0]!.effective.slice(0, 10)).toBe(bundle.hba1c.first);
      expect(results.at(-1)!.effective.slice(0, 10)).toBe(bundle.hba1c.last);
      const originals = results.map((r) => Number(r.originalValue));
      const [min, max] = [Math.min(...originals), Math.max(...originals)];
      expect(min.toFixed(1)).toBe(bundle.hba1c.min);
      expect(max.toFixed(1)).toBe(bundle.hba1c.max);
      for (const r of results) {
        expect(r).toMatchObject({ source: 'fhir', originalUnit: '%', sourceServer: kit.server.baseUrl, fetchedAt: row!.fhirFetchedAt });
        // Converted once from the value as reported (not from the manifest's one-decimal rounding of it).
        expect(r.mmolMol).toBe(toMmolMol({ value: Number(r.originalValue), unit: '%' }).mmolMol);
      }
      const mmol = results.map((r) => r.mmolMol);
      expect(Math.abs(Math.min(...mmol) - percentToMmolMol(Number(bundle.hba1c.min)))).toBeLessThanOrEqual(1);
      expect(Math.abs(Math.max(...mmol) - percentToMmolMol(Number(bundle.hba1c.max)))).toBeLessThanOrEqual(1);
    }

    const conditions = await kit.db.select().from(patientConditions).where(eq(patientConditions.patientId, result.patientId));
    expect(conditions.map((c) => c.kind)).toEqual(bundle.group === 'T2DM' ? ['diabetes_type2'] : []);

    const [audit] = await kit.db.select().from(auditLog).where(and(eq(auditLog.entityId, result.patientId), eq(auditLog.action, 'patient.import')));
    expect(audit).toMatchObject({ actorId: kit.nurse.actor.userId, actorRole: 'nurse', before: null, after: { counts: { hba1c: bundle.hba1c.count } } });

    // The rule engine, given what the import stored: a CSII referral assessed on the day of the latest result.
    if (bundle.hba1c.count > 0) {
      const assessedOn = results.at(-1)!.effective.slice(0, 10);
      const latest = latestHba1cWithin12Months(results, assessedOn);
      const criteria = evaluateEligibility({
        therapy: 'csii',
        birthDate: row!.birthDate,
        assessedOn,
        diabetesType: row!.diabetesType,
        hba1cMmolMol: latest?.mmolMol ?? null,
        disablingHypoglycaemia: true,
        mdiTried: true,
        structuredEducation: true,
      });
      if (bundle.group === 'T2DM') {
        expect(criteria.met).toContain('TA151-1.5');
        expect(criteria.suggestion).toBe('not_eligible');
      } else {
        expect(criteria.met).not.toContain('TA151-1.5');
      }
    }
  });

  it('shows the imported patient with context, newest result first', async () => {
    const louis = bundles.find((b) => b.file.startsWith('Louis_Maggio'))!;
    const { created, patient } = await kit.service.importPatientWithContext(kit.nurse, { siteId: kit.site.id, fhirId: louis.patient.id });
    expect(created).toBe(false);
    expect(patient.context.fhirServer).toBe(kit.server.baseUrl);
    expect(patient.context.hba1c.map((h) => [h.effective.slice(0, 10), h.original.unit, h.source.kind])).toEqual([
      ['2020-10-09', '%', 'fhir'],
      ['2020-01-31', '%', 'fhir'],
    ]);
    console.log('Synthea import times (ms):', JSON.stringify(timings));
  });
});
