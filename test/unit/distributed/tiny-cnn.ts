/** The small seeded CNN the data-parallel tests train, and a reader of its weights. */
import * as tf from "@tensorflow/tfjs";
import { adoptOptimizer } from "../../../src/io";

export const TINY_INPUT = [6, 6, 1] as const;
export const TINY_CLASSES = 3;

/** Fixed initialiser seeds, so two builds start at equal weights; SGD at `learningRate`. */
export function tinyCnn(learningRate: number): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      filters: 2,
      kernelSize: 3,
      activation: "relu",
      inputShape: [...TINY_INPUT],
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: TINY_CLASSES,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  model.compile({ optimizer: tf.train.sgd(learningRate), loss: "sparseCategoricalCrossentropy" });
  return adoptOptimizer(model); // model.dispose() then frees SGD's learning-rate scalar too
}

/** Every trainable weight of `model`, flattened into one array in layer order. */
export const flatWeights = (model: tf.LayersModel): Float32Array =>
  tf.tidy(() => tf.concat(model.trainableWeights.map((w) => w.read().flatten())).dataSync() as Float32Array);
