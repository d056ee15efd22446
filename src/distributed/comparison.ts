/**
 * Seed 001 §3.2's claim, "distributed computing is mainly used to improve computing efficiency",
 * measured: the same model, data, epochs and global batch trained with a given number of workers
 * (or in the coordinator's own thread, with no workers, as the reference), timed, and scored on
 * held-out data. Used by bench/distributed.ts and notebook 08.
 */
import * as tf from "@tensorflow/tfjs";
import type { StopPoint } from "../cancellation";
import { accuracy, labelsOf, predictClasses, trainLoop } from "../training";
import { allocateShards, planEpoch } from "./allocation";
import { DataParallelPool, type PoolShutdown, type WorkerInfo } from "./pool";
import { trainDataParallel, type DataParallelRun, type StepReport } from "./trainer";
import { packShard, trainableVariables, type SampleSet } from "./transmission";

/** What to train and how, the same for every run compared. */
export interface ComparisonSetup {
  /** Builds the model, compiled; called once per run and must give equal initial weights (seeded initialisers). */
  readonly build: () => tf.LayersModel;
  readonly train: SampleSet;
  readonly testInputs: tf.Tensor;
  readonly testLabels: tf.Tensor;
  readonly epochs: number;
  readonly globalBatch: number;
  readonly seed: number;
  /** Called after every step of a data-parallel run. */
  readonly onStep?: (report: StepReport) => void | Promise<void>;
  /** Stops either run before its next step when aborted (as a kernel interrupt does); the run records where. */
  readonly signal?: AbortSignal;
}

/** One run's result. */
export interface ComparisonRun {
  /** Worker threads; 0 for the in-thread reference. */
  readonly workers: number;
  /** The worker count whose global batches were trained on (= workers, except for the in-thread reference). */
  readonly batchesOf: number;
  /** Until every worker was ready (0 without workers). */
  readonly startupSeconds: number;
  /** Training alone, from the first step to the last. */
  readonly trainSeconds: number;
  readonly samplesPerSecond: number;
  readonly epochLoss: readonly number[];
  readonly testAccuracy: number;
  /** The trained model's trainable weights, flat in layout order. */
  readonly finalWeights: Float32Array;
  /** Each worker's shard, start-up cost and backend (empty without workers). */
  readonly workerInfo: readonly WorkerInfo[];
  /** Per-step numbers (empty without workers). */
  readonly steps: readonly StepReport[];
  /** Tensors each worker still held after disposing its model (0 = no leak). */
  readonly workerTensorsLeft: readonly (number | undefined)[];
  /** Where and why training stopped on a signal or an interrupt. */
  readonly stopped?: StopPoint;
}

async function testAccuracy(model: tf.LayersModel, setup: ComparisonSetup): Promise<number> {
  return accuracy(await labelsOf(setup.testLabels), (await predictClasses(model, setup.testInputs)).classes);
}

function flatWeights(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => tf.concat(trainableVariables(model).map((v) => v.flatten())).dataSync() as Float32Array);
}

/** ‖a − b‖ / ‖b‖ of two runs' final weights: how far apart two trainings ended. */
export function weightGap(a: ComparisonRun, b: ComparisonRun): number {
  let difference = 0;
  let norm = 0;
  b.finalWeights.forEach((value, k) => {
    difference += (a.finalWeights[k]! - value) ** 2;
    norm += value * value;
  });
  return Math.sqrt(difference / norm);
}

