import { describe, expect, it } from 'vitest';
import {
  assumedAnswers,
  evaluateEligibility,
  provisionalEligibility,
  ruleOutcomes,
  ruleSentence,
  hba1cForAssessment,
  latestHba1cWithin12Months,
  type EligibilityInput,
  type RuleId,
} from './eligibility';

/** An adult with type 1 diabetes on MDI, aged 35 at assessment, meeting nothing yet. */
const adult: EligibilityInput = {
  therapy: 'csii',
  birthDate: '1990-06-15',
  assessedOn: '2025-06-15',
  diabetesType: 'type1',
  hba1cMmolMol: 60,
  disablingHypoglycaemia: false,
  mdiTried: true,
  structuredEducation: true,
};

const csii = (changes: Partial<EligibilityInput>): EligibilityInput => ({ ...adult, therapy: 'csii', ...changes });
const hcl = (changes: Partial<EligibilityInput>): EligibilityInput => ({ ...adult, therapy: 'hcl', ...changes });

type Row = [string, EligibilityInput, RuleId[], 'eligible' | 'not_eligible'];

function table(rows: Row[]) {
  it.each(rows)('%s', (_, input, met, suggestion) => {
    const result = evaluateEligibility(input);
    expect(result.met).toEqual(met);
    expect(result.suggestion).toBe(suggestion);
  });
}

describe('CSII, NICE TA151', () => {
  describe('TA151-1.1b: HbA1c at or above 69 mmol/mol on MDI, aged 12 or over', () => {
    table([
      ['HbA1c 69 mmol/mol on MDI meets it', csii({ hba1cMmolMol: 69 }), ['TA151-1.1b'], 'eligible'],
      ['HbA1c 68 mmol/mol does not', csii({ hba1cMmolMol: 68 }), [], 'not_eligible'],
      ['HbA1c 120 mmol/mol meets it', csii({ hba1cMmolMol: 120 }), ['TA151-1.1b'], 'eligible'],
      ['a high HbA1c without MDI tried does not', csii({ hba1cMmolMol: 80, mdiTried: false }), [], 'not_eligible'],
      ['no HbA1c within 12 months does not', csii({ hba1cMmolMol: null }), [], 'not_eligible'],
    ]);
  });

  describe('TA151-1.1a: disabling hypoglycaemia on MDI, aged 12 or over', () => {
    table([
      ['disabling hypoglycaemia on MDI meets it', csii({ disablingHypoglycaemia: true }), ['TA151-1.1a'], 'eligible'],
      [
        'disabling hypoglycaemia without MDI tried does not',
        csii({ disablingHypoglycaemia: true, mdiTried: false }),
        [],
        'not_eligible',
      ],
      [
        'disabling hypoglycaemia and HbA1c 69 meet both',
        csii({ disablingHypoglycaemia: true, hba1cMmolMol: 69 }),
        ['TA151-1.1a', 'TA151-1.1b'],
        'eligible',
      ],
      [
        'disabling hypoglycaemia meets it whatever the HbA1c, even none',
        csii({ disablingHypoglycaemia: true, hba1cMmolMol: null }),
        ['TA151-1.1a'],
        'eligible',
      ],
    ]);
  });

  describe('the 12th birthday', () => {
    const child = { birthDate: '2013-06-15', hba1cMmolMol: 75, disablingHypoglycaemia: true, mdiImpractical: true };
    table([
      [
        'the day before the 12th birthday, only TA151-1.2 (MDI impractical) applies',
        csii({ ...child, assessedOn: '2025-06-14' }),
        ['TA151-1.2'],
        'eligible',
      ],
      [
        'on the 12th birthday, TA151-1.1a and 1.1b apply and TA151-1.2 no longer does',
        csii({ ...child, assessedOn: '2025-06-15' }),
        ['TA151-1.1a', 'TA151-1.1b'],
        'eligible',
      ],
      [
        'on the 12th birthday without MDI tried, nothing applies',
        csii({ ...child, assessedOn: '2025-06-15', mdiTried: false }),
        [],
        'not_eligible',
      ],
      [
        'born 29 February, on 28 February of the leap year of the 12th birthday: still 11',
        csii({ ...child, birthDate: '2012-02-29', assessedOn: '2024-02-28' }),
        ['TA151-1.2'],
        'eligible',
      ],
      [
        'born 29 February, on 29 February of that leap year: 12',
        csii({ ...child, birthDate: '2012-02-29', assessedOn: '2024-02-29' }),
        ['TA151-1.1a', 'TA151-1.1b'],
        'eligible',
      ],
    ]);
  });

  describe('TA151-1.2: under 12 with MDI impractical or inappropriate', () => {
    const under12 = { birthDate: '2020-01-01', assessedOn: '2025-06-15', mdiTried: false };
    table([
      ['MDI impractical meets it', csii({ ...under12, mdiImpractical: true }), ['TA151-1.2'], 'eligible'],
      ['MDI not judged impractical does not', csii({ ...under12, mdiImpractical: false }), [], 'not_eligible'],
      ['MDI impractical not answered does not', csii({ ...under12 }), [], 'not_eligible'],
      [
        'a high HbA1c and hypoglycaemia under 12 do not meet the 12-and-over rules',
        csii({ ...under12, mdiTried: true, hba1cMmolMol: 90, disablingHypoglycaemia: true }),
        [],
        'not_eligible',
      ],
      ['MDI impractical at 12 or over does not', csii({ mdiImpractical: true }), [], 'not_eligible'],
    ]);
  });

  describe('TA151-1.5: type 2 diabetes excludes CSII', () => {
    table([
      [
        'type 2 with HbA1c 72 on MDI: listed beside TA151-1.1b, suggested not eligible',
        csii({ diabetesType: 'type2', hba1cMmolMol: 72 }),
        ['TA151-1.1b', 'TA151-1.5'],
        'not_eligible',
      ],
      [
        'type 2 with every other criterion met is still not eligible',
        csii({ diabetesType: 'type2', hba1cMmolMol: 72, disablingHypoglycaemia: true }),
        ['TA151-1.1a', 'TA151-1.1b', 'TA151-1.5'],
        'not_eligible',
      ],
      ['type 2 alone', csii({ diabetesType: 'type2' }), ['TA151-1.5'], 'not_eligible'],
      [
        'another diabetes type is judged on the other rules (TA151 as docs/eligibility.md states it names no type)',
        csii({ diabetesType: 'other', hba1cMmolMol: 72 }),
        ['TA151-1.1b'],
        'eligible',
      ],
      [
        'an unrecorded diabetes type is judged on the other rules',
        csii({ diabetesType: 'unknown', hba1cMmolMol: 72 }),
        ['TA151-1.1b'],
        'eligible',
      ],
    ]);
  });

  it('ignores the TA943 criteria entirely', () => {
    const result = evaluateEligibility(
      csii({ hba1cMmolMol: 60, currentTechnology: ['csii'], pregnancy: true, birthDate: '2010-01-01' }),
    );
    expect(result.met.every((id) => id.startsWith('TA151-'))).toBe(true);
    expect(result.suggestion).toBe('not_eligible');
  });
});

