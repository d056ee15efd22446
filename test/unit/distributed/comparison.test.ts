/** A whole data-parallel run against its replay in one thread (one two-worker pool for the file). */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../../src/backends";
import { adoptOptimizer } from "../../../src/io";
import {
  comparisonRows,
  runInThread,
  runWithWorkers,
  sampleSetFromTensors,
  weightGap,
  type ComparisonSetup,
} from "../../../src/distributed";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

function tinyCnn(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      filters: 2,
      kernelSize: 3,
      activation: "relu",
      inputShape: [6, 6, 1],
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({ units: 3, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  );
  model.compile({ optimizer: tf.train.sgd(0.3), loss: "sparseCategoricalCrossentropy" });
  return adoptOptimizer(model); // model.dispose() then frees SGD's learning-rate scalar too
}

describe("Seed 001 §3.2: a data-parallel run and its single-thread replay", () => {
  it("end at the same weights, loss and accuracy, leaking no tensor in the coordinator or the workers", async () => {
    const x = tf.randomUniform([21, 6, 6, 1], 0, 1, "float32", 8);
    const y = tf.tensor1d(Array.from({ length: 21 }, (_, i) => i % 3));
    const setup: ComparisonSetup = {
      build: tinyCnn,
      train: sampleSetFromTensors(x, y),
      testInputs: x,
      testLabels: y,
      epochs: 3,
      globalBatch: 6,
      seed: 9,
    };
    const before = tf.memory().numTensors;
    const parallel = await runWithWorkers(setup, 2);
    const replay = await runInThread(setup, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(parallel.workerTensorsLeft).toEqual([0, 0]);
    expect(parallel.workerInfo.map((w) => w.samples)).toEqual([11, 10]);
    // 21 samples, local batches 3 + 3: ceil(11 / 3) = 4 steps per epoch, the last with 2 + 1 samples
    expect(parallel.steps).toHaveLength(12);
    expect(parallel.steps[3]!.samples).toEqual([2, 1]);
    const untrained = tinyCnn();
    const start = tf.tidy(
      () => tf.concat(untrained.trainableWeights.map((w) => w.read().flatten())).dataSync() as Float32Array,
    );
    untrained.dispose();
    const moved = weightGap({ ...replay, finalWeights: start }, replay);
    expect(moved).toBeGreaterThan(1e-2); // training really changed the weights
    expect(weightGap(parallel, replay)).toBeLessThan(1e-5);
    parallel.epochLoss.forEach((loss, epoch) => expect(loss).toBeCloseTo(replay.epochLoss[epoch]!, 5));
    expect(parallel.testAccuracy).toBe(replay.testAccuracy);
    const rows = comparisonRows([parallel, replay], 2);
    expect(rows[1]!.run).toBe("no pool: this thread, the 2-worker batches");
    expect(rows[0]!["speed-up vs 2 workers"]).toBe(1);
    tf.dispose([x, y]);
  });
});
