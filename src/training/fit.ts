/**
 * A fit helper for the documents' training step (Seed 000 §5.2.2 `model.fit(..., epochs,
 * validation_data)`, §5.3.3; Seed 001 §5.2 step 3): seeded shuffling per epoch, a progress bar,
 * Keras-style history, early stopping, a checkpoint every epoch and resume after a crash — a run
 * killed mid-training continues from its last checkpoint and loses at most the epoch in flight.
 */
import * as tf from "@tensorflow/tfjs";
import { stopReason, stopSignals, type StopPoint } from "../cancellation";
import { epochOrder } from "./epoch-order";
import { progressBar } from "../display";
import { CheckpointError, CheckpointStore, restoreCheckpoint, type RunFingerprint, type TrainingState } from "./checkpoint";
import { seedDropout } from "./dropout-seeds";
import { EarlyStopping, type EarlyStoppingOptions } from "./early-stopping";

/** Raised for fit arguments that cannot work (sizes disagree, bad epochs or batch size). (Seed 000 §5.2.2) */
export class FitError extends Error {
  override name = "FitError";
}

/** Per-epoch values by name: loss, accuracy, val_loss, val_accuracy, … (Keras' `history.history`). (Seed 000 §5.2.3) */
export type History = Record<string, number[]>;

/** Where a batch is in the run, for hooks. (Seed 000 §5.2.2) */
export interface BatchContext {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based batch within the epoch. */
  readonly batch: number;
}

/** Options of {@link fit}. (Seed 000 §5.2.2) */
export interface FitOptions {
  readonly epochs: number;
  /** Default 32, as Keras. */
  readonly batchSize?: number;
  /** Held-out images and labels scored after every epoch (val_loss, val_accuracy). */
  readonly validationData?: readonly [tf.Tensor, tf.Tensor];
  /**
   * Seed of the per-epoch shuffle and of dropout masks; the same seed (with the same initial
   * weights) repeats a run exactly. Default: no seed (Math.random order, tfjs' own dropout).
   */
  readonly seed?: number;
  /** Shuffle the training examples every epoch; default true. */
  readonly shuffle?: boolean;
  /** Stop when the monitored value stops improving. */
  readonly earlyStopping?: EarlyStoppingOptions;
  /** Folder for a checkpoint after every epoch (model, optimizer state, history, early-stopping state). */
  readonly checkpointDir?: string;
  /**
   * With checkpointDir: continue from its newest checkpoint when there is one (default true);
   * false deletes the folder's checkpoints and starts over.
   */
  readonly resume?: boolean;
  /** Checkpoints kept on disk; default 2. */
  readonly keepCheckpoints?: number;
  /** Show a progress bar per epoch; default true. */
  readonly progress?: boolean;
  /** Transforms each training batch's inputs (e.g. ImageDataGenerator.augmentAsync); must return a new tensor. */
  readonly augment?: (inputs: tf.Tensor, context: BatchContext) => tf.Tensor | Promise<tf.Tensor>;
  /** Called after each batch with its loss (awaited: a monitor may sample here). */
  readonly onBatchEnd?: (context: BatchContext, loss: number) => void | Promise<void>;
  /** Called after each epoch (and its checkpoint) with that epoch's logs. */
  readonly onEpochEnd?: (epoch: number, logs: Readonly<Record<string, number>>) => void | Promise<void>;
  /**
   * Stops training before the next batch when aborted (a "stop" button, a time limit); a kernel
   * interrupt of the cell that started the run does the same. The epoch in flight is dropped from
   * the history and never checkpointed, so the last checkpoint stays whole.
   */
  readonly signal?: AbortSignal;
}

/** What a run did. (Seed 000 §5.2.3) */
export interface FitResult {
  readonly history: History;
  /** 1-based epochs the history covers (a resumed run includes the epochs done before). */
  readonly epochs: readonly number[];
  /** Epoch (count of completed epochs) the run resumed from, when it did. */
  readonly resumedFrom?: number;
  /** The epoch training stopped at because the monitored value stopped improving. */
  readonly stoppedEarlyAt?: number;
  /** The epoch whose weights the model holds when early stopping restored the best ones. */
  readonly bestEpoch?: number;
  /** Where and why training stopped on a signal or an interrupt (0-based epoch and batch). */
  readonly stopped?: StopPoint;
  readonly seconds: number;
}

/**
 * A training step on the cpu and wasm backends resolves in microtasks only, so without a turn of
 * the event loop a stop that arrives as a message (a widget's Stop button, a comm, a timer) is
 * never read until the run ends. This often, fit lets the loop run between batches.
 */