describe('HCL, NICE TA943', () => {
  describe('TA943-1.1: adults with type 1, HbA1c at or above 58 mmol/mol or disabling hypoglycaemia, despite CSII or CGM', () => {
    table([
      [
        'HbA1c 58 despite CSII meets it',
        hcl({ hba1cMmolMol: 58, currentTechnology: ['csii'] }),
        ['TA943-1.1', 'TA943-1.5'],
        'eligible',
      ],
      [
        'HbA1c 57 despite CSII does not',
        hcl({ hba1cMmolMol: 57, currentTechnology: ['csii'] }),
        ['TA943-1.5'],
        'not_eligible',
      ],
      [
        'disabling hypoglycaemia despite intermittently scanned CGM meets it',
        hcl({ hba1cMmolMol: 50, disablingHypoglycaemia: true, currentTechnology: ['iscgm'] }),
        ['TA943-1.1', 'TA943-1.5'],
        'eligible',
      ],
      [
        'HbA1c 70 despite real-time CGM meets it',
        hcl({ hba1cMmolMol: 70, currentTechnology: ['rtcgm'] }),
        ['TA943-1.1', 'TA943-1.5'],
        'eligible',
      ],
      [
        'HbA1c 70 on none of CSII, real-time or scanned CGM does not',
        hcl({ hba1cMmolMol: 70, currentTechnology: [] }),
        ['TA943-1.5'],
        'not_eligible',
      ],
      ['current technology not recorded does not', hcl({ hba1cMmolMol: 70 }), ['TA943-1.5'], 'not_eligible'],
      [
        'no HbA1c and no disabling hypoglycaemia does not',
        hcl({ hba1cMmolMol: null, currentTechnology: ['csii'] }),
        ['TA943-1.5'],
        'not_eligible',
      ],
      [
        'type 2 with HbA1c 70 despite CSII does not',
        hcl({ diabetesType: 'type2', hba1cMmolMol: 70, currentTechnology: ['csii'] }),
        ['TA943-1.5'],
        'not_eligible',
      ],
    ]);
  });

  describe('TA943-1.2: under 18 with type 1, and the 18th birthday', () => {
    const teenager = { birthDate: '2007-06-15', hba1cMmolMol: 52 };
    table([
      [
        'the day before the 18th birthday, all children and young people with type 1 qualify',
        hcl({ ...teenager, assessedOn: '2025-06-14' }),
        ['TA943-1.2', 'TA943-1.5'],
        'eligible',
      ],
      [
        'on the 18th birthday, the adult rule applies instead',
        hcl({ ...teenager, assessedOn: '2025-06-15' }),
        ['TA943-1.5'],
        'not_eligible',
      ],
      [
        'on the 18th birthday, an adult with HbA1c 58 despite CSII qualifies under TA943-1.1',
        hcl({ ...teenager, assessedOn: '2025-06-15', hba1cMmolMol: 58, currentTechnology: ['csii'] }),
        ['TA943-1.1', 'TA943-1.5'],
        'eligible',
      ],
      [
        'the day before the 18th birthday, the adult rule does not apply even with HbA1c 70 despite CSII',
        hcl({ ...teenager, assessedOn: '2025-06-14', hba1cMmolMol: 70, currentTechnology: ['csii'] }),
        ['TA943-1.2', 'TA943-1.5'],
        'eligible',
      ],
      [
        'born 29 February, on 28 February of a common year: still 17',
        hcl({ ...teenager, birthDate: '2008-02-29', assessedOn: '2026-02-28' }),
        ['TA943-1.2', 'TA943-1.5'],
        'eligible',
      ],
      [
        'born 29 February, on 1 March of a common year: 18',
        hcl({ ...teenager, birthDate: '2008-02-29', assessedOn: '2026-03-01' }),
        ['TA943-1.5'],
        'not_eligible',
      ],
      [
        'a child with type 2 diabetes does not qualify',
        hcl({ ...teenager, assessedOn: '2025-06-14', diabetesType: 'type2' }),
        ['TA943-1.5'],
        'not_eligible',
      ],
      [
        'a child whose diabetes type is not recorded does not qualify',
        hcl({ ...teenager, assessedOn: '2025-06-14', diabetesType: 'unknown' }),
        ['TA943-1.5'],
        'not_eligible',
      ],
    ]);
  });

  describe('TA943-1.3: pregnant or planning pregnancy, with type 1', () => {
    table([
      [
        'pregnancy qualifies without CSII or CGM and with HbA1c below 58',
        hcl({ pregnancy: true, hba1cMmolMol: 48 }),
        ['TA943-1.3', 'TA943-1.5'],
        'eligible',
      ],
      [
        'pregnancy with type 2 diabetes does not',
        hcl({ pregnancy: true, diabetesType: 'type2' }),
        ['TA943-1.5'],
        'not_eligible',
      ],
      [
        'a pregnant 16-year-old meets both 1.2 and 1.3',
        hcl({ pregnancy: true, birthDate: '2009-01-01' }),
        ['TA943-1.2', 'TA943-1.3', 'TA943-1.5'],
        'eligible',
      ],
    ]);
  });

  describe('TA943-1.5: able to use the system, with structured education had or offered', () => {
    table([
      ['a child without structured education is not suggested', hcl({ birthDate: '2015-01-01', structuredEducation: false }), ['TA943-1.2'], 'not_eligible'],
      [
        'an adult meeting TA943-1.1 without structured education is not suggested',
        hcl({ hba1cMmolMol: 70, currentTechnology: ['csii'], structuredEducation: false }),
        ['TA943-1.1'],
        'not_eligible',
      ],
      [
        'pregnancy without structured education is not suggested',
        hcl({ pregnancy: true, structuredEducation: false }),
        ['TA943-1.3'],
        'not_eligible',
      ],
      ['structured education alone is not enough', hcl({}), ['TA943-1.5'], 'not_eligible'],
    ]);
  });

  it('ignores the TA151 criteria entirely, including the type 2 exclusion id', () => {
    const result = evaluateEligibility(hcl({ diabetesType: 'type2', hba1cMmolMol: 90, disablingHypoglycaemia: true }));
    expect(result.met.some((id) => id.startsWith('TA151-'))).toBe(false);
  });
});

