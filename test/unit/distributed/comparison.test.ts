/** A whole data-parallel run against its replay in one thread (one two-worker pool for the file). */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  comparisonRows,
  runInThread,
  runWithWorkers,
  sampleSetFromTensors,
  weightGap,
  type ComparisonSetup,
} from "../../../src/distributed";
import { useChosenBackend } from "../backend-setup";
import { flatWeights, tinyCnn } from "./tiny-cnn";

useChosenBackend();

const build = () => tinyCnn(0.3);

describe("Seed 001 §3.2: a data-parallel run and its single-thread replay", () => {
  it("end at the same weights, loss and accuracy, leaking no tensor in the coordinator or the workers", async () => {
    const x = tf.randomUniform([21, 6, 6, 1], 0, 1, "float32", 8);
    const y = tf.tensor1d(Array.from({ length: 21 }, (_, i) => i % 3));
    const setup: ComparisonSetup = {
      build,
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
    const untrained = build();
    const start = flatWeights(untrained);
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
