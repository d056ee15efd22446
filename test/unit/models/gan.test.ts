import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import {
  dcgan,
  denseGan,
  discriminatorLoss,
  fromTanhRange,
  GanConfigError,
  generatorLoss,
  toTanhRange,
} from "../../../src/models";
import {
  GanDivergedError,
  GanQualityError,
  GanTrainer,
  inceptionScore,
  nearestNeighbourDistances,
  sampleQuality,
} from "../../../src/training";
import { useCpuBackend } from "../backend-setup";

useCpuBackend();

const TINY = [8, 8, 1] as const;
const tinyDcgan = (seed = 3) =>
  dcgan({ latentDim: 4, imageShape: TINY, generatorFilters: [4, 3], discriminatorFilters: [3, 4], seed });
const realBatch = (count: number, seed = 11) =>
  tf.tidy(() => tf.tanh(tf.randomNormal([count, ...TINY], 0, 1, "float32", seed)) as tf.Tensor4D);

function flatWeights(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((weight) => Array.from(weight.dataSync()));
}

describe("the corrected losses, from logits", () => {
  const bce = (logits: number[], target: 0 | 1) =>
    logits
      .map((l) => {
        const p = 1 / (1 + Math.exp(-l));
        return -(target * Math.log(p) + (1 - target) * Math.log(1 - p));
      })
      .reduce((a, b) => a + b) / logits.length;

  it("equal −[y log σ(ℓ) + (1−y) log(1−σ(ℓ))]: generated against 0 and real against 1 for D, generated against 1 for G", () => {
    const realValues = [-3, -0.5, 0, 0.7, 4];
    const fakeValues = [2, -1, 0.3, -4, 0.1];
    const real = tf.tensor1d(realValues);
    const fake = tf.tensor1d(fakeValues);
    const dLoss = discriminatorLoss("logit", real, fake);
    const gLoss = generatorLoss("logit", fake);
    expect(dLoss.dataSync()[0]!).toBeCloseTo(bce(realValues, 1) + bce(fakeValues, 0), 5);
    expect(gLoss.dataSync()[0]!).toBeCloseTo(bce(fakeValues, 1), 5);
    tf.dispose([real, fake, dLoss, gLoss]);
  });

  it("stay finite where the probability form overflows", () => {
    const logits = tf.tensor1d([-200, 200]);
    const fromLogits = generatorLoss("logit", logits);
    const naive = generatorLoss("probability", tf.sigmoid(logits));
    expect(fromLogits.dataSync()[0]!).toBeCloseTo(100, 3);
    expect(Number.isFinite(naive.dataSync()[0]!)).toBe(false);
    tf.dispose([logits, fromLogits, naive]);
  });
});

describe("Seed 001 §4.3 as written", () => {
  it("reads a ReLU output as a probability: 0 and values above 1 give non-finite losses", () => {
    const real = tf.tensor1d([0, 0.5]);
    const fake = tf.tensor1d([1.5, 0.2]);
    const dLoss = discriminatorLoss("probability", real, fake);
    const gLoss = generatorLoss("probability", tf.tensor1d([0]));
    expect(Number.isFinite(dLoss.dataSync()[0]!)).toBe(false);
    expect(gLoss.dataSync()[0]!).toBe(Infinity);
    tf.dispose([real, fake, dLoss, gLoss]);
  });

  it("builds G = ReLU(z·W_G + b_G) and D = ReLU(x·W_D + b_D): outputs never negative", () => {
    const pair = denseGan({ form: "document", latentDim: 4, imageShape: TINY, seed: 1 });
    const trainer = new GanTrainer(pair, { seed: 1 });
    const samples = trainer.sample(16, 5);
    const scores = trainer.score(realBatch(16));
    expect(samples.shape).toEqual([16, ...TINY]);
    expect(Math.min(...samples.dataSync())).toBeGreaterThanOrEqual(0);
    expect(Math.min(...scores.dataSync())).toBeGreaterThanOrEqual(0);
    tf.dispose([samples, scores]);
    trainer.dispose();
  });

  it("stops with GanDivergedError naming the epoch and step when D(x) = 0", async () => {
    const pair = denseGan({ form: "document", latentDim: 4, imageShape: TINY, seed: 1 });
    const [kernel, bias] = pair.discriminator.layers[1]!.getWeights();
    pair.discriminator.layers[1]!.setWeights([tf.zerosLike(kernel!), tf.fill(bias!.shape, -10)]);
    const trainer = new GanTrainer(pair, { seed: 1 });
    const images = realBatch(8);
    const failure = trainer.train(images, { epochs: 1, batchSize: 4 });
    await expect(failure).rejects.toThrow(GanDivergedError);
    await expect(failure).rejects.toThrow(/epoch 1, step 1: discriminator = (Infinity|NaN)/);
    expect(() => trainer.score(images)).not.toThrow();
    images.dispose();
    trainer.dispose();
  });
});