describe('the explanation a consultant reads', () => {
  it('gives the age, one sentence per rule, and ends with the suggestion (CSII)', () => {
    const { explanation } = evaluateEligibility(csii({ birthDate: '1991-01-10', hba1cMmolMol: 72 }));
    expect(explanation).toBe(
      [
        'Aged 34 at assessment.',
        'No disabling hypoglycaemia reported: TA151-1.1a not met.',
        'HbA1c 72 mmol/mol is at or above 69 mmol/mol on MDI: TA151-1.1b met.',
        'Aged 12 or over: TA151-1.2 does not apply (it is for children under 12).',
        'Type 1 diabetes: TA151-1.5 does not apply (it excludes type 2 diabetes only).',
        'Suggestion: eligible for CSII under NICE TA151.',
      ].join(' '),
    );
  });

  it('names the exclusion for type 2 diabetes', () => {
    const { explanation } = evaluateEligibility(csii({ diabetesType: 'type2', hba1cMmolMol: 72 }));
    expect(explanation).toContain('Type 2 diabetes, for which CSII is not recommended: TA151-1.5 met.');
    expect(explanation).toMatch(
      /Suggestion: not eligible for CSII under NICE TA151; eligibility needs diabetes other than type 2 \(TA151-1\.5 excludes type 2\)\.$/,
    );
  });

  it('says when there is no HbA1c to judge', () => {
    expect(evaluateEligibility(csii({ hba1cMmolMol: null })).explanation).toContain(
      'No HbA1c in the 12 months before assessment: TA151-1.1b not met.',
    );
  });

  it('gives the age, one sentence per rule, and ends with the suggestion (HCL)', () => {
    const { explanation } = evaluateEligibility(
      hcl({ hba1cMmolMol: 61, disablingHypoglycaemia: true, currentTechnology: ['csii', 'rtcgm'] }),
    );
    expect(explanation).toBe(
      [
        'Aged 35 at assessment.',
        'HbA1c 61 mmol/mol is at or above 58 mmol/mol and disabling hypoglycaemia, despite CSII and real-time CGM: TA943-1.1 met.',
        'Aged 18 or over: TA943-1.2 does not apply (it is for children and young people under 18).',
        'Not pregnant or planning pregnancy: TA943-1.3 does not apply (it is for pregnancy or planned pregnancy).',
        'Able to use the system, with structured education had or offered: TA943-1.5 met.',
        'Suggestion: eligible for HCL under NICE TA943.',
      ].join(' '),
    );
  });

  it('says why an adult on MDI alone does not meet TA943-1.1', () => {
    expect(evaluateEligibility(hcl({ hba1cMmolMol: 64 })).explanation).toContain(
      'HbA1c 64 mmol/mol is at or above 58 mmol/mol, but not yet using CSII, real-time CGM or intermittently scanned CGM: TA943-1.1 not met.',
    );
  });

  it('has one sentence for the age, one per rule considered and one for the suggestion', () => {
    for (const input of [csii({}), hcl({})]) {
      const sentences = evaluateEligibility(input).explanation.split(/(?<=\.) /);
      expect(sentences).toHaveLength(6);
    }
  });
});

