/**
 * Seed 001 §4.3 adversarial training on the training loop: each step updates the discriminator on a
 * real batch and a generated one (G fixed), then the generator through D (D fixed).
 */
import * as tf from "@tensorflow/tfjs";
import { adam } from "../backends";
import type { StopPoint } from "../cancellation";
import { checkGanSize, discriminatorLoss, GanConfigError, generatorLoss, type GanPair } from "../models";
import { epochBatches } from "./batches";
import { trainLoop, type History } from "./loop";
import { LeptonError } from "../errors";

/** Training produced a non-finite loss; the message names the epoch, the step and the loss. */
export class GanDivergedError extends LeptonError {}

/** Losses and discriminator scores of one adversarial step. */
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

/** Per-step history of a GAN run. */
export type GanHistory = Readonly<History<keyof GanStepLosses>>;

/** Options of {@link GanTrainer}. */
export interface GanTrainerOptions {
  /** Adam learning rate of both players; default 2e-4 (DCGAN). */
  readonly learningRate?: number;
  /** Adam β1 of both players; default 0.5 (DCGAN). */
  readonly beta1?: number;
  /** Seeds the noise of every step and the per-epoch shuffles. */
  readonly seed?: number;
}

/** Options of {@link GanTrainer.train}. */
export interface GanTrainOptions {
  readonly epochs: number;
  /** Default 64. */
  readonly batchSize?: number;
  /**
   * Called after each epoch with the epoch (1-based) and the mean losses of its steps; may be async (e.g. to show
   * samples).
   */
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
  /**
   * Where and why the last `train` stopped on a signal or an interrupt (0-based epoch and step of that epoch);
   * undefined when it ran to the end.
   */
  stopped: StopPoint | undefined;
  private readonly seed: number | undefined;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly discriminatorOptimizer: tf.Optimizer;

  constructor(pair: GanPair, options: GanTrainerOptions = {}) {
    const learningRate = options.learningRate ?? 2e-4;
    const beta1 = options.beta1 ?? 0.5;
    if (!(learningRate > 0 && Number.isFinite(learningRate)))
      throw new GanConfigError(`GanTrainer: learningRate must be a positive number, got ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1)) throw new GanConfigError(`GanTrainer: beta1 must be in [0, 1), got ${beta1}`);
    this.pair = pair;
    this.seed = options.seed;
    this.generatorOptimizer = adam(learningRate, beta1);
    this.discriminatorOptimizer = adam(learningRate, beta1);
  }

  /** Standard normal noise z, [count, latentDim]; seeded when `seed` is given. */
  noise(count: number, seed?: number): tf.Tensor2D {
    checkGanSize(count, "noise: count");
    return tf.randomNormal([count, this.pair.latentDim], 0, 1, "float32", seed);
  }

  /** G(z) for `count` noise vectors, in inference mode. */
  sample(count: number, seed?: number): tf.Tensor4D {
    return tf.tidy(() => this.pair.generator.apply(this.noise(count, seed), { training: false }) as tf.Tensor4D);
  }

  /** The discriminator's probability D(x) for a batch of images, [batch]. */
  score(images: tf.Tensor4D): tf.Tensor1D {
    this.checkImages(images);
    return tf.tidy(() => {
      const output = (this.pair.discriminator.apply(images, { training: false }) as tf.Tensor).reshape([
        images.shape[0],
      ]);
      return (this.pair.discriminatorOutput === "logit" ? tf.sigmoid(output) : output) as tf.Tensor1D;
    });
  }

  /** One adversarial step on a real batch (images in the generator's output range). */
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
        scores.push(
          tf.keep(tf.mean(probability(realOutput)) as tf.Scalar),
          tf.keep(tf.mean(probability(fakeOutput)) as tf.Scalar),
        );
        return discriminatorLoss(discriminatorOutput, realOutput, fakeOutput);
      },
      true,
      discriminatorVariables,
    )!;
    tf.dispose([zD, fakeForD]);

    const zG = this.noise(count, stepSeed === undefined ? undefined : stepSeed + 1);
    const generatorCost = this.generatorOptimizer.minimize(
      () => {
        const fakeOutput = discriminator.apply(generator.apply(zG, { training: true }) as tf.Tensor, {
          training: true,
        }) as tf.Tensor;
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
    const losses: GanStepLosses = {
      discriminator: values[0]!,
      generator: values[1]!,
      realScore: values[2]!,
      fakeScore: values[3]!,
    };
    this.steps++;
    for (const key of Object.keys(this.history) as (keyof GanStepLosses)[]) this.history[key].push(losses[key]);
    return losses;
  }

  /**
   * Trains for `epochs` passes over `images` (in the generator's output range, e.g. [−1, 1] for
   * tanh) in shuffled mini-batches (a last partial batch is dropped); throws GanDivergedError at the first non-finite
   * loss.
   */
  async train(images: tf.Tensor4D, options: GanTrainOptions): Promise<GanHistory> {
    checkGanSize(options.epochs, "train: epochs");
    const batchSize = options.batchSize ?? 64;
    checkGanSize(batchSize, "train: batchSize");
    this.checkImages(images);
    const count = images.shape[0];
    if (count < batchSize) throw new GanConfigError(`train: ${count} images are fewer than one batch of ${batchSize}`);
    this.stopped = undefined;
    const { stopped } = await trainLoop<number[]>({
      epochs: options.epochs,
      // Shuffles are seeded with 1-based epochs, as this trainer always numbered them.
      batches: (epoch) => epochBatches(count, { batchSize, seed: this.seed, epoch: epoch + 1, dropRemainder: true }),
      step: async (picked, at) => {
        const batch = tf.tidy(() => tf.gather(images, tf.tensor1d(picked, "int32")) as tf.Tensor4D);
        let losses: GanStepLosses;
        try {
          losses = await this.step(batch);
        } finally {
          batch.dispose();
        }
        for (const [name, value] of Object.entries(losses)) {
          if (!Number.isFinite(value))
            throw new GanDivergedError(
              `GAN training diverged at epoch ${at.epoch + 1}, step ${this.steps}: ${name} = ${value}`,
            );
        }
        return { logs: { ...losses }, weight: 1 };
      },
      callbacks: [{ onEpochEnd: (epoch, logs) => options.onEpochEnd?.(epoch + 1, logs as unknown as GanStepLosses) }],
      signal: options.signal,
    });
    this.stopped = stopped;
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
      throw new GanConfigError(
        `images must be [batch, ${height}, ${width}, ${channels}], got [${images.shape.join(", ")}]`,
      );
    }
  }
}
