/**
 * Seeded random numbers in float64 (Seed 000 §4 examples): the gradient checks and
 * the synthetic house prices draw from these, so a run with the same LEPTON_SEED sees the same inputs.
 */

/** A seeded source of uniform and normal draws (mulberry32 + Box–Muller). */
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

/** A seeded generator — the same seed gives the same stream. */
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
