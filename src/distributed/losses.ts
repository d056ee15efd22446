/**
 * The losses a worker can compute on its shard, by the name the coordinator's model was compiled
 * with (Seed 001 §3.2 step 3; the same per-sample losses tfjs-layers uses, averaged over the batch).
 */
import * as tf from "@tensorflow/tfjs";
import { DistributedSetupError } from "./errors";

/** Losses data-parallel training supports (the documents' models use the first and third). */
export const LOSS_NAMES = [
  "sparseCategoricalCrossentropy",
  "categoricalCrossentropy",
  "binaryCrossentropy",
  "meanSquaredError",
] as const;
/** One of {@link LOSS_NAMES}. */
export type LossName = (typeof LOSS_NAMES)[number];

/** The loss name `model` was compiled with; refuses uncompiled models, several outputs and loss functions. */
export function lossNameOf(model: tf.LayersModel): LossName {
  const loss: unknown = model.loss;
  if (typeof loss !== "string") {
    throw new DistributedSetupError(
      `model ${model.name}: data-parallel training needs a model compiled with one loss by name (${LOSS_NAMES.join(", ")})`,
    );
  }
  if (!(LOSS_NAMES as readonly string[]).includes(loss))
    throw new DistributedSetupError(`model ${model.name}: loss "${loss}" is not one of ${LOSS_NAMES.join(", ")}`);
  return loss as LossName;
}

/**
 * Mean loss over a batch: `targets` is [n, 1] class indices for
 * sparseCategoricalCrossentropy, [n, k] rows matching `predictions` for the others.
 */
export function meanLoss(name: LossName, targets: tf.Tensor, predictions: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    switch (name) {
      case "sparseCategoricalCrossentropy": {
        const classes = predictions.shape[predictions.rank - 1]!;
        const oneHot = tf.oneHot(tf.floor(targets.flatten()).toInt(), classes).reshape(predictions.shape);
        return tf.metrics.categoricalCrossentropy(oneHot, predictions).mean();
      }
      case "categoricalCrossentropy":
        return tf.metrics.categoricalCrossentropy(targets, predictions).mean();
      case "binaryCrossentropy":
        return tf.metrics.binaryCrossentropy(targets, predictions).mean();
      case "meanSquaredError":
        return tf.metrics.meanSquaredError(targets, predictions).mean();
    }
  }) as tf.Scalar;
}
