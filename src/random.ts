/**
 * The one seeded random source: a generator (mulberry32, normals by Box–Muller), the derivation of
 * child seeds from a run seed, and a shuffle. Shuffles, splits, augmentation, synthetic data,
 * dropout masks and gradient-check inputs all draw from here, so a run with the same LEPTON_SEED
 * sees the same numbers.
 */

/** A seeded source of uniform and normal draws. */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in [low, high). */
  between(low: number, high: number): number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/** A seeded generator (any integer seed, taken modulo 2^32): the same seed gives the same stream. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    between: (low, high) => low + (high - low) * uniform(),
    normal: () => {
      const u = 1 - uniform(); // (0, 1]: log(u) is finite
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
    },
    int: (n) => Math.floor(uniform() * n),
  };
}

/**
 * A child seed for one stream of a seeded run — `deriveSeed(seed, epoch)` for an epoch's shuffle,
 * `deriveSeed(seed, epoch, batch, layer)` for one dropout mask — folded part by part, so streams
 * that differ in any part get different seeds. Parts are integers.
 */
export function deriveSeed(seed: number, ...parts: readonly number[]): number {
  let derived = seed >>> 0;
  for (const part of parts) derived = (Math.imul(derived, 2654435761) + Math.imul(part, 40503)) >>> 0;
  return derived;
}

/** Shuffles `items` in place (Fisher–Yates) with `random`, or with Math.random when none is given; returns them. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(items: T, random?: Random): T {
  const int = random === undefined ? (n: number) => Math.floor(Math.random() * n) : random.int;
  for (let i = items.length - 1; i > 0; i--) {
    const j = int(i + 1);
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
  return items;
}

/** A shuffled copy of `items` (Fisher–Yates), seeded by `random` or at random when none is given. */
export function shuffle<T>(items: readonly T[], random?: Random): T[] {
  return shuffleInPlace([...items], random);
}
