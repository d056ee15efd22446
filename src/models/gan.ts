/**
 * Seed 001 §4.3's generative adversarial network, as written and corrected, and the DCGAN the
 * workbook trains on Fashion-MNIST.
 *
 * The document gives G(z) = ReLU(z · W_G + b_G) and D(x) = ReLU(x · W_D + b_D). Adversarial
 * training needs D(x) to be the probability that x is real: the losses are −log D(x) and
 * −log(1 − D(G(z))). A ReLU output is not a probability — it is 0 on half of its inputs (−log 0 = ∞,
 * and no gradient flows back through a dead ReLU) and unbounded above (log(1 − D) is NaN for D > 1).
 * The correction: D outputs a logit ℓ, D(x) = σ(ℓ), and the losses are computed from ℓ directly
 * (binary cross-entropy with logits, finite for every ℓ); G ends in tanh, matching images scaled
 * to [−1, 1], instead of an unbounded ReLU.
 */
import * as tf from "@tensorflow/tfjs";
import { binaryCrossEntropyFromLogits } from "../math";
import { LeptonError } from "../errors";

/** A builder or training option that cannot work (non-integer sizes, bad learning rate, …). */
export class GanConfigError extends LeptonError {}

/** Image shape [height, width, channels] of a GAN's samples. */
export type GanImageShape = readonly [height: number, width: number, channels: number];

/** Fashion-MNIST's image shape, the workbook's GAN data. */
export const FASHION_MNIST_GAN_SHAPE: GanImageShape = [28, 28, 1];

/** A generator and a discriminator trained against each other. */
export interface GanPair {
  readonly generator: tf.LayersModel;
  readonly discriminator: tf.LayersModel;
  readonly latentDim: number;
  readonly imageShape: GanImageShape;
  /** What the discriminator returns: a probability-like value as the document writes it, or a logit (corrected). */
  readonly discriminatorOutput: DiscriminatorOutput;
}

/** What a discriminator's output means to the losses: the document's value read as a probability, or a logit. */
export type DiscriminatorOutput = "probability" | "logit";

/** Seed 001 §4.3 as written ("document") or corrected (tanh generator, logit discriminator). */
export type GanForm = "document" | "corrected";

/** Options of {@link denseGan}. */
export interface DenseGanOptions {
  readonly form: GanForm;
  /** Length of the noise vector z; default 64. */
  readonly latentDim?: number;
  readonly imageShape?: GanImageShape;
  /** Seed of the Glorot-uniform initialisers. */
  readonly seed?: number;
}

/** Options of {@link dcgan}. */
export interface DcganOptions {
  /** Length of the noise vector z; default 64. */
  readonly latentDim?: number;
  /** Height and width must be multiples of 4 (two stride-2 stages). Default 28×28×1. */
  readonly imageShape?: GanImageShape;
  /** Generator channels at 1/4 and 1/2 resolution; default [64, 32]. */
  readonly generatorFilters?: readonly [number, number];
  /** Discriminator channels of its two stride-2 convolutions; default [32, 64]. */
  readonly discriminatorFilters?: readonly [number, number];
  /** Seed of the initialisers. */
  readonly seed?: number;
}

/** Throws GanConfigError unless `value` is a positive integer; `what` names it. */
export function checkGanSize(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new GanConfigError(`${what} must be a positive integer, got ${value}`);
}

function checkImageShape(shape: GanImageShape, what: string): void {
  if (shape.length !== 3)
    throw new GanConfigError(`${what}: imageShape must be [height, width, channels], got [${shape.join(", ")}]`);
  shape.forEach((size, axis) => checkGanSize(size, `${what}: imageShape[${axis}]`));
}

function glorot(
  seed: number | undefined,
  offset: number,
): { kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform> } | Record<string, never> {
  return seed === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed: seed + offset }) };
}

/**
 * Seed 001 §4.3's one-layer GAN. "document": G(z) = ReLU(z·W_G + b_G) reshaped to an image and
 * D(x) = ReLU(x·W_D + b_D), its output read as a probability. "corrected": the same affine maps,
 * G with tanh and D returning the logit ℓ = x·W_D + b_D (D(x) = σ(ℓ)).
 */
