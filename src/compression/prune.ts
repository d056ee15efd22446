/**
 * Seed 000 §8.1 model compression by pruning: magnitude pruning, the simplest kind — in each
 * kernel (conv and dense weights, rank ≥ 2) the given fraction of entries with the smallest
 * absolute value is set to zero. Biases are left alone: they are few and each one shifts a whole
 * channel. The weights stay dense float32 in memory and in weights.bin, so pruning by itself saves
 * no bytes on disk; the zeros pay off once the file is compressed (see footprint.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../errors";

/** What {@link pruneByMagnitude} did to one kernel. */
export interface PrunedWeight {
  readonly name: string;
  readonly size: number;
  /** Entries set to zero: round(sparsity × size), exactly. */
  readonly zeroed: number;
}

/** Raised for a sparsity outside [0, 1). */
export class PruningError extends LeptonError {}

/** Indices of the `count` entries of smallest magnitude (ties broken by position, so the choice is deterministic). */
export function smallestMagnitudes(values: Float32Array, count: number): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => Math.abs(values[a]!) - Math.abs(values[b]!) || a - b);
  return order.subarray(0, count);
}

/**
 * Sets the smallest-magnitude `sparsity` share of every kernel of `model` to zero, in place
 * (prune a copy — e.g. the saved model loaded again — to keep the original).
 */
export function pruneByMagnitude(model: tf.LayersModel, sparsity: number): PrunedWeight[] {
  if (!(sparsity >= 0 && sparsity < 1)) throw new PruningError(`sparsity must be in [0, 1), got ${sparsity}`);
  const report: PrunedWeight[] = [];
  for (const weight of model.weights) {
    if (weight.shape.length < 2 || weight.dtype !== "float32") continue;
    const current = weight.read();
    const values = Float32Array.from(current.dataSync() as Float32Array);
    const zeroed = Math.round(sparsity * values.length);
    for (const index of smallestMagnitudes(values, zeroed)) values[index] = 0;
    const pruned = tf.tensor(values, current.shape, "float32");
    weight.write(pruned);
    pruned.dispose();
    report.push({ name: weight.name, size: values.length, zeroed });
  }
  return report;
}

/** Share of exact zeros among the kernels' entries (the weights {@link pruneByMagnitude} prunes). */
export function kernelSparsity(model: tf.LayersModel): number {
  let zeros = 0;
  let total = 0;
  for (const weight of model.weights) {
    if (weight.shape.length < 2 || weight.dtype !== "float32") continue;
    const values = weight.read().dataSync();
    for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
    total += values.length;
  }
  return total === 0 ? 0 : zeros / total;
}
