/**
 * The GAN and the from-scratch RNN trainers stop at the next batch on their own AbortSignal and on
 * the interrupt scope they started in, as fit does: whole epochs only in their logs, the stop
 * recorded, no tensor left behind.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { openInterruptScope } from "../../../src/cancellation";
import { dcgan, ScratchRnnForecaster } from "../../../src/models";
import { fitScratchRnn, GanTrainer } from "../../../src/training";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const TINY = [8, 8, 1] as const;
const tinyGan = () =>
  new GanTrainer(
    dcgan({ latentDim: 4, imageShape: TINY, generatorFilters: [4, 3], discriminatorFilters: [3, 4], seed: 3 }),
    { seed: 5 },
  );
const realImages = (count: number) =>
  tf.tidy(() => tf.tanh(tf.randomNormal([count, ...TINY], 0, 1, "float32", 11)) as tf.Tensor4D);

describe("GanTrainer.train stops on a signal", () => {
  it("stops before the next step, logs only whole epochs, records where, and leaks nothing", async () => {
    const trainer = tinyGan();
    const images = realImages(16); // 4 steps of 4 per epoch
    await trainer.train(images, { epochs: 1, batchSize: 4 }); // creates Adam's moments
    expect(trainer.stopped).toBeUndefined();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const epochsLogged: number[] = [];
    const stepsBefore = trainer.steps;
    await trainer.train(images, {
      epochs: 3,
      batchSize: 4,
      signal: controller.signal,
      onEpochEnd: (epoch) => {
        epochsLogged.push(epoch);
        if (epoch === 1) controller.abort("enough samples");
      },
    });
    expect(epochsLogged).toEqual([1]); // the epoch in flight is never logged
    expect(trainer.stopped).toEqual({ epoch: 1, batch: 0, reason: "enough samples" });
    expect(trainer.steps - stepsBefore).toBe(4);
    expect(trainer.history.discriminator).toHaveLength(trainer.steps);
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
    trainer.dispose();
  });

  it("stops when the interrupt scope it started in is aborted (a kernel interrupt)", async () => {
    const trainer = tinyGan();
    const images = realImages(16);
    const scope = openInterruptScope();
    await trainer.train(images, {
      epochs: 3,
      batchSize: 4,
      onEpochEnd: () => scope.abort(new Error("the cell was interrupted")),
    });
    openInterruptScope(); // later runs start in a fresh scope
    expect(trainer.stopped).toEqual({ epoch: 1, batch: 0, reason: "the cell was interrupted" });
    expect(trainer.steps).toBe(4);
    images.dispose();
    trainer.dispose();
  });
});

describe("fitScratchRnn stops on a signal", () => {
  const problem = () =>
    tf.tidy(() => {
      const x = tf.randomUniform([16, 4, 1], 0, 1, "float32", 2) as tf.Tensor3D;
      return { x, y: tf.sum(x, 1) as tf.Tensor2D };
    });

  it("stops before the next batch, keeps only whole epochs in the history, records where, and leaks nothing", async () => {
    const { x, y } = problem();
    const model = new ScratchRnnForecaster({ form: "corrected", features: 1, units: 3, seed: 1 });
    await fitScratchRnn(model, x, y, { epochs: 1, batchSize: 4, seed: 1 }); // creates Adam's moments
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const { history, stopped } = await fitScratchRnn(model, x, y, {
      epochs: 4,
      batchSize: 4,
      seed: 1,
      signal: controller.signal,
      validationData: [x, y],
      onEpochEnd: (epoch) => {
        if (epoch === 2) controller.abort("stop button");
      },
    });
    expect(history.loss).toHaveLength(2);
    expect(history.val_loss).toHaveLength(2);
    expect(stopped).toEqual({ epoch: 2, batch: 0, reason: "stop button" });
    expect(tf.memory().numTensors).toBe(before);
    expect((await fitScratchRnn(model, x, y, { epochs: 1, batchSize: 4 })).stopped).toBeUndefined(); // a new run forgets the old stop
    model.dispose();
    tf.dispose([x, y]);
  });

  it("stops when the interrupt scope it started in is aborted", async () => {
    const { x, y } = problem();
    const model = new ScratchRnnForecaster({ form: "corrected", features: 1, units: 3, seed: 1 });
    const scope = openInterruptScope();
    scope.abort(new Error("the cell was interrupted"));
    const { history, stopped } = await fitScratchRnn(model, x, y, { epochs: 3, batchSize: 4 });
    openInterruptScope();
    expect(history.loss).toEqual([]);
    expect(stopped).toEqual({ epoch: 0, batch: 0, reason: "the cell was interrupted" });
    model.dispose();
    tf.dispose([x, y]);
  });
});
