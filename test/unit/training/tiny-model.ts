/** A tiny seeded classifier and dataset shared by the training tests and the crash-resume child process. */
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../../../src/random";

/** Dense(8, relu) → Dropout(0.3) → Dense(3, softmax), seeded weights, adam, sparse categorical cross-entropy. */
export function tinyClassifier(seed = 7, learningRate = 0.01): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      units: 8,
      activation: "relu",
      inputShape: [4],
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(tf.layers.dropout({ rate: 0.3 }));
  model.add(
    tf.layers.dense({
      units: 3,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  return model;
}

/** n points in 4-D, labelled by which of three fixed directions they point most along (learnable, not trivial). */
export function tinyData(n: number, seed = 11): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const random = seededRandom(seed);
  const directions = [
    [1, 0.5, 0, -1],
    [-0.5, 1, 1, 0],
    [0, -1, 0.5, 1],
  ];
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [0, 0, 0, 0].map(() => random.between(-1, 1));
    const dots = directions.map((d) => d.reduce((sum, v, k) => sum + v * row[k]!, 0));
    rows.push(row);
    labels.push(dots.indexOf(Math.max(...dots)));
  }
  return { x: tf.tensor2d(rows), y: tf.tensor1d(labels, "float32") };
}

/** All of a model's weights as one flat array. */
export function flatWeights(model: tf.LayersModel): Float32Array {
  const parts = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Largest |a − b| / (1 + |b|). */
export function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return worst;
}