describe('met, not met, or does not apply: each rule in words', () => {
  const standings = (input: EligibilityInput) => Object.fromEntries(ruleOutcomes(input).map((rule) => [rule.id, rule.standing]));

  it('says the under-12 rule and the type 2 exclusion do not apply to a 63-year-old with type 1', () => {
    const input = csii({ birthDate: '1962-03-01', hba1cMmolMol: 75 });
    expect(standings(input)).toEqual({ 'TA151-1.1a': 'not_met', 'TA151-1.1b': 'met', 'TA151-1.2': 'not_applicable', 'TA151-1.5': 'not_applicable' });
    const { explanation } = evaluateEligibility(input);
    expect(explanation).not.toContain('TA151-1.2 not met');
    expect(explanation).not.toContain('TA151-1.5 not met');
  });

  it('says the rules for 12 and over do not apply to a child under 12', () => {
    const input = csii({ birthDate: '2016-01-01', mdiImpractical: true });
    expect(standings(input)).toEqual({ 'TA151-1.1a': 'not_applicable', 'TA151-1.1b': 'not_applicable', 'TA151-1.2': 'met', 'TA151-1.5': 'not_applicable' });
  });

  it('keeps the type 2 exclusion as not met, not inapplicable, when the type is not recorded', () => {
    expect(standings(csii({ diabetesType: 'unknown' }))['TA151-1.5']).toBe('not_met');
  });

  it('says the adult rule does not apply to a child, nor the children\'s rule to an adult (TA943)', () => {
    expect(standings(hcl({ birthDate: '2012-01-01' }))).toMatchObject({ 'TA943-1.1': 'not_applicable', 'TA943-1.2': 'met' });
    expect(standings(hcl({}))).toMatchObject({ 'TA943-1.1': 'not_met', 'TA943-1.2': 'not_applicable', 'TA943-1.3': 'not_applicable' });
  });

  it('writes a rule that does not apply with who it is for', () => {
    const [, , under12] = ruleOutcomes(csii({}));
    expect(ruleSentence(under12!)).toBe('Aged 12 or over: TA151-1.2 does not apply (it is for children under 12).');
  });
});

