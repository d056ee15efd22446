/**
 * The order in which one epoch visits the training samples (Seed 000 §5.2.2 `model.fit`, shuffled
 * each epoch; seed 001 §5.2 step 1): a fresh shuffle per epoch, reproducible when the run is seeded.
 */
import * as tf from "@tensorflow/tfjs";
import { SeededRandom } from "../data/random";

/** Sample indices 0…samples−1 shuffled for `epoch`: seeded from (seed, epoch) when a seed is given, else at random. (Seed 000 §5.2.2) */
export function epochOrder(samples: number, seed: number | undefined, epoch: number): number[] {
  const indices = Array.from({ length: samples }, (_, i) => i);
  if (seed === undefined) {
    tf.util.shuffle(indices);
    return indices;
  }
  return new SeededRandom((seed * 2654435761 + epoch * 40503) >>> 0).shuffled(indices);
}