const EVENT_LOOP_TURN_MS = 50;

function metricName(name: string): string {
  return name === "acc" ? "accuracy" : name;
}

/** Reads (and frees) training or evaluation results; asynchronously, as a GPU backend in Node requires. */
async function scalars(values: tf.Scalar | tf.Scalar[] | number | number[]): Promise<number[]> {
  const list = Array.isArray(values) ? values : [values];
  const numbers: number[] = [];
  for (const value of list) {
    if (typeof value === "number") numbers.push(value);
    else {
      try {
        numbers.push((await value.data())[0]!);
      } finally {
        value.dispose();
      }
    }
  }
  return numbers;
}

/** The examples at `indices`, inputs passed through `augment` when given (which may read them back asynchronously). */
async function batchOf(x: tf.Tensor, y: tf.Tensor, indices: number[], augment: FitOptions["augment"], context: BatchContext): Promise<{ xb: tf.Tensor; yb: tf.Tensor }> {
  const { inputs, yb } = tf.tidy(() => {
    const picked = tf.tensor1d(indices, "int32");
    return { inputs: tf.gather(x, picked), yb: tf.gather(y, picked) };
  });
  if (augment === undefined) return { xb: inputs, yb };
  let xb: tf.Tensor;
  try {
    xb = await augment(inputs, context);
  } catch (error) {
    tf.dispose([inputs, yb]);
    throw error;
  }
  if (xb !== inputs) inputs.dispose();
  return { xb, yb };
}