describe('what eligibility still needs', () => {
  it('is nothing when the suggestion is eligible', () => {
    expect(evaluateEligibility(csii({ hba1cMmolMol: 72 })).missing).toEqual([]);
  });

  it('names structured education for a closed-loop adult who meets TA943-1.1 without it', () => {
    const result = evaluateEligibility(hcl({ hba1cMmolMol: 70, currentTechnology: ['csii'], structuredEducation: false }));
    expect(result).toMatchObject({ met: ['TA943-1.1'], suggestion: 'not_eligible', missing: ['structured education had or offered (TA943-1.5)'] });
    expect(result.explanation).toMatch(/; eligibility needs structured education had or offered \(TA943-1\.5\)\.$/);
  });

  it('names HbA1c or hypoglycaemia, and MDI, for an adult meeting no pump rule', () => {
    expect(evaluateEligibility(csii({ hba1cMmolMol: 60, mdiTried: false })).missing).toEqual([
      'disabling hypoglycaemia (TA151-1.1a) or an HbA1c at or above 69 mmol/mol (TA151-1.1b)',
      'multiple daily injections tried (TA151-1.1a, TA151-1.1b)',
    ]);
  });

  it('names MDI judged impractical for a child under 12 on a pump referral', () => {
    expect(evaluateEligibility(csii({ birthDate: '2016-01-01' })).missing).toEqual([
      'multiple daily injections judged impractical or inappropriate (TA151-1.2)',
    ]);
  });

  it('names type 1 diabetes for a closed-loop referral of someone with type 2', () => {
    expect(evaluateEligibility(hcl({ diabetesType: 'type2' })).missing).toEqual(['type 1 diabetes (TA943)']);
  });

  it('does not need MDI answered for a closed-loop referral', () => {
    const { mdiTried: _unanswered, ...withoutMdi } = hcl({ hba1cMmolMol: 70, currentTechnology: ['iscgm'] });
    expect(evaluateEligibility(withoutMdi)).toMatchObject({ met: ['TA943-1.1', 'TA943-1.5'], suggestion: 'eligible', missing: [] });
  });
});

describe("the queue's provisional view and the assessment form read the rules alike", () => {
  const facts = { therapy: 'hcl' as const, birthDate: '1990-06-15', assessedOn: '2025-06-15', diabetesType: 'type1' as const, hba1cMmolMol: 70 };

  it('assumes MDI tried, structured education offered and no disabling hypoglycaemia until answered', () => {
    expect(assumedAnswers(null)).toEqual({ disablingHypoglycaemia: false, mdiTried: true, structuredEducation: true, pregnancy: false, currentTechnology: [] });
  });

  it('takes pregnancy and a pump in use from the priority group', () => {
    expect(provisionalEligibility({ ...facts, priorityGroup: 'existing_pump_user' }).met).toEqual(['TA943-1.1', 'TA943-1.5']);
    expect(provisionalEligibility({ ...facts, hba1cMmolMol: 50, priorityGroup: 'pregnancy' }).met).toEqual(['TA943-1.3', 'TA943-1.5']);
  });

  it('lets an answer given override the assumption, and ignores one left unanswered', () => {
    const base = { ...facts, priorityGroup: 'existing_pump_user' as const };
    expect(provisionalEligibility(base, { structuredEducation: false }).suggestion).toBe('not_eligible');
    expect(provisionalEligibility(base, { structuredEducation: undefined })).toEqual(provisionalEligibility(base));
  });
});