export function denseGan(options: DenseGanOptions): GanPair {
  const latentDim = options.latentDim ?? 64;
  const imageShape = options.imageShape ?? FASHION_MNIST_GAN_SHAPE;
  checkGanSize(latentDim, "denseGan: latentDim");
  checkImageShape(imageShape, "denseGan");
  if (options.form !== "document" && options.form !== "corrected")
    throw new GanConfigError(`denseGan: form must be "document" or "corrected", got ${String(options.form)}`);
  const document = options.form === "document";
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];
  const generator = tf.sequential({
    name: `${options.form}_dense_generator`,
    layers: [
      tf.layers.dense({
        units: pixels,
        activation: document ? "relu" : "tanh",
        inputShape: [latentDim],
        ...glorot(options.seed, 0),
      }),
      tf.layers.reshape({ targetShape: [...imageShape] }),
    ],
  });
  const discriminator = tf.sequential({
    name: `${options.form}_dense_discriminator`,
    layers: [
      tf.layers.flatten({ inputShape: [...imageShape] }),
      tf.layers.dense({ units: 1, activation: document ? "relu" : "linear", ...glorot(options.seed, 1) }),
    ],
  });
  return { generator, discriminator, latentDim, imageShape, discriminatorOutput: document ? "probability" : "logit" };
}

/**
 * A DCGAN-style pair (Radford et al. 2016) in the corrected form of Seed 001 §4.3: G maps z through
 * Dense → reshape to 1/4 resolution → two stride-2 transposed convolutions (LeakyReLU, then tanh);
 * D takes two stride-2 convolutions with LeakyReLU(0.2) → Flatten → Dense(1), a logit.
 */
export function dcgan(options: DcganOptions = {}): GanPair {
  const latentDim = options.latentDim ?? 64;
  const imageShape = options.imageShape ?? FASHION_MNIST_GAN_SHAPE;
  const [g1, g2] = options.generatorFilters ?? [64, 32];
  const [d1, d2] = options.discriminatorFilters ?? [32, 64];
  checkGanSize(latentDim, "dcgan: latentDim");
  checkImageShape(imageShape, "dcgan");
  [g1, g2, d1, d2].forEach((filters, i) => checkGanSize(filters, `dcgan: filters[${i}]`));
  const [height, width, channels] = imageShape;
  if (height % 4 !== 0 || width % 4 !== 0)
    throw new GanConfigError(`dcgan: image height and width must be multiples of 4, got ${height}×${width}`);
  const seed = options.seed;
  const generator = tf.sequential({
    name: "dcgan_generator",
    layers: [
      tf.layers.dense({ units: (height / 4) * (width / 4) * g1, inputShape: [latentDim], ...glorot(seed, 0) }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.reshape({ targetShape: [height / 4, width / 4, g1] }),
      tf.layers.conv2dTranspose({ filters: g2, kernelSize: 4, strides: 2, padding: "same", ...glorot(seed, 1) }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2dTranspose({
        filters: channels,
        kernelSize: 4,
        strides: 2,
        padding: "same",
        activation: "tanh",
        ...glorot(seed, 2),
      }),
    ],
  });
  const discriminator = tf.sequential({
    name: "dcgan_discriminator",
    layers: [
      tf.layers.conv2d({
        filters: d1,
        kernelSize: 4,
        strides: 2,
        padding: "same",
        inputShape: [...imageShape],
        ...glorot(seed, 3),
      }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: d2, kernelSize: 4, strides: 2, padding: "same", ...glorot(seed, 4) }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, ...glorot(seed, 5) }),
    ],
  });
  return { generator, discriminator, latentDim, imageShape, discriminatorOutput: "logit" };
}

/** Mean binary cross-entropy of every logit against one label, 1 (real) or 0 (generated). */
function crossEntropyAgainst(logits: tf.Tensor, label: 0 | 1): tf.Scalar {
  return tf.tidy(() => binaryCrossEntropyFromLogits(tf.fill(logits.shape, label), logits));
}

/**
 * The discriminator's loss on its outputs for a real and a generated batch.
 * "probability", the document's D taken at its word: −mean log D(x) − mean log(1 − D(G(z))), no
 * clipping — this is what fails for a ReLU output. "logit", corrected: BCE-with-logits against 1 for
 * real and 0 for generated.
 */
export function discriminatorLoss(
  output: DiscriminatorOutput,
  realOutput: tf.Tensor,
  fakeOutput: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() =>
    output === "probability"
      ? (tf.neg(tf.add(tf.mean(tf.log(realOutput)), tf.mean(tf.log(tf.sub(1, fakeOutput))))) as tf.Scalar)
      : (tf.add(crossEntropyAgainst(realOutput, 1), crossEntropyAgainst(fakeOutput, 0)) as tf.Scalar),
  );
}

/** The generator's non-saturating loss −mean log D(G(z)), on probabilities or (corrected) from logits. */
export function generatorLoss(output: DiscriminatorOutput, fakeOutput: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    output === "probability" ? (tf.neg(tf.mean(tf.log(fakeOutput))) as tf.Scalar) : crossEntropyAgainst(fakeOutput, 1),
  );
}

/** Maps images in [0, 1] to [−1, 1], the range of a tanh generator. */
export function toTanhRange(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D);
}

/** Maps a tanh generator's [−1, 1] output back to image pixels in [0, 1]. */
export function fromTanhRange(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.add(images, 1), 2) as tf.Tensor4D);
}
