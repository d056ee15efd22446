/**
 * Seed 001 §3.2 step 1, task allocation: the training set is split into one shard per worker
 * (equal sizes, the remainder spread one sample each over the first workers, deterministic for a
 * seed), and each epoch is cut into synchronous steps in which every worker takes its share of
 * the global batch from its own shard.
 */
import { deriveSeed, seededRandom, shuffleInPlace } from "../random";
import { AllocationError } from "./errors";

/** One worker's part of the dataset: the sample indices it owns. */
export interface Shard {
  readonly worker: number;
  /** Indices into the full dataset, in the order the worker stores them. */
  readonly indices: Int32Array;
}

/** Options of {@link allocateShards}. */
export interface AllocationOptions {
  /** Shuffle the samples with this seed before cutting shards (default: contiguous ranges in file order). */
  readonly seed?: number;
}

/** Options of {@link planEpoch}. */
export interface EpochPlanOptions {
  /** Samples per synchronous step over all workers together. */
  readonly globalBatch: number;
  /** Seed of the per-epoch shuffle inside each shard. */
  readonly seed: number;
  /** 0-based epoch (each epoch draws its own order). */
  readonly epoch: number;
  /** Shuffle inside each shard (default true); false walks every shard in order. */
  readonly shuffle?: boolean;
}

/** The steps of one epoch: `steps[s][w]` lists the positions inside worker w's shard used at step s. */
export type EpochPlan = readonly (readonly Int32Array[])[];

function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new AllocationError(`${what} must be a positive integer, got ${value}`);
}

/**
 * Splits `total` into `parts` sizes that differ by at most one, larger ones first
 * (10 over 3 → 4, 3, 3).
 */
export function shardSizes(total: number, parts: number): number[] {
  checkCount(total, "the number of samples");
  checkCount(parts, "the number of workers");
  if (parts > total)
    throw new AllocationError(`${parts} workers for ${total} samples: every worker needs at least one sample`);
  const base = Math.floor(total / parts);
  const remainder = total % parts;
  return Array.from({ length: parts }, (_, worker) => base + (worker < remainder ? 1 : 0));
}

/**
 * Seed 001 §3.2 step 1: every sample index 0…sampleCount−1 in exactly one shard, shards sized by {@link shardSizes}.
 */
export function allocateShards(sampleCount: number, workers: number, options: AllocationOptions = {}): Shard[] {
  const sizes = shardSizes(sampleCount, workers);
  const order = Int32Array.from({ length: sampleCount }, (_, i) => i);
  if (options.seed !== undefined) shuffleInPlace(order, seededRandom(options.seed));
  let start = 0;
  return sizes.map((size, worker) => {
    const indices = order.slice(start, start + size);
    start += size;
    return { worker, indices };
  });
}

/**
 * Seed 001 §3.2 step 1 per epoch: the global batch is split over the workers by {@link shardSizes}
 * (64 over 2 → 32 + 32), each worker walks its own shard (shuffled per epoch), and the epoch has as
 * many steps as the slowest shard needs; a worker whose shard is used up sits the last step out
 * (an empty list), which the weighted average then counts as zero samples.
 */
export function planEpoch(shardSampleCounts: readonly number[], options: EpochPlanOptions): EpochPlan {
  checkCount(options.globalBatch, "globalBatch");
  if (!Number.isSafeInteger(options.epoch) || options.epoch < 0)
    throw new AllocationError(`epoch must be a non-negative integer, got ${options.epoch}`);
  shardSampleCounts.forEach((count, worker) => checkCount(count, `shard ${worker}'s sample count`));
  if (options.globalBatch < shardSampleCounts.length) {
    throw new AllocationError(
      `globalBatch ${options.globalBatch} is smaller than the ${shardSampleCounts.length} workers: each needs at least one sample per step`,
    );
  }
  const local = shardSizes(options.globalBatch, shardSampleCounts.length);
  const orders = shardSampleCounts.map((count, worker) => {
    const order = Int32Array.from({ length: count }, (_, i) => i);
    if (options.shuffle !== false) shuffleInPlace(order, seededRandom(deriveSeed(options.seed, options.epoch, worker)));
    return order;
  });
  const stepCount = Math.max(...shardSampleCounts.map((count, worker) => Math.ceil(count / local[worker]!)));
  return Array.from({ length: stepCount }, (_, step) =>
    orders.map((order, worker) => order.slice(step * local[worker]!, (step + 1) * local[worker]!)),
  );
}