function checkInputs(x: tf.Tensor, y: tf.Tensor, options: FitOptions, batchSize: number): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new FitError(`epochs must be an integer ≥ 1, got ${options.epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new FitError(`batchSize must be an integer ≥ 1, got ${batchSize}`);
  if (x.shape[0] !== y.shape[0]) throw new FitError(`inputs have ${x.shape[0]} examples but labels have ${y.shape[0]}`);
  if (x.shape[0] === 0) throw new FitError("no training examples");
  const validation = options.validationData;
  if (validation !== undefined && validation[0].shape[0] !== validation[1].shape[0]) {
    throw new FitError(`validation inputs have ${validation[0].shape[0]} examples but validation labels have ${validation[1].shape[0]}`);
  }
}

function sameFingerprint(a: RunFingerprint, b: RunFingerprint): string | undefined {
  for (const key of ["seed", "batchSize", "samples"] as const) {
    if (a[key] !== b[key]) return `${key} was ${a[key]} in the checkpointed run, ${b[key]} now`;
  }
  return undefined;
}

function formatLogs(logs: Readonly<Record<string, number>>): string {
  return Object.entries(logs)
    .map(([name, value]) => `${name} ${value.toFixed(4)}`)
    .join(" · ");
}

/**
 * Trains `model` (compiled) on in-memory examples for `options.epochs` epochs (Seed 000 §5.2.2
 * `model.fit`; Seed 001 §5.2 step 3), returning Keras-style history. With `checkpointDir` it saves
 * after every epoch and, run again after a crash, continues from the newest checkpoint.
 */
export async function fit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: FitOptions): Promise<FitResult> {
  const batchSize = options.batchSize ?? 32;
  checkInputs(x, y, options, batchSize);
  if (model.optimizer === undefined || model.optimizer === null) throw new FitError(`model ${model.name} is not compiled (call model.compile first)`);
  const started = Date.now();
  const samples = x.shape[0];
  const seed = options.seed;
  const fingerprint: RunFingerprint = { seed: seed ?? null, batchSize, samples };
  const names = model.metricsNames.map(metricName);
  const validation = options.validationData;
  const stopper = options.earlyStopping === undefined ? undefined : new EarlyStopping(options.earlyStopping, validation === undefined ? "loss" : "val_loss");
  const store = options.checkpointDir === undefined ? undefined : new CheckpointStore(options.checkpointDir, options.keepCheckpoints ?? 2);

  const history: History = {};
  let firstEpoch = 0;
  let resumedFrom: number | undefined;
  if (store !== undefined) {
    const latest = options.resume === false ? undefined : store.latest();
    if (options.resume === false) store.clear();
    if (latest !== undefined) {
      const mismatch = sameFingerprint(latest.state.fingerprint, fingerprint);
      if (mismatch !== undefined) throw new CheckpointError(latest.dir, `cannot resume: ${mismatch} (use another checkpointDir or resume: false)`);
      await restoreCheckpoint(model, latest.dir);
      for (const [name, values] of Object.entries(latest.state.history)) history[name] = [...values];
      if (stopper !== undefined && latest.state.earlyStopping !== null) stopper.restore(latest.state.earlyStopping);
      firstEpoch = latest.state.epoch;
      resumedFrom = firstEpoch;
      console.log(`resuming from the epoch ${firstEpoch} checkpoint in ${latest.dir}`);
    }
  }

  let bestWeights: tf.Tensor[] | undefined;
  const keepBest = stopper?.restoreBestWeights === true;
  let stoppedEarlyAt: number | undefined;
  const dropout = seed === undefined ? undefined : seedDropout(model, seed);
  const batches = Math.ceil(samples / batchSize);
  const signals = stopSignals(options.signal);
  let stopped: FitResult["stopped"];
  let lastTurn = performance.now();
  try {
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      if (stopper !== undefined && stopper.current.wait >= stopper.patience && stopper.current.best !== null && epoch > 0) {
        stoppedEarlyAt = epoch;
        break;
      }
      const order = options.shuffle === false ? Array.from({ length: samples }, (_, i) => i) : epochOrder(samples, seed, epoch);
      const bar = options.progress === false ? undefined : progressBar({ total: batches, label: `epoch ${epoch + 1}/${options.epochs}` });
      const sums = new Array<number>(names.length).fill(0);
      for (let batch = 0; batch < batches; batch++) {
        const reason = stopReason(signals);
        if (reason !== undefined) {
          stopped = { epoch, batch, reason };
          break;
        }
        const indices = order.slice(batch * batchSize, (batch + 1) * batchSize);
        const context = { epoch, batch };
        const { xb, yb } = await batchOf(x, y, indices, options.augment, context);
        dropout?.seedStep(epoch, batch);
        let values: number[];
        try {
          values = await scalars(await model.trainOnBatch(xb, yb));
        } finally {
          tf.dispose([xb, yb]);
        }
        values.forEach((value, i) => (sums[i]! += value * indices.length));
        bar?.update(batch + 1, formatLogs(Object.fromEntries(names.map((name, i) => [name, sums[i]! / Math.min(samples, (batch + 1) * batchSize)]))));
        await options.onBatchEnd?.(context, values[0]!);
        if (performance.now() - lastTurn >= EVENT_LOOP_TURN_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastTurn = performance.now();
        }
      }
      if (stopped !== undefined) {
        bar?.done(`stopped: ${stopped.reason}`);
        break;
      }
      const logs: Record<string, number> = Object.fromEntries(names.map((name, i) => [name, sums[i]! / samples]));
      if (validation !== undefined) {
        const scores = await scalars(model.evaluate(validation[0], validation[1], { batchSize }) as tf.Scalar | tf.Scalar[]);
        names.forEach((name, i) => (logs[`val_${name}`] = scores[i]!));
      }
      for (const [name, value] of Object.entries(logs)) (history[name] ??= []).push(value);
      const verdict = stopper?.update(epoch + 1, logs);
      if (verdict?.improved === true && keepBest) {
        if (store !== undefined) await store.saveBest(model);
        else {
          tf.dispose(bestWeights ?? []);
          bestWeights = model.getWeights().map((weight) => weight.clone());
        }
      }
      bar?.done(formatLogs(logs));
      if (store !== undefined) {
        const state: TrainingState = { epoch: epoch + 1, history, earlyStopping: stopper?.current ?? null, fingerprint };
        await store.save(model, state);
      }
      await options.onEpochEnd?.(epoch + 1, logs);
      if (verdict?.stop === true) {
        stoppedEarlyAt = epoch + 1;
        break;
      }
    }
    const epochs = (history[names[0]!] ?? []).map((_, i) => i + 1);
    const bestEpoch = keepBest ? (stopper!.current.bestEpoch ?? undefined) : undefined;
    if (bestEpoch !== undefined && bestEpoch !== epochs.length) {
      if (bestWeights !== undefined) model.setWeights(bestWeights);
      else if (store !== undefined) await restoreCheckpoint(model, store.bestDir, false);
    }
    return {
      history,
      epochs,
      ...(resumedFrom !== undefined ? { resumedFrom } : {}),
      ...(stoppedEarlyAt !== undefined ? { stoppedEarlyAt } : {}),
      ...(bestEpoch !== undefined ? { bestEpoch } : {}),
      ...(stopped !== undefined ? { stopped } : {}),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    dropout?.release();
    tf.dispose(bestWeights ?? []);
  }
}

