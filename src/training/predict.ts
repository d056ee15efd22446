/**
 * Predictions as plain arrays for evaluation and deployment (Seed 000 §5.2.4 `predict` on new data;
 * Seed 001 §5.2 step 4 evaluation): class probabilities in batches, the predicted class (argmax, or a
 * threshold on a single sigmoid output), and true labels read back from a label tensor.
 */
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../errors";

/** Predicted classes with the score behind each. */
export interface ClassPredictions {
  /** Predicted class per example. */
  readonly classes: Int32Array;
  /** Binary model: the positive-class probability; multi-class: the predicted class's probability. */
  readonly scores: Float32Array;
  /** Every class's probability, row-major [n, k] (k = 2 for a single sigmoid output: [1−p, p]). */
  readonly probabilities: Float32Array;
  readonly numClasses: number;
}

/** Raised when a model's output cannot be read as class probabilities. */
export class PredictionError extends LeptonError {}

/**
 * Runs the model over `x` in batches and returns classes, scores and probabilities (Seed 000 §5.2.4
 * `loaded_model.predict(new_data)`); a single sigmoid output is thresholded at `threshold` (0.5).
 */
export async function predictClasses(
  model: tf.LayersModel,
  x: tf.Tensor,
  options: { readonly batchSize?: number; readonly threshold?: number } = {},
): Promise<ClassPredictions> {
  const output = model.predict(x, { batchSize: options.batchSize ?? 256 });
  if (Array.isArray(output)) {
    tf.dispose(output);
    throw new PredictionError(
      `model ${model.name} has ${output.length} outputs; predictClasses reads a single classifier output`,
    );
  }
  const [n, width] = output.shape as [number, number | undefined];
  let values: Float32Array;
  try {
    values = (await output.data()) as Float32Array; // a GPU backend in Node cannot read synchronously
  } finally {
    output.dispose();
  }
  if (output.shape.length !== 2 || width === undefined)
    throw new PredictionError(`model ${model.name} outputs shape [${output.shape.join(", ")}], expected [n, classes]`);
  const classes = new Int32Array(n);
  const scores = new Float32Array(n);
  if (width === 1) {
    const threshold = options.threshold ?? 0.5;
    const probabilities = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const p = values[i]!;
      classes[i] = p >= threshold ? 1 : 0;
      scores[i] = p;
      probabilities[2 * i] = 1 - p;
      probabilities[2 * i + 1] = p;
    }
    return { classes, scores, probabilities, numClasses: 2 };
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (values[i * width + c]! > values[i * width + best]!) best = c;
    classes[i] = best;
    scores[i] = values[i * width + best]!;
  }
  return { classes, scores, probabilities: values, numClasses: width };
}

/** True labels as integers from a label tensor: class indices [n] / [n, 1], or one-hot rows [n, k]. */
export async function labelsOf(y: tf.Tensor): Promise<Int32Array> {
  if (y.rank === 2 && y.shape[1]! > 1) {
    const classes = tf.tidy(() => tf.argMax(y, 1));
    try {
      return Int32Array.from((await classes.data()) as Int32Array);
    } finally {
      classes.dispose();
    }
  }
  return Int32Array.from(await y.data(), (value) => Math.round(value));
}
