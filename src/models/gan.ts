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
import { stopReason, stopSignals, type StopPoint } from "../cancellation";
import { epochOrder } from "../training/epoch-order";

/** A builder or training option that cannot work (non-integer sizes, bad learning rate, …). (Seed 001 §4.3) */
export class GanConfigError extends Error {
  override name = "GanConfigError";
}

/** Training produced a non-finite loss; the message names the epoch, the step and the loss. (Seed 001 §4.3) */
export class GanDivergedError extends Error {
  override name = "GanDivergedError";
}

/** Image shape [height, width, channels] of a GAN's samples. (Seed 001 §4.3) */
export type GanImageShape = readonly [height: number, width: number, channels: number];

/** Fashion-MNIST's image shape, the workbook's GAN data. (Seed 001 §4.3) */
export const FASHION_MNIST_GAN_SHAPE: GanImageShape = [28, 28, 1];

/** A generator and a discriminator trained against each other. (Seed 001 §4.3) */
export interface GanPair {
  readonly generator: tf.LayersModel;
  readonly discriminator: tf.LayersModel;
  readonly latentDim: number;
  readonly imageShape: GanImageShape;
  /** What the discriminator returns: a probability-like value as the document writes it, or a logit (corrected). */
  readonly discriminatorOutput: DiscriminatorOutput;
}

/** What a discriminator's output means to the losses: the document's value read as a probability, or a logit. (Seed 001 §4.3) */
export type DiscriminatorOutput = "probability" | "logit";

/** Seed 001 §4.3 as written ("document") or corrected (tanh generator, logit discriminator). */
export type GanForm = "document" | "corrected";

/** Options of {@link denseGan}. (Seed 001 §4.3) */
export interface DenseGanOptions {
  readonly form: GanForm;
  /** Length of the noise vector z; default 64. */
  readonly latentDim?: number;
  readonly imageShape?: GanImageShape;
  /** Seed of the Glorot-uniform initialisers. */
  readonly seed?: number;
}

/** Options of {@link dcgan}. (Seed 001 §4.3, DCGAN-style) */
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

function checkPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) throw new GanConfigError(`${what} must be a positive integer, got ${value}`);
}

function checkImageShape(shape: GanImageShape, what: string): void {
  if (shape.length !== 3) throw new GanConfigError(`${what}: imageShape must be [height, width, channels], got [${shape.join(", ")}]`);
  shape.forEach((size, axis) => checkPositiveInteger(size, `${what}: imageShape[${axis}]`));
}

