import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { CheckpointError, EarlyStopping, fit, type FitOptions } from "../../../src/training";
import { flatWeights, maxRelativeDifference, tinyClassifier, tinyData } from "./tiny-model";
import { useChosenBackend } from "../backend-setup";

const scratch = mkdtempSync(join(tmpdir(), "lepton-fit-"));
useChosenBackend();
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Fits one epoch without validation first (it creates the optimiser's slots, which rightly stay), then fits with
 * `options`, without a progress display, and fails if that run left any tensor behind.
 */
async function fitLeavingNoTensor(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: FitOptions) {
  await fit(model, x, y, { ...withoutValidation(options), epochs: 1, progress: false });
  const before = tf.memory().numTensors;
  const result = await fit(model, x, y, { ...options, progress: false });
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

function withoutValidation({ validationData, ...rest }: FitOptions): FitOptions {
  return rest;
}

describe("fit (Seed 000 §5.2.2 model.fit)", () => {
  it("trains, records Keras-style history with validation, and leaks no tensor", async () => {
    const { x, y } = tinyData(64);
    const validation = tinyData(32, 99);
    const model = tinyClassifier();
    const validationData = [validation.x, validation.y] as const;
    const result = await fitLeavingNoTensor(model, x, y, { epochs: 6, batchSize: 16, seed: 1, validationData });
    expect(Object.keys(result.history).sort()).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    expect(result.epochs).toEqual([1, 2, 3, 4, 5, 6]);
    const losses = result.history.loss!;
    expect(losses[5]!).toBeLessThan(losses[0]!);
    for (const value of Object.values(result.history).flat()) expect(Number.isFinite(value)).toBe(true);
    tf.dispose([x, y, validation.x, validation.y]);
    model.dispose();
  });

  it("repeats a seeded run exactly, dropout included, and differs under another seed", async () => {
    const { x, y } = tinyData(48);
    const run = async (seed: number) => {
      const model = tinyClassifier();
      await fit(model, x, y, { epochs: 3, batchSize: 8, seed, progress: false });
      const weights = flatWeights(model);
      model.dispose();
      return weights;
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(maxRelativeDifference(a, b)).toBe(0);
    expect(maxRelativeDifference(a, c)).toBeGreaterThan(1e-4);
    tf.dispose([x, y]);
  });

  it("gives each step a fresh dropout mask and puts the layer's own seed back", async () => {
    const model = tinyClassifier();
    const dropout = model.layers[1] as unknown as { seed?: number };
    const { x, y } = tinyData(16);
    await fit(model, x, y, { epochs: 1, batchSize: 8, seed: 2, progress: false });
    expect(dropout.seed).toBeUndefined();
    tf.dispose([x, y]);
    model.dispose();
  });

  it("refuses labels and inputs of different lengths, naming both counts", async () => {
    const model = tinyClassifier();
    const { x } = tinyData(8);
    const y = tf.zeros([5]);
    await expect(fit(model, x, y, { epochs: 1, progress: false })).rejects.toThrow(/8 examples but labels have 5/);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe("early stopping (Seed 000 §5.3.3)", () => {
  it("counts epochs without improvement beyond minDelta and infers the mode from the name", () => {
    const loss = new EarlyStopping({ patience: 2, minDelta: 0.01 }, "val_loss");
    expect(loss.mode).toBe("min");
    expect(loss.update(1, { val_loss: 1.0 })).toEqual({ improved: true, stop: false });
    expect(loss.update(2, { val_loss: 0.995 })).toEqual({ improved: false, stop: false });
    expect(loss.update(3, { val_loss: 0.9 })).toEqual({ improved: true, stop: false });
    expect(loss.update(4, { val_loss: 0.95 })).toEqual({ improved: false, stop: false });
    expect(loss.update(5, { val_loss: 0.91 })).toEqual({ improved: false, stop: true });
    expect(loss.current).toEqual({ best: 0.9, bestEpoch: 3, wait: 2 });
    const accuracy = new EarlyStopping({ monitor: "val_accuracy" }, "val_loss");
    expect(accuracy.mode).toBe("max");
    expect(() => accuracy.update(1, { loss: 1 })).toThrow(/watches "val_accuracy".*loss/);
  });

  it("stops a run that cannot improve and restores the best epoch's weights", async () => {
    const { x, y } = tinyData(32);
    const model = tinyClassifier(7, 0); // learning rate 0: the loss moves only with the dropout masks, far less than minDelta
    const initial = flatWeights(model);
    const result = await fit(model, x, y, {
      epochs: 10,
      batchSize: 8,
      seed: 1,
      progress: false,
      earlyStopping: { monitor: "loss", patience: 2, minDelta: 0.5 },
    });
    expect(result.stoppedEarlyAt).toBe(3);
    expect(result.bestEpoch).toBe(1);
    expect(result.epochs).toEqual([1, 2, 3]);
    expect(maxRelativeDifference(flatWeights(model), initial)).toBe(0);
    tf.dispose([x, y]);
    model.dispose();
  });
});

/** A tiny classifier after one seeded epoch that checkpoints into `scratch/<name>`. */
async function oneCheckpointedEpoch(name: string) {
  const { x, y } = tinyData(32);
  const dir = join(scratch, name);
  const model = tinyClassifier();
  await fit(model, x, y, { epochs: 1, batchSize: 8, seed: 1, progress: false, checkpointDir: dir });
  return { x, y, dir, model };
}
describe("checkpoints and resume (Seed 000 §5.3.3)", () => {
  it("continues a stopped run from its checkpoint and ends where the uninterrupted run ends", async () => {
    const { x, y } = tinyData(64);
    const reference = tinyClassifier();
    const full = await fit(reference, x, y, {
      epochs: 4,
      batchSize: 8,
      seed: 4,
      progress: false,
      checkpointDir: join(scratch, "reference"),
    });

    const dir = join(scratch, "resumed");
    const first = tinyClassifier();
    await fit(first, x, y, { epochs: 2, batchSize: 8, seed: 4, progress: false, checkpointDir: dir });
    first.dispose();
    const second = tinyClassifier(); // a fresh process would build the model again from the same code
    const resumed = await fit(second, x, y, { epochs: 4, batchSize: 8, seed: 4, progress: false, checkpointDir: dir });
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.epochs).toEqual([1, 2, 3, 4]);
    expect(maxRelativeDifference(flatWeights(second), flatWeights(reference))).toBeLessThan(1e-5);
    for (const name of ["loss", "accuracy"]) {
      resumed.history[name]!.forEach((value, i) => expect(value).toBeCloseTo(full.history[name]![i]!, 5));
    }
    expect(readdirSync(dir).filter((name) => name.startsWith("epoch-"))).toEqual(["epoch-0003", "epoch-0004"]);
    tf.dispose([x, y]);
    reference.dispose();
    second.dispose();
  });

  it("restores into a model without leaking its old optimizer state", async () => {
    const { x, y, dir, model } = await oneCheckpointedEpoch("leak");
    const before = tf.memory().numTensors;
    await fit(model, x, y, { epochs: 2, batchSize: 8, seed: 1, progress: false, checkpointDir: dir });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("refuses to resume a different run or a different model, naming the checkpoint", async () => {
    const { x, y, dir, model } = await oneCheckpointedEpoch("mismatch");
    await expect(
      fit(model, x, y, { epochs: 2, batchSize: 16, seed: 1, progress: false, checkpointDir: dir }),
    ).rejects.toThrow(/epoch-0001: cannot resume: batchSize was 8 in the checkpointed run, 16 now/);
    const wider = tf.sequential({
      layers: [tf.layers.dense({ units: 5, inputShape: [4] }), tf.layers.dense({ units: 3, activation: "softmax" })],
    });
    wider.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" });
    await expect(
      fit(wider, x, y, { epochs: 2, batchSize: 8, seed: 1, progress: false, checkpointDir: dir }),
    ).rejects.toThrow(CheckpointError);
    await fit(model, x, y, { epochs: 1, batchSize: 16, seed: 1, progress: false, checkpointDir: dir, resume: false });
    tf.dispose([x, y]);
    model.dispose();
    wider.dispose();
  });
});

describe("fit on the documents' CNNs (Seed 000 §5.2.1–5.2.2)", () => {
  it("trains the binary CNN at a tiny shape through an augmentation hook with no tensor leak", async () => {
    const { binaryCnn } = await import("../../../src/models");
    const { ImageDataGenerator } = await import("../../../src/data/augment");
    const model = binaryCnn({ inputShape: [22, 22, 3], denseUnits: 8, seed: 1 });
    const x = tf.randomUniform([12, 22, 22, 3], 0, 1, "float32", 2);
    const y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const generator = new ImageDataGenerator({ rotationRange: 20, horizontalFlip: true, seed: 3 });
    let augmented = 0;
    const augment = (inputs: tf.Tensor) => {
      augmented += inputs.shape[0]!;
      return generator.augment(inputs as tf.Tensor4D);
    };
    const result = await fitLeavingNoTensor(model, x, y, {
      epochs: 2,
      batchSize: 6,
      seed: 1,
      augment,
      validationData: [x, y],
    });
    expect(augmented).toBe(36);
    expect(result.history.val_accuracy).toHaveLength(2);
    tf.dispose([x, y]);
    model.dispose();
  });
});