describe('which HbA1c the rules use', () => {
  const results = [
    { effective: '2024-01-10', mmolMol: 80 },
    { effective: '2024-09-01T10:15:00Z', mmolMol: 71 },
    { effective: '2025-03-02', mmolMol: 66 },
    { effective: '2025-07-01', mmolMol: 90 },
  ];

  it('takes the latest result in the 12 months up to the assessment, ignoring later ones', () => {
    expect(latestHba1cWithin12Months(results, '2025-06-15')?.mmolMol).toBe(66);
  });

  it('counts a result taken on the assessment date', () => {
    expect(latestHba1cWithin12Months(results, '2025-07-01')?.mmolMol).toBe(90);
  });

  it('counts a result from exactly 12 months before, and not the day before that', () => {
    const one = [{ effective: '2024-06-15', mmolMol: 70 }];
    expect(latestHba1cWithin12Months(one, '2025-06-15')?.mmolMol).toBe(70);
    expect(latestHba1cWithin12Months(one, '2025-06-16')).toBeNull();
  });

  it('opens the window on 1 March for an assessment on 29 February', () => {
    const around = [{ effective: '2023-02-28', mmolMol: 70 }];
    expect(latestHba1cWithin12Months(around, '2024-02-29')).toBeNull();
    expect(latestHba1cWithin12Months([{ effective: '2023-03-01', mmolMol: 71 }], '2024-02-29')?.mmolMol).toBe(71);
  });

  it('reads a date-time on the day the source recorded it, not shifted to UTC', () => {
    const lateEvening = [{ effective: '2025-06-15T23:30:00+01:00', mmolMol: 75 }];
    expect(latestHba1cWithin12Months(lateEvening, '2025-06-15')?.mmolMol).toBe(75);
    const earlyMorning = [{ effective: '2025-06-16T00:30:00+01:00', mmolMol: 75 }];
    expect(latestHba1cWithin12Months(earlyMorning, '2025-06-15')).toBeNull();
  });

  it('prefers the later of two results taken on the same day', () => {
    const sameDay = [
      { effective: '2025-06-01T16:00:00Z', mmolMol: 72 },
      { effective: '2025-06-01T09:00:00Z', mmolMol: 68 },
    ];
    expect(latestHba1cWithin12Months(sameDay, '2025-06-15')?.mmolMol).toBe(72);
    expect(latestHba1cWithin12Months([...sameDay].reverse(), '2025-06-15')?.mmolMol).toBe(72);
  });

  it('skips results with unreadable dates', () => {
    const odd = [
      { effective: 'yesterday', mmolMol: 99 },
      { effective: '2025-02-30', mmolMol: 98 },
      { effective: '2025-05-01', mmolMol: 61 },
    ];
    expect(latestHba1cWithin12Months(odd, '2025-06-15')?.mmolMol).toBe(61);
  });

  it('has nothing when there are no results in the window', () => {
    expect(latestHba1cWithin12Months([], '2025-06-15')).toBeNull();
    expect(latestHba1cWithin12Months([{ effective: '2023-01-01', mmolMol: 70 }], '2025-06-15')).toBeNull();
  });

  it('hands back the whole result, with its original value and source', () => {
    const withOriginal = [{ effective: '2025-05-01', mmolMol: 69, original: { value: 8.5, unit: '%' }, source: 'fhir' }];
    expect(latestHba1cWithin12Months(withOriginal, '2025-06-15')).toBe(withOriginal[0]);
  });

  it("uses the assessor's value first, else the latest within 12 months, else none", () => {
    expect(hba1cForAssessment(58, results, '2025-06-15')).toBe(58);
    expect(hba1cForAssessment(undefined, results, '2025-06-15')).toBe(66);
    expect(hba1cForAssessment(null, results, '2025-06-15')).toBe(66);
    expect(hba1cForAssessment(null, results, '2027-01-01')).toBeNull();
  });
});