function glorot(seed: number | undefined, offset: number): { kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform> } | Record<string, never> {
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
  checkPositiveInteger(latentDim, "denseGan: latentDim");
  checkImageShape(imageShape, "denseGan");
  if (options.form !== "document" && options.form !== "corrected") throw new GanConfigError(`denseGan: form must be "document" or "corrected", got ${String(options.form)}`);
  const document = options.form === "document";
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];
  const generator = tf.sequential({
    name: `${options.form}_dense_generator`,
    layers: [
      tf.layers.dense({ units: pixels, activation: document ? "relu" : "tanh", inputShape: [latentDim], ...glorot(options.seed, 0) }),
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
  checkPositiveInteger(latentDim, "dcgan: latentDim");
  checkImageShape(imageShape, "dcgan");
  [g1, g2, d1, d2].forEach((filters, i) => checkPositiveInteger(filters, `dcgan: filters[${i}]`));
  const [height, width, channels] = imageShape;
  if (height % 4 !== 0 || width % 4 !== 0) throw new GanConfigError(`dcgan: image height and width must be multiples of 4, got ${height}×${width}`);
  const seed = options.seed;
  const generator = tf.sequential({
    name: "dcgan_generator",
    layers: [
      tf.layers.dense({ units: (height / 4) * (width / 4) * g1, inputShape: [latentDim], ...glorot(seed, 0) }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.reshape({ targetShape: [height / 4, width / 4, g1] }),
      tf.layers.conv2dTranspose({ filters: g2, kernelSize: 4, strides: 2, padding: "same", ...glorot(seed, 1) }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2dTranspose({ filters: channels, kernelSize: 4, strides: 2, padding: "same", activation: "tanh", ...glorot(seed, 2) }),
    ],
  });
  const discriminator = tf.sequential({
    name: "dcgan_discriminator",
    layers: [
      tf.layers.conv2d({ filters: d1, kernelSize: 4, strides: 2, padding: "same", inputShape: [...imageShape], ...glorot(seed, 3) }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: d2, kernelSize: 4, strides: 2, padding: "same", ...glorot(seed, 4) }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, ...glorot(seed, 5) }),
    ],
  });
  return { generator, discriminator, latentDim, imageShape, discriminatorOutput: "logit" };
}

/**
 * Binary cross-entropy computed from logits, mean over the batch: max(ℓ,0) − ℓ·y + log(1 + e^(−|ℓ|)),
 * equal to −[y log σ(ℓ) + (1−y) log(1−σ(ℓ))] and finite for every ℓ. (Seed 001 §4.3, corrected)
 */
export function bceWithLogits(logits: tf.Tensor, target: 0 | 1): tf.Scalar {
  return tf.tidy(() => {
    const positive = tf.relu(logits);
    const softplusOfMinusAbs = tf.log1p(tf.exp(tf.neg(tf.abs(logits))));
    const crossEntropy = target === 1 ? tf.add(tf.sub(positive, logits), softplusOfMinusAbs) : tf.add(positive, softplusOfMinusAbs);
    return tf.mean(crossEntropy) as tf.Scalar;
  });
}

/**
 * The discriminator's loss on its outputs for a real and a generated batch (Seed 001 §4.3).
 * "probability", the document's D taken at its word: −mean log D(x) − mean log(1 − D(G(z))), no
 * clipping — this is what fails for a ReLU output. "logit", corrected: BCE-with-logits against 1 for
 * real and 0 for generated.
 */
export function discriminatorLoss(output: DiscriminatorOutput, realOutput: tf.Tensor, fakeOutput: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    output === "probability"
      ? (tf.neg(tf.add(tf.mean(tf.log(realOutput)), tf.mean(tf.log(tf.sub(1, fakeOutput))))) as tf.Scalar)
      : (tf.add(bceWithLogits(realOutput, 1), bceWithLogits(fakeOutput, 0)) as tf.Scalar),
  );
}

/** The generator's non-saturating loss −mean log D(G(z)), on probabilities or (corrected) from logits. (Seed 001 §4.3) */
export function generatorLoss(output: DiscriminatorOutput, fakeOutput: tf.Tensor): tf.Scalar {
  return tf.tidy(() => (output === "probability" ? (tf.neg(tf.mean(tf.log(fakeOutput))) as tf.Scalar) : bceWithLogits(fakeOutput, 1)));
}

/** Losses and discriminator scores of one adversarial step. (Seed 001 §4.3) */
export interface GanStepLosses {
  /** Discriminator loss (real + fake terms) before its update. */
  readonly discriminator: number;
  /** Generator loss (non-saturating) before its update. */
  readonly generator: number;
  /** Mean D(x) on the real batch (σ(ℓ) for a logit discriminator). */
  readonly realScore: number;
  /** Mean D(G(z)) on the generated batch, measured in the discriminator's step. */
  readonly fakeScore: number;
}

/** Per-step history of a GAN run. (Seed 001 §4.3) */
export type GanHistory = { readonly [K in keyof GanStepLosses]: number[] };

/** Options of {@link GanTrainer}. (Seed 001 §4.3) */
export interface GanTrainerOptions {
  /** Adam learning rate of both players; default 2e-4 (DCGAN). */
  readonly learningRate?: number;
  /** Adam β1 of both players; default 0.5 (DCGAN). */
  readonly beta1?: number;
  /** Seeds the noise of every step and the per-epoch shuffles. */
  readonly seed?: number;
}

/** Options of {@link GanTrainer.train}. (Seed 001 §4.3) */
export interface GanTrainOptions {
  readonly epochs: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Called after each epoch with the epoch (1-based) and the mean losses of its steps; may be async (e.g. to show samples). */
  readonly onEpochEnd?: (epoch: number, logs: GanStepLosses) => void | Promise<void>;
  /**
   * Stops training before the next step when aborted; a kernel interrupt of the cell that started
   * the run does the same. The epoch in flight gets no epoch log; see {@link GanTrainer.stopped}.
   */
  readonly signal?: AbortSignal;
}

/**
 * Seed 001 §4.3 adversarial training: each step updates D on a real batch and a generated one
 * (G fixed), then G through D (D fixed), each with its own Adam. The trainer owns the pair and
 * its optimizers: `dispose()` frees all of them.
 */
export class GanTrainer {
  readonly pair: GanPair;
  /** Steps taken so far. */
  steps = 0;
  readonly history: GanHistory = { discriminator: [], generator: [], realScore: [], fakeScore: [] };
  /** Where and why the last `train` stopped on a signal or an interrupt (0-based epoch and step of that epoch); undefined when it ran to the end. */
  stopped: StopPoint | undefined;
  private readonly seed: number | undefined;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly discriminatorOptimizer: tf.Optimizer;

  constructor(pair: GanPair, options: GanTrainerOptions = {}) {
    const learningRate = options.learningRate ?? 2e-4;
    const beta1 = options.beta1 ?? 0.5;
    if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new GanConfigError(`GanTrainer: learningRate must be a positive number, got ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1)) throw new GanConfigError(`GanTrainer: beta1 must be in [0, 1), got ${beta1}`);
    this.pair = pair;
    this.seed = options.seed;
    this.generatorOptimizer = tf.train.adam(learningRate, beta1);
    this.discriminatorOptimizer = tf.train.adam(learningRate, beta1);
  }

  /** Standard normal noise z, [count, latentDim]; seeded when `seed` is given. (Seed 001 §4.3 "噪声") */
  noise(count: number, seed?: number): tf.Tensor2D {
    checkPositiveInteger(count, "noise: count");
    return tf.randomNormal([count, this.pair.latentDim], 0, 1, "float32", seed);
  }

  /** G(z) for `count` noise vectors, in inference mode. (Seed 001 §4.3) */
  sample(count: number, seed?: number): tf.Tensor4D {
    return tf.tidy(() => this.pair.generator.apply(this.noise(count, seed), { training: false }) as tf.Tensor4D);
  }

  /** The discriminator's probability D(x) for a batch of images, [batch]. (Seed 001 §4.3) */
  score(images: tf.Tensor4D): tf.Tensor1D {
    this.checkImages(images);
    return tf.tidy(() => {
      const output = (this.pair.discriminator.apply(images, { training: false }) as tf.Tensor).reshape([images.shape[0]]);
      return (this.pair.discriminatorOutput === "logit" ? tf.sigmoid(output) : output) as tf.Tensor1D;
    });
  }

  /** One adversarial step on a real batch (images in the generator's output range). (Seed 001 §4.3) */
  async step(real: tf.Tensor4D): Promise<GanStepLosses> {
    this.checkImages(real);
    const count = real.shape[0];
    const stepSeed = this.seed === undefined ? undefined : this.seed + 2 * this.steps + 1;
    const { generator, discriminator, discriminatorOutput } = this.pair;
    const probability = (output: tf.Tensor) => (discriminatorOutput === "logit" ? tf.sigmoid(output) : output);
    const discriminatorVariables = discriminator.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const generatorVariables = generator.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const scores: tf.Scalar[] = [];

    const zD = this.noise(count, stepSeed);
    const fakeForD = tf.tidy(() => generator.apply(zD, { training: true }) as tf.Tensor4D);
    const discriminatorCost = this.discriminatorOptimizer.minimize(
      () => {
        const realOutput = discriminator.apply(real, { training: true }) as tf.Tensor;
        const fakeOutput = discriminator.apply(fakeForD, { training: true }) as tf.Tensor;
        scores.push(tf.keep(tf.mean(probability(realOutput)) as tf.Scalar), tf.keep(tf.mean(probability(fakeOutput)) as tf.Scalar));
        return discriminatorLoss(discriminatorOutput, realOutput, fakeOutput);
      },
      true,
      discriminatorVariables,
    )!;
    tf.dispose([zD, fakeForD]);

    const zG = this.noise(count, stepSeed === undefined ? undefined : stepSeed + 1);
    const generatorCost = this.generatorOptimizer.minimize(
      () => {
        const fakeOutput = discriminator.apply(generator.apply(zG, { training: true }) as tf.Tensor, { training: true }) as tf.Tensor;
        return generatorLoss(discriminatorOutput, fakeOutput);
      },
      true,
      generatorVariables,
    )!;
    zG.dispose();

    const read = [discriminatorCost, generatorCost, scores[0]!, scores[1]!];
    let values: number[];
    try {
      values = await Promise.all(read.map(async (scalar) => (await scalar.data())[0]!)); // a GPU backend in Node reads only asynchronously
    } finally {
      tf.dispose(read);
    }
    const losses: GanStepLosses = { discriminator: values[0]!, generator: values[1]!, realScore: values[2]!, fakeScore: values[3]! };
    this.steps++;
    for (const key of Object.keys(this.history) as (keyof GanStepLosses)[]) this.history[key].push(losses[key]);
    return losses;
  }

  /**
   * Trains for `epochs` passes over `images` (in the generator's output range, e.g. [−1, 1] for
   * tanh) in shuffled mini-batches (a last partial batch is dropped); throws GanDivergedError at the first non-finite loss. (Seed 001 §4.3)
   */
  async train(images: tf.Tensor4D, options: GanTrainOptions): Promise<GanHistory> {
    checkPositiveInteger(options.epochs, "train: epochs");
    const batchSize = options.batchSize ?? 64;
    checkPositiveInteger(batchSize, "train: batchSize");
    this.checkImages(images);
    const count = images.shape[0];
    if (count < batchSize) throw new GanConfigError(`train: ${count} images are fewer than one batch of ${batchSize}`);
    const signals = stopSignals(options.signal);
    this.stopped = undefined;
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = epochOrder(count, this.seed, epoch);
      const sums = { discriminator: 0, generator: 0, realScore: 0, fakeScore: 0 };
      let steps = 0;
      for (let start = 0; start + batchSize <= count; start += batchSize) {
        const reason = stopReason(signals);
        if (reason !== undefined) {
          this.stopped = { epoch: epoch - 1, batch: steps, reason };
          return this.history;
        }
        const picked = order.slice(start, start + batchSize);
        const batch = tf.tidy(() => tf.gather(images, tf.tensor1d(picked, "int32")) as tf.Tensor4D);
        let losses: GanStepLosses;
        try {
          losses = await this.step(batch);
        } finally {
          batch.dispose();
        }
        for (const [name, value] of Object.entries(losses) as [keyof GanStepLosses, number][]) {
          if (!Number.isFinite(value)) throw new GanDivergedError(`GAN training diverged at epoch ${epoch}, step ${this.steps}: ${name} = ${value}`);
          sums[name] += value;
        }
        steps++;
      }
      const logs: GanStepLosses = {
        discriminator: sums.discriminator / steps,
        generator: sums.generator / steps,
        realScore: sums.realScore / steps,
        fakeScore: sums.fakeScore / steps,
      };
      await options.onEpochEnd?.(epoch, logs);
      await tf.nextFrame();
    }
    return this.history;
  }

  /** Frees both networks and both optimizers. */
  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    this.pair.generator.dispose();
    this.pair.discriminator.dispose();
  }

  private checkImages(images: tf.Tensor4D): void {
    const [height, width, channels] = this.pair.imageShape;
    if (images.rank !== 4 || images.shape[1] !== height || images.shape[2] !== width || images.shape[3] !== channels) {
      throw new GanConfigError(`images must be [batch, ${height}, ${width}, ${channels}], got [${images.shape.join(", ")}]`);
    }
  }
}

/** Maps images in [0, 1] to [−1, 1], the range of a tanh generator. (Seed 001 §4.3, corrected) */
export function toTanhRange(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D);
}

/** Maps a tanh generator's [−1, 1] output back to image pixels in [0, 1]. (Seed 001 §4.3, corrected) */
export function fromTanhRange(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.add(images, 1), 2) as tf.Tensor4D);
}
