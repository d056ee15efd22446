/**
 * Measures of a GAN's samples (Seed 001 §4.3, "用于生成高质量的图像": high-quality images), so a
 * notebook can say more than "looks good": a classifier-based score in the manner of the Inception
 * Score, and each sample's distance to its nearest training image (is it copying, or far off?).
 */
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../errors";

/** Inputs a quality measure cannot use; the message names the argument and its shape. */
export class GanQualityError extends LeptonError {}

/**
 * The Inception Score of class probabilities p(y|x), [samples, classes]: exp(mean_x KL(p(y|x) ‖ p(y)))
 * with p(y) the mean over samples. 1 when every sample gets the same distribution; the number of
 * classes when each sample is confidently one class and the classes are used evenly.
 */
export async function inceptionScore(probabilities: tf.Tensor2D): Promise<number> {
  if (probabilities.rank !== 2 || probabilities.shape[0] < 1 || probabilities.shape[1] < 2) {
    throw new GanQualityError(
      `inceptionScore: probabilities must be [samples ≥ 1, classes ≥ 2], got [${probabilities.shape.join(", ")}]`,
    );
  }
  const score = tf.tidy(() => {
    const p = tf.clipByValue(probabilities, 1e-12, 1);
    const marginal = tf.mean(p, 0, true);
    const kl = tf.sum(tf.mul(p, tf.sub(tf.log(p), tf.log(marginal))), 1);
    return tf.exp(tf.mean(kl));
  });
  try {
    return (await score.data())[0]!;
  } finally {
    score.dispose();
  }
}

/**
 * For each sample, the root-mean-square pixel distance to its nearest image in `reference`
 * (both [n, …] with the same pixels per image), computed in chunks of `chunk` samples.
 */
export async function nearestNeighbourDistances(
  samples: tf.Tensor,
  reference: tf.Tensor,
  chunk = 256,
): Promise<number[]> {
  const pixels = samples.size / Math.max(samples.shape[0] ?? 0, 1);
  const referencePixels = reference.size / Math.max(reference.shape[0] ?? 0, 1);
  if (
    samples.rank < 2 ||
    reference.rank < 2 ||
    samples.shape[0] === 0 ||
    reference.shape[0] === 0 ||
    pixels !== referencePixels
  ) {
    throw new GanQualityError(
      `nearestNeighbourDistances: samples [${samples.shape.join(", ")}] and reference [${reference.shape.join(", ")}] must be non-empty batches of equal-sized images`,
    );
  }
  if (!Number.isInteger(chunk) || chunk < 1)
    throw new GanQualityError(`nearestNeighbourDistances: chunk must be a positive integer, got ${chunk}`);
  const flatReference = reference.reshape([reference.shape[0]!, pixels]) as tf.Tensor2D;
  const referenceNorms = tf.tidy(() => tf.sum(tf.square(flatReference), 1));
  const distances: number[] = [];
  const count = samples.shape[0]!;
  try {
    for (let start = 0; start < count; start += chunk) {
      const size = Math.min(chunk, count - start);
      const nearest = tf.tidy(() => {
        const block = samples.reshape([count, pixels]).slice([start, 0], [size, pixels]) as tf.Tensor2D;
        const squared = tf.add(
          tf.sub(tf.sum(tf.square(block), 1, true), tf.mul(2, tf.matMul(block, flatReference, false, true))),
          referenceNorms,
        );
        return tf.sqrt(tf.div(tf.relu(tf.min(squared, 1)), pixels));
      });
      try {
        distances.push(...(await nearest.data()));
      } finally {
        nearest.dispose();
      }
    }
  } finally {
    tf.dispose([flatReference, referenceNorms]);
  }
  return distances;
}

/** How a classifier trained on real images sees a batch of images, and how far they lie from the training set. */
export interface SampleQuality {
  /** {@link inceptionScore} of the classifier's probabilities. */
  readonly inceptionScore: number;
  /** Share of images whose most likely class has probability above 0.9. */
  readonly confidentShare: number;
  /** Images per predicted class. */
  readonly classCounts: number[];
  /** Classes that get at least 2 % of the images. */
  readonly classesCovered: number;
  /** Median of {@link nearestNeighbourDistances} to `reference`. */
  readonly medianNearestDistance: number;
}

/**
 * Scores images (pixels in the classifier's range, e.g. [0, 1]) with a classifier trained on real
 * data (softmax output) and against `reference`, the images a generator learnt from.
 */
export async function sampleQuality(
  classifier: tf.LayersModel,
  images: tf.Tensor4D,
  reference: tf.Tensor4D,
): Promise<SampleQuality> {
  const probabilities = tf.tidy(() => classifier.predict(images, { batchSize: 256 }) as tf.Tensor2D);
  if (probabilities.rank !== 2) {
    probabilities.dispose();
    throw new GanQualityError(
      `sampleQuality: the classifier must return [images, classes] probabilities, got [${probabilities.shape.join(", ")}]`,
    );
  }
  const [predicted, confident] = tf.tidy(() => [
    tf.argMax(probabilities, 1),
    tf.mean(tf.cast(tf.greater(tf.max(probabilities, 1), 0.9), "float32")),
  ]);
  const classCounts: number[] = new Array(probabilities.shape[1]).fill(0);
  let score: number;
  let confidentShare: number;
  try {
    score = await inceptionScore(probabilities);
    for (const k of await predicted!.data()) classCounts[k]! += 1;
    confidentShare = (await confident!.data())[0]!;
  } finally {
    tf.dispose([probabilities, predicted!, confident!]);
  }
  const distances = (await nearestNeighbourDistances(images, reference)).sort((a, b) => a - b);
  return {
    inceptionScore: score,
    confidentShare,
    classCounts,
    classesCovered: classCounts.filter((n) => n >= 0.02 * images.shape[0]).length,
    medianNearestDistance: distances[Math.floor(distances.length / 2)]!,
  };
}
