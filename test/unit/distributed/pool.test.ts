/**
 * Real worker threads (one pool per file: starting one costs about a second per worker). Three
 * workers over ten samples, so shards are unequal (4, 3, 3) and the average must be weighted.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DataParallelPool,
  dataParallelStep,
  sampleSetFromTensors,
  trainDataParallel,
  WorkerError,
  type PoolShutdown,
} from "../../../src/distributed";
import { relativeError } from "../../../src/math";
import { useChosenBackend } from "../backend-setup";
import { flatWeights, TINY_CLASSES, TINY_INPUT, tinyCnn } from "./tiny-cnn";

useChosenBackend();

const COUNT = 10;
let pool: DataParallelPool;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

const allPositions = () => pool.shards.map((shard) => Int32Array.from(shard.indices, (_, i) => i));

/**
 * The single-process reference: gradient of −mean log p(true class) over the samples `indices`, written independently
 * of src/distributed.
 */
function referenceGradient(
  model: tf.LayersModel,
  indices: readonly number[],
): { gradient: Float32Array; loss: number } {
  return tf.tidy(() => {
    const rows = tf.tensor1d([...indices], "int32");
    const xs = tf.gather(x, rows);
    const labels = tf.gather(y, rows).toInt();
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const p = model.apply(xs, { training: true }) as tf.Tensor2D;
      return tf.neg(tf.mean(tf.log(tf.sum(tf.mul(p, tf.oneHot(labels, TINY_CLASSES)), 1)))) as tf.Scalar;
    }, variables);
    return {
      gradient: tf.concat(variables.map((v) => grads[v.name]!.flatten())).dataSync() as Float32Array,
      loss: value.dataSync()[0]!,
    };
  });
}

beforeAll(async () => {
  x = tf.randomUniform([COUNT, ...TINY_INPUT], 0, 1, "float32", 3) as tf.Tensor4D;
  y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
  pool = await DataParallelPool.start(tinyCnn(0.5), sampleSetFromTensors(x, y), { workers: 3, seed: 11 });
});

let shutdown: PoolShutdown | undefined;
afterAll(async () => {
  shutdown = await pool.close();
  expect(shutdown.workerTensors).toEqual([0, 0, 0]);
  pool.model.dispose();
  tf.dispose([x, y]);
});

describe("Seed 001 §3.2 on worker threads", () => {
  it("started three workers on the coordinator's backend with unequal shards covering every sample once", () => {
    expect(pool.workers.map((w) => w.samples)).toEqual([4, 3, 3]);
    expect(pool.workers.every((w) => w.backend === tf.getBackend())).toBe(true);
    expect([...pool.shards.flatMap((s) => [...s.indices])].sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    const sampleBytes = (6 * 6 * 1 + 1) * 4;
    expect(pool.workers.map((w) => w.shardBytes)).toEqual([4 * sampleBytes, 3 * sampleBytes, 3 * sampleBytes]);
  });

  it("averages the workers' gradients into the single-process gradient of the whole batch", async () => {
    const round = await pool.round(allPositions());
    const reference = referenceGradient(pool.model, [...Array(COUNT).keys()]);
    expect(round.counts).toEqual([4, 3, 3]);
    expect(relativeError(round.gradient, reference.gradient)).toBeLessThan(1e-5);
    expect(round.loss).toBeCloseTo(reference.loss, 5);
    expect(round.bytes.weights).toBe(3 * pool.layout.bytes);
    expect(round.bytes.gradients).toBe(3 * pool.layout.bytes);
  });

  it("weights the average by samples when workers get 3, 1 and 0 samples", async () => {
    const positions = [Int32Array.of(0, 1, 2), Int32Array.of(2), Int32Array.of()];
    const round = await pool.round(positions);
    const indices = [...positions[0]!].map((p) => pool.shards[0]!.indices[p]!).concat(pool.shards[1]!.indices[2]!);
    expect(round.counts).toEqual([3, 1, 0]);
    expect(Number.isNaN(round.losses[2])).toBe(true);
    expect(relativeError(round.gradient, referenceGradient(pool.model, indices).gradient)).toBeLessThan(1e-5);
  });

  it("one data-parallel step gives the weights of one single-process trainOnBatch step", async () => {
    const single = tinyCnn(0.5);
    single.setWeights(pool.model.getWeights());
    const before = flatWeights(single);
    await single.trainOnBatch(x, y);
    const expected = flatWeights(single);
    await dataParallelStep(pool, allPositions());
    const actual = flatWeights(pool.model);
    expect(relativeError(expected, before)).toBeGreaterThan(1e-3); // the step really moved the weights
    expect(relativeError(actual, expected)).toBeLessThan(1e-5);
    single.dispose();
  });

  it("a worker's error names the worker and the step; the pool carries on", async () => {
    const failing = pool.round([Int32Array.of(0), Int32Array.of(99), Int32Array.of(0)]);
    await expect(failing).rejects.toBeInstanceOf(WorkerError);
    const error = (await failing.catch((e: unknown) => e)) as WorkerError;
    expect(error.workerIndex).toBe(1);
    expect(error.message).toMatch(
      new RegExp(`^worker 1 failed at step ${error.step}: ShardPositionError: position 99 `),
    );
    expect(error.workerStack).toMatch(/gatherBatch/);
    const next = await pool.round(allPositions());
    expect(next.step).toBe(error.step! + 1);
  });

  it("trains epochs over every sample and leaks no tensor in the coordinator or the workers", async () => {
    await dataParallelStep(pool, allPositions()); // the optimizer's state exists after the first update
    const tensorsBefore = tf.memory().numTensors;
    const run = await trainDataParallel(pool, { epochs: 2, globalBatch: 6, seed: 4 });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const perWorker = run.steps[0]!.workerTensors;
    for (const step of run.steps) expect(step.workerTensors).toEqual(perWorker);
    for (const epoch of [0, 1]) {
      expect(
        run.steps.filter((s) => s.epoch === epoch).reduce((sum, s) => sum + s.samples.reduce((a, b) => a + b, 0), 0),
      ).toBe(COUNT);
    }
    expect(run.epochLoss.every(Number.isFinite)).toBe(true);
  });
});
