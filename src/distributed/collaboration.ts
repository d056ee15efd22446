/**
 * Seed 001 §3.2 step 3, collaborative processing: what each worker computes on its own shard —
 * the gradient of the mean loss over its part of the global batch, with the weights the
 * coordinator broadcast. The same code runs in every worker thread (src/distributed/worker.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { ShardPositionError } from "./errors";
import { meanLoss, type LossName } from "./losses";
import type { ShardPayload } from "./transmission";

/** A step's batch gathered from a shard, as flat arrays. */
export interface LocalBatch {
  readonly count: number;
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
}

/**
 * The samples at `positions` of `shard` (positions inside the shard, 0…count−1), checked: the
 * coordinator plans steps but each worker is the one that knows its shard.
 */
export function gatherBatch(shard: ShardPayload, positions: Int32Array): LocalBatch {
  const inputSize = shard.inputs.length / shard.count;
  const targetSize = shard.targets.length / shard.count;
  const inputs = new Float32Array(positions.length * inputSize);
  const targets = new Float32Array(positions.length * targetSize);
  positions.forEach((position, row) => {
    if (!(position >= 0 && position < shard.count)) {
      throw new ShardPositionError(
        `position ${position} (entry ${row} of the step's list) is outside this worker's shard of ${shard.count} samples`,
      );
    }
    inputs.set(shard.inputs.subarray(position * inputSize, (position + 1) * inputSize), row * inputSize);
    targets.set(shard.targets.subarray(position * targetSize, (position + 1) * targetSize), row * targetSize);
  });
  return { count: positions.length, inputs, targets };
}

/**
 * Gradients of the mean loss of `batch` with respect to `variables` (tf.variableGrads, forward in
 * training mode), handed to `deliver` while they exist; every tensor made here is disposed after,
 * also when `deliver` throws. Returns the batch's mean loss.
 */
export function shardGradients(
  model: tf.LayersModel,
  variables: readonly tf.Variable[],
  loss: LossName,
  batch: LocalBatch,
  inputShape: readonly number[],
  deliver: (gradients: Readonly<Record<string, tf.Tensor>>) => void,
): number {
  return tf.tidy(() => {
    const x = tf.tensor(batch.inputs, [batch.count, ...inputShape]);
    const y = tf.tensor2d(batch.targets, [batch.count, batch.targets.length / batch.count]);
    const { value, grads } = tf.variableGrads(
      () => meanLoss(loss, y, model.apply(x, { training: true }) as tf.Tensor),
      [...variables],
    );
    deliver(grads);
    return value.dataSync()[0]!;
  });
}
