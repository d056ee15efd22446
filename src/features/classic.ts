/**
 * Classic image features (Seed 000 §3.1 step 2 feature extraction, before CNNs: the hand-made
 * descriptors a CNN's features are compared with): intensity histograms, per-channel statistics,
 * gradients (Sobel) and histograms of oriented gradients (HOG, Dalal & Triggs 2005, without block
 * normalisation). Inputs are image batches [n, h, w, c] in [0, 1]; outputs are [n, d] tensors.
 */
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../errors";

/** Raised on options that cannot apply to the images (bins, cell size); the message names them. */
export class FeatureOptionsError extends LeptonError {}

function grey(images: tf.Tensor4D): tf.Tensor4D {
  return images.shape[3] === 1 ? images : (images.mean(3, true) as tf.Tensor4D);
}

/** Share of each image's pixels in `bins` equal intensity bins over [0, 1] (grey = mean of channels); rows sum to 1. */
export function intensityHistogram(images: tf.Tensor4D, bins = 16): tf.Tensor2D {
  if (!Number.isInteger(bins) || bins < 2)
    throw new FeatureOptionsError(`intensityHistogram: bins must be an integer ≥ 2, got ${bins}`);
  return tf.tidy(() => {
    const [n, h, w] = images.shape;
    const index = grey(images)
      .mul(bins)
      .floor()
      .clipByValue(0, bins - 1)
      .toInt()
      .reshape([n, h * w]);
    return tf
      .oneHot(index as tf.Tensor2D, bins)
      .toFloat()
      .mean(1) as tf.Tensor2D;
  });
}

/** Mean and standard deviation of each channel: [n, 2c] as [mean_0…mean_c, std_0…std_c]. */
export function channelStatistics(images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(images, [1, 2]);
    return tf.concat([mean, variance.sqrt()], 1) as tf.Tensor2D;
  });
}

/** Horizontal and vertical Sobel gradients of the grey image, zero-padded: [n, h, w, 2] as (gx, gy). */
export function sobelGradients(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const gx = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
    const gy = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
    const kernel = tf.tensor4d(
      gx.flatMap((v, k) => [v, gy[k]!]),
      [3, 3, 1, 2],
    );
    return tf.conv2d(grey(images), kernel, 1, "same");
  });
}

/** Mean Sobel gradient magnitude per image: one number for "how much edge". */
export function edgeDensity(images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const g = sobelGradients(images);
    return g.square().sum(3).sqrt().mean([1, 2]).expandDims(1) as tf.Tensor2D;
  });
}

/** Options of hogFeatures. */
export interface HogOptions {
  /** Cell side in pixels; the image sides must be multiples. Default 7 (4×4 cells on 28×28). */
  readonly cellSize?: number;
  /** Orientation bins over 0–180° (unsigned gradients). Default 9 (20° each). */
  readonly bins?: number;
}

/**
 * Histograms of oriented gradients: central-difference gradients [−1, 0, 1], unsigned orientation
 * binned over 0–180°, magnitude-weighted sums per cell, each cell's histogram L2-normalised:
 * [n, (h/cell)·(w/cell)·bins].
 */
export function hogFeatures(images: tf.Tensor4D, options: HogOptions = {}): tf.Tensor2D {
  const cell = options.cellSize ?? 7;
  const bins = options.bins ?? 9;
  const [n, h, w] = images.shape;
  if (!Number.isInteger(cell) || cell < 1 || h % cell !== 0 || w % cell !== 0) {
    throw new FeatureOptionsError(`hogFeatures: cellSize ${cell} must divide the image size ${h}×${w}`);
  }
  if (!Number.isInteger(bins) || bins < 2)
    throw new FeatureOptionsError(`hogFeatures: bins must be an integer ≥ 2, got ${bins}`);
  return tf.tidy(() => {
    const g = grey(images);
    const kx = tf.tensor4d([-1, 0, 1], [1, 3, 1, 1]);
    const ky = tf.tensor4d([-1, 0, 1], [3, 1, 1, 1]);
    const gx = tf.conv2d(g, kx, 1, "same");
    const gy = tf.conv2d(g, ky, 1, "same");
    const magnitude = gx.square().add(gy.square()).sqrt();
    // unsigned orientation in [0, π): atan2 folded by π
    const angle = tf.atan2(gy, gx).add(Math.PI).mod(Math.PI);
    const bin = angle
      .div(Math.PI / bins)
      .floor()
      .clipByValue(0, bins - 1)
      .toInt()
      .reshape([n, h, w]);
    const weighted = tf
      .oneHot(bin as tf.Tensor3D, bins)
      .toFloat()
      .mul(magnitude) as tf.Tensor4D;
    const cells = tf.avgPool(weighted, cell, cell, "valid").mul(cell * cell);
    const norm = cells.square().sum(3, true).sqrt().add(1e-6);
    return cells.div(norm).reshape([n, -1]) as tf.Tensor2D;
  });
}

/** All classic features side by side: intensity histogram, channel statistics, edge density, HOG. */
export function classicFeatures(
  images: tf.Tensor4D,
  options: HogOptions & { readonly histogramBins?: number } = {},
): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.concat(
        [
          intensityHistogram(images, options.histogramBins ?? 16),
          channelStatistics(images),
          edgeDensity(images),
          hogFeatures(images, options),
        ],
        1,
      ) as tf.Tensor2D,
  );
}

/**
 * Accuracy of the nearest-centroid rule on features (each class's mean training feature; a test item
 * takes the class of the closest mean): a quick, parameter-free way to compare feature sets.
 */
export function nearestCentroidAccuracy(
  trainFeatures: tf.Tensor2D,
  trainLabels: tf.Tensor1D,
  testFeatures: tf.Tensor2D,
  testLabels: tf.Tensor1D,
  classes: number,
): number {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(trainLabels.toInt(), classes).toFloat();
    const counts = oneHot.sum(0).maximum(1).expandDims(1);
    const centroids = oneHot.transpose().matMul(trainFeatures).div(counts);
    const distances = testFeatures
      .square()
      .sum(1, true)
      .sub(testFeatures.matMul(centroids.transpose()).mul(2))
      .add(centroids.square().sum(1).expandDims(0));
    const predicted = distances.argMin(1);
    return predicted.equal(testLabels.toInt()).toFloat().mean().dataSync()[0]!;
  });
}
