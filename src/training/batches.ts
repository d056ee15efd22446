/**
 * The seeded epoch/batch iterator: the order in which one epoch visits the training samples (a
 * fresh shuffle per epoch, reproducible when the run is seeded) cut into mini-batches.
 */
import { deriveSeed, seededRandom, shuffle } from "../random";

/**
 * Sample indices 0…samples−1 shuffled for `epoch`: seeded from (seed, epoch) when a seed is given, else at random.
 * (Seed 000 §5.2.2)
 */
export function epochOrder(samples: number, seed: number | undefined, epoch: number): number[] {
  const indices = Array.from({ length: samples }, (_, i) => i);
  return shuffle(indices, seed === undefined ? undefined : seededRandom(deriveSeed(seed, epoch)));
}

/** Options of {@link epochBatches}. */
export interface EpochBatchOptions {
  readonly batchSize: number;
  /** Seed of the shuffle; without one the order is drawn at random. */
  readonly seed?: number | undefined;
  /** The epoch number the shuffle is seeded with. */
  readonly epoch: number;
  /** Shuffle the samples (default true); false keeps them in order. */
  readonly shuffle?: boolean;
  /** Leave out a last batch smaller than batchSize (default false). */
  readonly dropRemainder?: boolean;
}

/** One epoch's mini-batches of sample indices, in the order the epoch visits them. */
export function epochBatches(samples: number, options: EpochBatchOptions): number[][] {
  const order =
    options.shuffle === false
      ? Array.from({ length: samples }, (_, i) => i)
      : epochOrder(samples, options.seed, options.epoch);
  const { batchSize } = options;
  const end = options.dropRemainder === true ? samples - (samples % batchSize) : samples;
  const batches: number[][] = [];
  for (let start = 0; start < end; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}