describe("the corrected GAN", () => {
  it("a DCGAN step updates both players and leaks no tensor", async () => {
    const trainer = new GanTrainer(tinyDcgan());
    const real = realBatch(4);
    await trainer.step(real); // Adam's moments are created on the first step
    const generatorBefore = flatWeights(trainer.pair.generator);
    const discriminatorBefore = flatWeights(trainer.pair.discriminator);
    const tensors = tf.memory().numTensors;
    const losses = await trainer.step(real);
    await trainer.step(real);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Number.isFinite(losses.discriminator) && Number.isFinite(losses.generator)).toBe(true);
    expect(losses.realScore).toBeGreaterThan(0);
    expect(losses.realScore).toBeLessThan(1);
    expect(flatWeights(trainer.pair.generator)).not.toEqual(generatorBefore);
    expect(flatWeights(trainer.pair.discriminator)).not.toEqual(discriminatorBefore);
    expect(trainer.history.discriminator).toHaveLength(3);
    real.dispose();
    trainer.dispose();
  });

  it("dispose frees both networks and both optimizers", async () => {
    const before = tf.memory().numTensors;
    const trainer = new GanTrainer(tinyDcgan(), { seed: 2 });
    const images = realBatch(8);
    await trainer.train(images, { epochs: 2, batchSize: 4 });
    images.dispose();
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("seeded runs repeat exactly", async () => {
    const run = async () => {
      const trainer = new GanTrainer(tinyDcgan(7), { seed: 9 });
      const images = realBatch(8);
      const history = await trainer.train(images, { epochs: 2, batchSize: 4 });
      const sample = trainer.sample(2, 1);
      const pixels = Array.from(sample.dataSync());
      tf.dispose([images, sample]);
      trainer.dispose();
      return { history: history.discriminator, pixels };
    };
    const [first, second] = [await run(), await run()];
    expect(second.history).toEqual(first.history);
    expect(second.pixels).toEqual(first.pixels);
  });

  it("moves the generator's samples to the data (averaged over the oscillation of adversarial training)", async () => {
    const pair = denseGan({ form: "corrected", latentDim: 2, imageShape: [2, 2, 1], seed: 4 });
    const trainer = new GanTrainer(pair, { seed: 4, learningRate: 0.01 });
    const data = tf.tidy(() =>
      tf.add(0.6, tf.mul(0.1, tf.randomNormal([256, 2, 2, 1], 0, 1, "float32", 5))),
    ) as tf.Tensor4D;
    const meanError = () =>
      tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.mean(trainer.sample(256, 3), 0), 0.6))).dataSync()[0]!);
    const before = meanError();
    const late: number[] = [];
    await trainer.train(data, {
      epochs: 60,
      batchSize: 32,
      onEpochEnd: (epoch) => void (epoch > 40 && late.push(meanError())),
    });
    const after = late.reduce((a, b) => a + b) / late.length;
    expect(before).toBeGreaterThan(0.5);
    expect(after).toBeLessThan(before / 2);
    data.dispose();
    trainer.dispose();
  });

  it("refuses shapes and options that cannot work, naming them", async () => {
    expect(() => dcgan({ imageShape: [30, 30, 1] })).toThrow(GanConfigError);
    expect(() => dcgan({ imageShape: [30, 30, 1] })).toThrow(/multiples of 4, got 30×30/);
    expect(() => denseGan({ form: "corrected", latentDim: 0 })).toThrow(/latentDim must be a positive integer, got 0/);
    const trainer = new GanTrainer(tinyDcgan());
    const wrong = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    await expect(trainer.step(wrong)).rejects.toThrow(/images must be \[batch, 8, 8, 1\], got \[2, 28, 28, 1\]/);
    const few = realBatch(3);
    await expect(trainer.train(few, { epochs: 1, batchSize: 4 })).rejects.toThrow(
      /3 images are fewer than one batch of 4/,
    );
    tf.dispose([wrong, few]);
    trainer.dispose();
  });

  it("maps [0, 1] images to the tanh range and back", () => {
    const images = tf.tensor4d([0, 0.5, 1, 0.25], [1, 2, 2, 1]);
    const mapped = toTanhRange(images);
    const back = fromTanhRange(mapped);
    expect(Array.from(mapped.dataSync())).toEqual([-1, 0, 1, -0.5]);
    expect(Array.from(back.dataSync())).toEqual([0, 0.5, 1, 0.25]);
    tf.dispose([images, mapped, back]);
  });
});

