/**
 * The order in which one epoch visits the training samples: a fresh shuffle per epoch,
 * reproducible when the run is seeded.
 */
import { deriveSeed, seededRandom, shuffle } from "../random";

/** Sample indices 0…samples−1 shuffled for `epoch`: seeded from (seed, epoch) when a seed is given, else at random. (Seed 000 §5.2.2) */
export function epochOrder(samples: number, seed: number | undefined, epoch: number): number[] {
  const indices = Array.from({ length: samples }, (_, i) => i);
  return shuffle(indices, seed === undefined ? undefined : seededRandom(deriveSeed(seed, epoch)));
}
