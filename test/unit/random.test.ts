/** The one seeded random source: repeatable streams, seed derivation and shuffles. */
import { describe, expect, it } from "vitest";
import { deriveSeed, seededRandom, shuffle, shuffleInPlace } from "../../src/random";

describe("src/random", () => {
  it("repeats a stream for the same seed and draws in range", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 1000 }, () => a.uniform());
    expect(Array.from({ length: 1000 }, () => b.uniform())).toEqual(draws);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const ints = Array.from({ length: 1000 }, () => a.int(3));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2]));
    const normals = Array.from({ length: 4000 }, () => a.normal());
    const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
  });

  it("derives the epoch-shuffle seeds the workbook has always used, and different seeds for different parts", () => {
    for (const [seed, epoch] of [
      [42, 0],
      [42, 7],
      [1337, 3],
    ] as const) {
      expect(deriveSeed(seed, epoch)).toBe((seed * 2654435761 + epoch * 40503) >>> 0);
    }
    const seeds = new Set<number>();
    for (let epoch = 0; epoch < 20; epoch++)
      for (let batch = 0; batch < 20; batch++) seeds.add(deriveSeed(42, epoch, batch, 0));
    expect(seeds.size).toBe(400);
    expect(deriveSeed(42)).toBe(42);
  });

  it("shuffles a copy (or in place) into a permutation, repeatably under a seed", () => {
    const items = [...Array(50).keys()];
    const shuffled = shuffle(items, seededRandom(1));
    expect(items).toEqual([...Array(50).keys()]);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(shuffle(items, seededRandom(1))).toEqual(shuffled);
    expect(Array.from(shuffleInPlace(Int32Array.from(items), seededRandom(1)))).toEqual(shuffled);
  });
});