/** Trains `setup` with `workers` worker threads (synchronous data parallelism), then scores it. */
export async function runWithWorkers(setup: ComparisonSetup, workers: number): Promise<ComparisonRun> {
  const model = setup.build();
  const starting = performance.now();
  const pool = await DataParallelPool.start(model, setup.train, { workers, seed: setup.seed }).catch(
    (error: unknown) => {
      model.dispose();
      throw error;
    },
  );
  const startupSeconds = (performance.now() - starting) / 1000;
  let run: DataParallelRun;
  let shutdown: PoolShutdown;
  try {
    run = await trainDataParallel(pool, {
      epochs: setup.epochs,
      globalBatch: setup.globalBatch,
      seed: setup.seed,
      ...(setup.onStep ? { onStep: setup.onStep } : {}),
      ...(setup.signal ? { signal: setup.signal } : {}),
    });
  } finally {
    shutdown = await pool.close();
  }
  const score = await testAccuracy(model, setup);
  const finalWeights = flatWeights(model);
  model.dispose();
  const samples = run.steps.reduce((sum, s) => sum + s.samples.reduce((a, b) => a + b, 0), 0);
  return {
    workers,
    batchesOf: workers,
    startupSeconds,
    trainSeconds: run.seconds,
    samplesPerSecond: samples / run.seconds,
    epochLoss: run.epochLoss,
    testAccuracy: score,
    finalWeights,
    workerInfo: pool.workers,
    steps: run.steps,
    workerTensorsLeft: shutdown.workerTensors,
    ...(run.stopped !== undefined ? { stopped: run.stopped } : {}),
  };
}

/**
 * The reference without workers: trains, with the model's own trainOnBatch in this
 * thread, on exactly the global batches a run with `workers` workers uses (same shards, same
 * per-epoch shuffles, each step's samples from all shards together). Its final weights match that
 * run's up to float32 rounding, so it checks the whole data-parallel run and times the same work
 * without any pool.
 */
export async function runInThread(setup: ComparisonSetup, workers: number): Promise<ComparisonRun> {
  const model = setup.build();
  const shards = allocateShards(setup.train.count, workers, { seed: setup.seed });
  const began = performance.now();
  const { history, stopped } = await trainLoop<readonly Int32Array[]>({
    epochs: setup.epochs,
    history: { loss: [] },
    batches: (epoch) =>
      planEpoch(
        shards.map((shard) => shard.indices.length),
        { globalBatch: setup.globalBatch, seed: setup.seed, epoch },
      ),
    step: async (positions) => {
      const samples = Int32Array.from(positions.flatMap((list, w) => Array.from(list, (p) => shards[w]!.indices[p]!)));
      const batch = packShard(setup.train, samples);
      const x = tf.tensor(batch.inputs, [batch.count, ...setup.train.inputShape]);
      const y = tf.tensor2d(batch.targets, [batch.count, setup.train.targetSize]);
      const scores = await model.trainOnBatch(x, y);
      tf.dispose([x, y]);
      return { logs: { loss: Array.isArray(scores) ? scores[0]! : scores }, weight: batch.count };
    },
    signal: setup.signal,
  });
  const epochLoss = history.loss!;
  const trainSeconds = (performance.now() - began) / 1000;
  const score = await testAccuracy(model, setup);
  const finalWeights = flatWeights(model);
  model.dispose();
  return {
    workers: 0,
    batchesOf: workers,
    startupSeconds: 0,
    trainSeconds,
    samplesPerSecond: (setup.epochs * setup.train.count) / trainSeconds,
    epochLoss,
    testAccuracy: score,
    finalWeights,
    workerInfo: [],
    steps: [],
    workerTensorsLeft: [],
    ...(stopped !== undefined ? { stopped } : {}),
  };
}

/** One row per run for a table: times, throughput, speed-up over the run with `baselineWorkers` workers, accuracy. */
export function comparisonRows(runs: readonly ComparisonRun[], baselineWorkers = 1): Record<string, string | number>[] {
  const baseline = runs.find((r) => r.workers === baselineWorkers);
  return runs.map((run) => ({
    run:
      run.workers === 0
        ? `no pool: this thread, the ${run.batchesOf}-worker batches`
        : `${run.workers} worker${run.workers > 1 ? "s" : ""}`,
    "start-up s": Number(run.startupSeconds.toFixed(2)),
    "training s": Number(run.trainSeconds.toFixed(2)),
    "samples/s": Number(run.samplesPerSecond.toFixed(1)),
    [`speed-up vs ${baselineWorkers} worker${baselineWorkers > 1 ? "s" : ""}`]:
      baseline === undefined ? "—" : Number((baseline.trainSeconds / run.trainSeconds).toFixed(2)),
    "final loss": Number(run.epochLoss.at(-1)!.toFixed(4)),
    "test accuracy %": Number((100 * run.testAccuracy).toFixed(2)),
  }));
}