describe("GAN sample quality measures", () => {
  it("inception score: the number of classes for confident, even predictions; 1 for identical ones", async () => {
    const confident = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], "int32"), 4).toFloat() as tf.Tensor2D;
    const identical = tf.tensor2d([
      [0.7, 0.1, 0.1, 0.1],
      [0.7, 0.1, 0.1, 0.1],
    ]);
    expect(await inceptionScore(confident)).toBeCloseTo(4, 4);
    expect(await inceptionScore(identical)).toBeCloseTo(1, 5);
    const single = tf.tensor2d([[1]]);
    await expect(inceptionScore(single)).rejects.toThrow(GanQualityError);
    single.dispose();
    tf.dispose([confident, identical]);
  });

  it("nearest-neighbour distance: 0 for a copy, the RMS pixel difference otherwise", async () => {
    const reference = tf.tensor3d([
      [
        [0, 0],
        [0, 0],
      ],
      [
        [1, 1],
        [1, 1],
      ],
    ]);
    const samples = tf.tensor3d([
      [
        [1, 1],
        [1, 1],
      ],
      [
        [0.5, 0.5],
        [0.5, 0.1],
      ],
    ]);
    const before = tf.memory().numTensors;
    const distances = await nearestNeighbourDistances(samples, reference, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(distances[0]!).toBeCloseTo(0, 3);
    expect(distances[1]!).toBeCloseTo(Math.sqrt((0.25 * 3 + 0.01) / 4), 4);
    const flat = tf.zeros([1, 3]);
    await expect(nearestNeighbourDistances(samples, flat)).rejects.toThrow(
      /must be non-empty batches of equal-sized images/,
    );
    tf.dispose([reference, samples, flat]);
  });
});

afterAll(() => {
  tf.disposeVariables();
});

describe("sampleQuality", () => {
  it("reads a classifier's verdict and the distance to the reference, leaking nothing", async () => {
    const classifier = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [2, 2, 1] }),
        tf.layers.dense({ units: 2, activation: "softmax", useBias: false }),
      ],
    });
    classifier.layers[1]!.setWeights([
      tf.tensor2d([
        [20, -20],
        [-20, 20],
        [0, 0],
        [0, 0],
      ]),
    ]);
    const images = tf.tensor4d([1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0.5, 0.5, 0, 0], [4, 2, 2, 1]);
    const reference = tf.tensor4d([1, 0, 0, 0, 0, 1, 0, 0], [2, 2, 2, 1]);
    const before = tf.memory().numTensors;
    const quality = await sampleQuality(classifier, images, reference);
    expect(tf.memory().numTensors).toBe(before);
    expect(quality.classCounts).toEqual([3, 1]);
    expect(quality.confidentShare).toBeCloseTo(0.75, 6);
    expect(quality.classesCovered).toBe(2);
    expect(quality.medianNearestDistance).toBeCloseTo(0, 3);
    expect(quality.inceptionScore).toBeGreaterThan(1);
    expect(quality.inceptionScore).toBeLessThan(2);
    tf.dispose([images, reference]);
    classifier.dispose();
  });
});
