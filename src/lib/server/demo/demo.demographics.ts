import { imdQuintileOf } from '../../domain/equity';
import type { EthnicCategory } from '../../domain/vocabulary';
import type { Prng } from './prng';

/**
 * Who lives where in the demo, and who is reached. Made-up but well-formed postcodes for each demo site's area, each
 * with an Index of Multiple Deprivation decile, for the demo's postcode-to-deprivation table; and draws of a
 * person's ethnic category and home postcode, for the FHIR register (everyone with type 1 diabetes) and for the
 * people the service reached (referred, or on therapy already). The people reached are drawn less often from the
 * most deprived areas and from Black and Asian groups, as the national audit finds for closed loop, so the demo's
 * "Who is reached" section shows a gradient that a real service would want to see and close.
 */

/** Each demo site's postcode area: district 1 is its most deprived fifth, district 5 its least. */
const AREA_OF_SITE: Readonly<Record<string, string>> = { RDM01: 'RV', RDM02: 'HC', RDM03: 'MS', RDM04: 'VY' };
/** Another site (a generated region's) gets an area from its code: Q and one letter, shared by every 26th. */
export const areaOf = (odsCode: string): string =>
  AREA_OF_SITE[odsCode] ?? `Q${String.fromCharCode(65 + ([...odsCode].reduce((n, c) => n * 31 + c.charCodeAt(0), 7) >>> 0) % 26)}`;
const DISTRICTS = [1, 2, 3, 4, 5] as const;
const SECTORS = 10;
const UNITS = ['AA', 'AB', 'AD', 'AE', 'AF', 'AG', 'AH', 'AJ', 'AL', 'AN'];

/** How the type 1 population of each site spreads over its districts (most deprived first). */
const DISTRICT_SHARE: Readonly<Record<string, readonly number[]>> = {
  RDM01: [0.3, 0.25, 0.2, 0.15, 0.1],
  RDM02: [0.2, 0.2, 0.2, 0.2, 0.2],
  RDM03: [0.25, 0.25, 0.2, 0.15, 0.15],
  RDM04: [0.1, 0.15, 0.2, 0.25, 0.3],
};
const EVEN_SHARE = [0.2, 0.2, 0.2, 0.2, 0.2];
/** How much more or less often people of each fifth are reached than their share alone would give. */
const REACH_BY_FIFTH = [0.55, 0.8, 1, 1.1, 1.2];

/** An English mix of ethnic categories (Census 2021, roughly); `none` is a record without one. */
const ETHNIC_SHARE: Readonly<Record<EthnicCategory | 'none', number>> = {
  A: 0.72, B: 0.01, C: 0.05, D: 0.005, E: 0.005, F: 0.005, G: 0.01, H: 0.03, J: 0.03, K: 0.01, L: 0.015, M: 0.015, N: 0.02, P: 0.005, R: 0.005, S: 0.015, Z: 0.02, none: 0.03,
};
const REACH_BY_LETTER: Partial<Record<EthnicCategory, number>> = { H: 0.85, J: 0.85, K: 0.85, L: 0.85, M: 0.7, N: 0.7, P: 0.7 };

/** The decile of a demo postcode's district and sector: district d holds deciles 2d-1 and 2d, so it is fifth d. */
const decileOf = (district: number, sector: number) => 2 * district - 1 + (sector % 2);

/** Every postcode of the sites' areas (the demo sites' by default) with its decile, as the national file would list them. */
export function demoPostcodeFile(odsCodes: readonly string[] = Object.keys(AREA_OF_SITE)): string {
  const lines = ['postcode,imd_decile'];
  for (const area of new Set(odsCodes.map(areaOf))) {
    for (const district of DISTRICTS) {
      for (let sector = 0; sector < SECTORS; sector++) {
        for (const unit of UNITS) lines.push(`${area}${district} ${sector}${unit},${decileOf(district, sector)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface Demographics {
  ethnicCategory: EthnicCategory | null;
  postcode: string | null;
}

/**
 * A person of the site's area. `reached` draws as the service's own people are drawn (fewer from the most deprived
 * fifth and from Black and Asian groups); otherwise as the whole type 1 population is.
 */
export function drawDemographics(rng: Prng, odsCode: string, reached: boolean): Demographics {
  const share = DISTRICT_SHARE[odsCode] ?? EVEN_SHARE;
  const districtWeights = Object.fromEntries(DISTRICTS.map((d, i) => [String(d), share[i]! * (reached ? REACH_BY_FIFTH[i]! : 1)]));
  const district = Number(rng.weighted(districtWeights));
  const letterWeights = Object.fromEntries(
    Object.entries(ETHNIC_SHARE).map(([letter, weight]) => [letter, weight * (reached ? (REACH_BY_LETTER[letter as EthnicCategory] ?? 1) : 1)]),
  );
  const letter = rng.weighted(letterWeights);
  // A few records carry no postcode (a new registration, an address withheld).
  const postcode = rng.chance(0.03) ? null : `${areaOf(odsCode)}${district} ${rng.int(0, SECTORS - 1)}${rng.pick(UNITS)}`;
  return { ethnicCategory: letter === 'none' ? null : (letter as EthnicCategory), postcode };
}

/** The quintile of a demo postcode, for tests that check the gradient. */
export const demoQuintileOf = (postcode: string): string => {
  const [, district, sector] = /^[A-Z]+(\d) (\d)/.exec(postcode) ?? [];
  return imdQuintileOf(district ? decileOf(Number(district), Number(sector)) : null);
};
