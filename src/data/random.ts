/** A small seeded pseudo-random generator (mulberry32) for reproducible shuffles, splits and augmentation (Seed 000 §5.2.1, seed 001 §5.2 step 1). */

/** Uniform numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence. */
export class SeededRandom {
  private state: number;
  /** Starts the sequence at `seed` (any integer; taken modulo 2^32). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Next number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }
  /** A shuffled copy (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
