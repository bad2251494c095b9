import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPrng } from './prng';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('The seeded random generator behind the demo data', () => {
  it('gives the same sequence for the same seed, and a different one for another seed', () => {
    const draw = (seed: number) => {
      const rng = createPrng(seed);
      return [rng.next(), rng.int(1, 100), rng.uuid(), rng.normal(70, 10), rng.pick(['a', 'b', 'c'])];
    };
    expect(draw(2018)).toEqual(draw(2018));
    expect(draw(2018)).not.toEqual(draw(2019));
  });

  it('keeps every draw in its range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 50 }), (seed, min, width) => {
        const rng = createPrng(seed);
        for (let i = 0; i < 50; i++) {
          const x = rng.next();
          const n = rng.int(min, min + width);
          if (!(x >= 0 && x < 1) || !Number.isInteger(n) || n < min || n > min + width) return false;
        }
        return true;
      }),
    );
  });

  it('reaches both ends of an integer range and picks every item', () => {
    const rng = createPrng(7);
    const ints = new Set(Array.from({ length: 500 }, () => rng.int(1, 6)));
    expect([...ints].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const picked = new Set(Array.from({ length: 200 }, () => rng.pick(['csii', 'hcl'] as const)));
    expect(picked.size).toBe(2);
  });

  it('makes chance, weights and the normal distribution come out near their targets', () => {
    const rng = createPrng(11);
    const n = 20_000;
    let hits = 0;
    let sum = 0;
    let squares = 0;
    const weighted = { approved: 0, declined: 0, more_info: 0 };
    for (let i = 0; i < n; i++) {
      if (rng.chance(0.3)) hits++;
      const x = rng.normal(70, 10);
      sum += x;
      squares += x * x;
      weighted[rng.weighted({ approved: 0.6, declined: 0.1, more_info: 0.3 })]++;
    }
    const mean = sum / n;
    expect(hits / n).toBeCloseTo(0.3, 1);
    expect(mean).toBeCloseTo(70, 0);
    expect(Math.sqrt(squares / n - mean * mean)).toBeCloseTo(10, 0);
    expect(weighted.approved / n).toBeCloseTo(0.6, 1);
    expect(weighted.declined / n).toBeCloseTo(0.1, 1);
  });

  it('makes RFC 4122 version 4 UUIDs that do not repeat', () => {
    const rng = createPrng(42);
    const ids = Array.from({ length: 50_000 }, () => rng.uuid());
    expect(ids.every((id) => UUID_V4.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('forks streams that depend on the label and the seed, not on how much the parent has drawn', () => {
    const a = createPrng(5);
    const b = createPrng(5);
    b.next();
    b.uuid();
    expect(a.fork('site:RDM01').uuid()).toBe(b.fork('site:RDM01').uuid());
    expect(a.fork('site:RDM01').uuid()).not.toBe(a.fork('site:RDM02').uuid());
    expect(createPrng(6).fork('site:RDM01').uuid()).not.toBe(a.fork('site:RDM01').uuid());
  });

  it('refuses an empty list, a reversed range and a seed that is not a number', () => {
    const rng = createPrng(1);
    expect(() => rng.pick([])).toThrow(RangeError);
    expect(() => rng.int(5, 4)).toThrow(RangeError);
    expect(() => createPrng(Number.NaN)).toThrow(RangeError);
  });
});
