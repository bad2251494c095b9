/**
 * A small seeded pseudo-random generator for demo data: the same seed always gives the same history, so a demo
 * can be rebuilt exactly and a failing test can be replayed. sfc32 rather than mulberry32: mulberry32 has only
 * 2^32 states, and half a million UUIDs drawn from it would be expected to collide; sfc32 keeps 128 bits.
 * Not for anything secret.
 */

export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A key chosen with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  chance(probability: number): boolean;
  normal(mean: number, sd: number): number;
  /** An RFC 4122 version 4 UUID made of this generator's bits. */
  uuid(): string;
  /**
   * An independent generator for one named part of the work, derived from this generator's seed and the label
   * alone (not from how far it has been drawn), so adding draws to one part leaves the others unchanged.
   */
  fork(label: string): Prng;
}

/** splitmix32: spreads a small seed over the whole state, so seeds 1 and 2 do not start out alike. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a of the label mixed with the seed: a fork's seed depends on both. */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return splitmix32(hash)();
}

const HEX_DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = '-'.charCodeAt(0);
/** Where each of the 32 hex digits goes in the 36-character form (the dashes sit at 8, 13, 18 and 23). */
const DIGIT_POSITION = Array.from({ length: 32 }, (_, i) => i + (i >= 8 ? 1 : 0) + (i >= 12 ? 1 : 0) + (i >= 16 ? 1 : 0) + (i >= 20 ? 1 : 0));

/**
 * One flat string per UUID, built from character codes: concatenating pieces would leave each id as a tree
 * of string fragments, and a large history holds half a million of them.
 */
function formatUuid(words: readonly [number, number, number, number], codes: number[]): string {
  for (let i = 0; i < 32; i++) {
    const word = words[i >> 3]!;
    codes[DIGIT_POSITION[i]!] = HEX_DIGITS[(word >>> (28 - 4 * (i & 7))) & 0xf]!;
  }
  return String.fromCharCode(...codes);
}

export function createPrng(seed: number): Prng {
  if (!Number.isFinite(seed)) throw new RangeError(`A seed must be a finite number, not ${seed}`);
  const init = splitmix32(Math.trunc(seed));
  let a = init();
  let b = init();
  let c = init();
  let d = init();

  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of sfc32 still echo the seed; the reference implementation discards them too.
  for (let i = 0; i < 12; i++) uint32();

  const next = () => uint32() / 4294967296;
  const uuidCodes: number[] = Array.from({ length: 36 }, () => DASH);
  let spareNormal: number | null = null;

  const prng: Prng = {
    next,
    uint32,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`Bad integer range [${min}, ${max}]`);
      return min + Math.floor(next() * (max - min + 1));
    },
    pick(items) {
      if (items.length === 0) throw new RangeError('Cannot pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    weighted(weights) {
      const keys = Object.keys(weights) as (keyof typeof weights & string)[];
      let total = 0;
      for (const key of keys) total += weights[key];
      if (!(total > 0)) throw new RangeError('Weights must add up to more than zero');
      let r = next() * total;
      for (const key of keys) {
        r -= weights[key];
        if (r < 0) return key;
      }
      return keys[keys.length - 1]!;
    },
    chance(probability) {
      return next() < probability;
    },
    normal(mean, sd) {
      // Box-Muller gives two values per draw; keeping the second halves the cost and stays deterministic.
      if (spareNormal !== null) {
        const z = spareNormal;
        spareNormal = null;
        return mean + sd * z;
      }
      const u = 1 - next(); // (0, 1]: log(0) would be infinite
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    uuid() {
      const w0 = uint32();
      const w1 = ((uint32() & 0xffff0fff) | 0x00004000) >>> 0; // version 4 in the 13th hex digit
      const w2 = ((uint32() & 0x3fffffff) | 0x80000000) >>> 0; // RFC 4122 variant (10xx) in the 17th
      const w3 = uint32();
      return formatUuid([w0, w1, w2, w3], uuidCodes);
    },
    fork(label) {
      return createPrng(deriveSeed(seed, label));
    },
  };
  return prng;
}
