/**
 * Seed 001 §3.2 step 4, result aggregation on the main node: the workers' gradients are averaged,
 * each weighted by its share of the global batch (so the result is the gradient of the mean loss
 * over the whole batch, as one process would compute it), and the coordinator's optimizer applies
 * the average to the coordinator's model; the new weights are then broadcast (transmission.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { DistributedSetupError } from "./errors";
import type { WeightLayout } from "./transmission";

/**
 * out = Σᵢ (nᵢ / Σ n) · gradientᵢ, accumulated in float64. Worker i's
 * gradient is of its mean loss over nᵢ samples, so this is the gradient of the mean loss over
 * all Σ n samples. Workers with nᵢ = 0 do not count.
 */
export function weightedAverage(
  gradients: readonly Float32Array[],
  counts: readonly number[],
  out: Float32Array,
): Float32Array {
  if (gradients.length !== counts.length)
    throw new DistributedSetupError(`${gradients.length} gradients but ${counts.length} sample counts`);
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new DistributedSetupError("no worker had samples in this step: nothing to average");
  gradients.forEach((gradient, i) => {
    if (gradient.length !== out.length)
      throw new DistributedSetupError(`gradient ${i} has ${gradient.length} values, expected ${out.length}`);
    if (!Number.isInteger(counts[i]) || counts[i]! < 0)
      throw new DistributedSetupError(`sample count ${i} must be a non-negative integer, got ${counts[i]}`);
  });
  const parts = gradients.filter((_, i) => counts[i]! > 0);
  const shares = counts.filter((n) => n > 0).map((n) => n / total);
  for (let k = 0; k < out.length; k++) {
    let sum = 0;
    for (let i = 0; i < parts.length; i++) sum += shares[i]! * parts[i]![k]!;
    out[k] = sum;
  }
  return out;
}

/** Applies the averaged flat gradient to `variables` with `optimizer` (Adam, SGD, … as compiled). */
export function applyAveragedGradients(
  optimizer: tf.Optimizer,
  variables: readonly tf.Variable[],
  layout: WeightLayout,
  averaged: Float32Array,
): void {
  tf.tidy(() => {
    const named: Record<string, tf.Tensor> = {};
    layout.slots.forEach((slot, k) => {
      named[variables[k]!.name] = tf.tensor(averaged.slice(slot.offset, slot.offset + slot.size), [...slot.shape]);
    });
    optimizer.applyGradients(named);
  });
}
