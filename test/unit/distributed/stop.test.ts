/**
 * Data-parallel training stops at the next step on its own AbortSignal and on the interrupt scope
 * it started in: no step reaches the workers after that, whole epochs only in the epoch losses, and
 * the workers end cleanly when the pool is closed. Real worker threads (one pool for the file).
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../../src/backends";
import { openInterruptScope } from "../../../src/cancellation";
import { DataParallelPool, runInThread, sampleSetFromTensors, trainDataParallel } from "../../../src/distributed";
import { adoptOptimizer } from "../../../src/io";

const INPUT = [4, 4, 1] as const;
let pool: DataParallelPool;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

function tinyModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [...INPUT] }));
  model.add(
    tf.layers.dense({ units: 2, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  );
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "sparseCategoricalCrossentropy" });
  return adoptOptimizer(model);
}

beforeAll(async () => {
  await initBackend({ quiet: true });
  x = tf.randomUniform([8, ...INPUT], 0, 1, "float32", 3) as tf.Tensor4D;
  y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1]);
  pool = await DataParallelPool.start(tinyModel(), sampleSetFromTensors(x, y), { workers: 2, seed: 1 });
});

afterAll(async () => {
  const shutdown = await pool.close();
  expect(shutdown.workerTensors).toEqual([0, 0]); // the workers stopped and freed everything
  pool.model.dispose();
  tf.dispose([x, y]);
});

describe("trainDataParallel stops on a signal", () => {
  it("sends no step after the abort, keeps whole epochs, records where, and leaks nothing", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = await trainDataParallel(pool, {
      epochs: 3,
      globalBatch: 4,
      seed: 1,
      signal: controller.signal, // 2 steps per epoch
      onStep: (report) => {
        if (report.step === 3) controller.abort("stop button");
      },
    });
    expect(run.stopped).toEqual({ epoch: 1, batch: 1, reason: "stop button" });
    expect(run.steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(run.epochLoss).toHaveLength(1);
    expect(run.steps.at(-1)!.workerTensors.every((n) => n === run.steps[0]!.workerTensors[0])).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("stops when the interrupt scope it started in is aborted, and the next run continues from the next step", async () => {
    const scope = openInterruptScope();
    const run = await trainDataParallel(pool, {
      epochs: 2,
      globalBatch: 4,
      seed: 1,
      onStep: () => scope.abort(new Error("the cell was interrupted")),
    });
    openInterruptScope(); // later runs start in a fresh scope
    expect(run.stopped).toEqual({ epoch: 0, batch: 1, reason: "the cell was interrupted" });
    expect(run.steps.map((s) => s.step)).toEqual([4]); // the workers got exactly one more step
    expect(run.epochLoss).toEqual([]);
    const after = await trainDataParallel(pool, { epochs: 1, globalBatch: 4, seed: 1 });
    expect(after.stopped).toBeUndefined();
    expect(after.steps.map((s) => s.step)).toEqual([5, 6]);
  });
});

describe("the single-thread replay stops on the same signal", () => {
  it("keeps whole epochs, records where, and leaks nothing", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let steps = 0;
    const build = () => {
      const model = tinyModel();
      const trainOnBatch = model.trainOnBatch.bind(model);
      model.trainOnBatch = async (...args: Parameters<typeof trainOnBatch>) => {
        if (++steps === 3) controller.abort("stop button");
        return trainOnBatch(...args);
      };
      return model;
    };
    const run = await runInThread(
      {
        build,
        train: sampleSetFromTensors(x, y),
        testInputs: x,
        testLabels: y,
        epochs: 3,
        globalBatch: 4,
        seed: 1,
        signal: controller.signal,
      },
      2,
    );
    expect(steps).toBe(3);
    expect(run.stopped).toEqual({ epoch: 1, batch: 1, reason: "stop button" });
    expect(run.epochLoss).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
