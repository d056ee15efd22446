import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { probeWasm } from "../../../src/backends/probes";
import {
  binaryCnn,
  CnnConfigError,
  FASHION_MNIST_CONV_FILTERS,
  FASHION_MNIST_INPUT,
  multiClassCnn,
} from "../../../src/models";
import { seedDropout } from "../../../src/training/dropout-seeds";

beforeAll(async () => {
  expect((await probeWasm()).trains).toBe(true);
});

describe("Seed 000 §5.2.2 binary CNN", () => {
  it("has the document's layers and Keras' parameter count at 150×150×3", () => {
    const model = binaryCnn();
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      "Conv2D",
      "MaxPooling2D",
      "Conv2D",
      "MaxPooling2D",
      "Conv2D",
      "MaxPooling2D",
      "Flatten",
      "Dense",
      "Dropout",
      "Dense",
    ]);
    expect(model.outputs[0]!.shape).toEqual([null, 1]);
    // Keras' model.summary() for the document's model: 19,034,177 trainable parameters.
    expect(model.countParams()).toBe(19_034_177);
    expect(model.loss).toBe("binaryCrossentropy");
    model.dispose();
  });

  it("refuses an input too small for three conv-pool blocks, naming the shape", () => {
    expect(() => binaryCnn({ inputShape: [16, 16, 3] })).toThrow(CnnConfigError);
    expect(() => binaryCnn({ inputShape: [16, 16, 3] })).toThrow(/16×16×3 is too small/);
    expect(() => binaryCnn({ dropout: 1 })).toThrow(/dropout/);
  });

  it("trains on wasm: 30 steps on a fixed batch lower the loss by over 10 %, leaking no tensor", async () => {
    await tf.setBackend("wasm");
    const model = binaryCnn({ inputShape: [22, 22, 3], denseUnits: 16, seed: 1, learningRate: 0.001 });
    const x = tf.randomUniform([8, 22, 22, 3], 0, 1, "float32", 2);
    const y = tf.tensor2d([0, 1, 0, 1, 1, 0, 1, 0], [8, 1]);
    // Losses compared in inference mode; dropout masks seeded per step, as a seeded fit does, so the run repeats
    // exactly.
    const evaluateLoss = () => {
      const scores = model.evaluate(x, y) as tf.Scalar[];
      const loss = scores[0]!.dataSync()[0]!;
      tf.dispose(scores);
      return loss;
    };
    const dropout = seedDropout(model, 7);
    const first = evaluateLoss();
    dropout.seedStep(0, 0);
    await model.trainOnBatch(x, y); // Adam's moments are created on the first step
    const before = tf.memory().numTensors;
    for (let step = 1; step < 30; step++) {
      dropout.seedStep(0, step);
      await model.trainOnBatch(x, y);
    }
    dropout.release();
    expect(tf.memory().numTensors).toBe(before);
    const last = evaluateLoss();
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(0.9 * first);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe("Seed 001 §5.2 ten-class CNN", () => {
  it("builds the document's three blocks at 224×224×3 and the two-block Fashion-MNIST variant", () => {
    const document = multiClassCnn();
    expect(document.layers.filter((l) => l.getClassName() === "Conv2D")).toHaveLength(3);
    expect(document.outputs[0]!.shape).toEqual([null, 10]);
    expect(document.loss).toBe("sparseCategoricalCrossentropy");
    document.dispose();
    const fashion = multiClassCnn({ inputShape: FASHION_MNIST_INPUT, convFilters: FASHION_MNIST_CONV_FILTERS });
    // conv 320 + conv 18,496 + dense 1600·128+128 + dense 128·10+10
    expect(fashion.countParams()).toBe(320 + 18_496 + 204_928 + 1_290);
    fashion.dispose();
  });

  it("refuses bad sizes with a typed error", () => {
    expect(() => multiClassCnn({ inputShape: [28, 28, 1] })).not.toThrow();
    expect(() => multiClassCnn({ inputShape: [12, 12, 1] })).toThrow(CnnConfigError);
    expect(() => multiClassCnn({ classes: 1 })).toThrow(/classes/);
    expect(() => multiClassCnn({ convFilters: [] })).toThrow(/at least one block/);
    expect(() => multiClassCnn({ convFilters: [32, 0] })).toThrow(/convFilters\[1\]/);
  });

  it("trains a Fashion-MNIST-sized step on wasm with sparse labels and leaks no tensor", async () => {
    await tf.setBackend("wasm");
    const model = multiClassCnn({ inputShape: FASHION_MNIST_INPUT, convFilters: FASHION_MNIST_CONV_FILTERS, seed: 3 });
    const x = tf.randomUniform([16, 28, 28, 1], 0, 1, "float32", 4);
    const y = tf.tensor2d(
      Array.from({ length: 16 }, (_, i) => i % 10),
      [16, 1],
    );
    const first = (await model.trainOnBatch(x, y)) as number[];
    const before = tf.memory().numTensors;
    let last = first;
    for (let step = 0; step < 10; step++) last = (await model.trainOnBatch(x, y)) as number[];
    expect(tf.memory().numTensors).toBe(before);
    expect(last[0]!).toBeLessThan(first[0]!);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe("disposing a trained CNN (Seed 000 §5.2.2)", () => {
  it("frees the weights and Adam's moments with model.dispose()", async () => {
    const before = tf.memory().numTensors;
    const model = multiClassCnn({ inputShape: [8, 8, 1], convFilters: [2], denseUnits: 4, classes: 3, seed: 1 });
    const x = tf.zeros([2, 8, 8, 1]);
    const y = tf.tensor1d([0, 2]);
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
