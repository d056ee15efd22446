/**
 * A fit helper for the documents' training step (Seed 000 §5.2.2 `model.fit(..., epochs,
 * validation_data)`, §5.3.3; Seed 001 §5.2 step 3): seeded shuffling per epoch, a progress bar,
 * Keras-style history, early stopping, a checkpoint every epoch and resume after a crash — a run
 * killed mid-training continues from its last checkpoint and loses at most the epoch in flight.
 */
import * as tf from "@tensorflow/tfjs";
import type { StopPoint } from "../cancellation";
import { epochBatches } from "./batches";
import { CheckpointStore, ModelCheckpoint, type RunFingerprint } from "./checkpoint";
import { dropoutSeeding } from "./dropout-seeds";
import { EarlyStopping, EarlyStoppingCallback, type EarlyStoppingOptions } from "./early-stopping";
import { trainLoop, type BatchContext, type Callback, type History } from "./loop";
import { ProgressCallback } from "./progress";
import { scalars } from "./scalars";
import { LeptonError } from "../errors";

/** Raised for fit arguments that cannot work (sizes disagree, bad epochs or batch size). */
export class FitError extends LeptonError {}

/** Options of {@link fit}. */
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
  /** More loop callbacks, called after the built-in ones. */
  readonly callbacks?: readonly Callback[];
}

/** What a run did. */
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

function metricName(name: string): string {
  return name === "acc" ? "accuracy" : name;
}

/** The examples at `indices`, inputs passed through `augment` when given (which may read them back asynchronously). */
async function batchOf(
  x: tf.Tensor,
  y: tf.Tensor,
  indices: number[],
  augment: FitOptions["augment"],
  context: BatchContext,
): Promise<{ xb: tf.Tensor; yb: tf.Tensor }> {
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
  if (!Number.isInteger(options.epochs) || options.epochs < 1)
    throw new FitError(`epochs must be an integer ≥ 1, got ${options.epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new FitError(`batchSize must be an integer ≥ 1, got ${batchSize}`);
  if (x.shape[0] !== y.shape[0]) throw new FitError(`inputs have ${x.shape[0]} examples but labels have ${y.shape[0]}`);
  if (x.shape[0] === 0) throw new FitError("no training examples");
  const validation = options.validationData;
  if (validation !== undefined && validation[0].shape[0] !== validation[1].shape[0]) {
    throw new FitError(
      `validation inputs have ${validation[0].shape[0]} examples but validation labels have ${validation[1].shape[0]}`,
    );
  }
}

/**
 * Trains `model` (compiled) on in-memory examples for `options.epochs` epochs (Seed 000 §5.2.2
 * `model.fit`; Seed 001 §5.2 step 3), returning Keras-style history. With `checkpointDir` it saves
 * after every epoch and, run again after a crash, continues from the newest checkpoint.
 */
export async function fit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: FitOptions): Promise<FitResult> {
  const batchSize = options.batchSize ?? 32;
  checkInputs(x, y, options, batchSize);
  if (model.optimizer === undefined || model.optimizer === null)
    throw new FitError(`model ${model.name} is not compiled (call model.compile first)`);
  const started = Date.now();
  const samples = x.shape[0];
  const seed = options.seed;
  const fingerprint: RunFingerprint = { seed: seed ?? null, batchSize, samples };
  const names = model.metricsNames.map(metricName);
  const validation = options.validationData;
  const monitored = validation === undefined ? "loss" : "val_loss";
  const tracker = options.earlyStopping === undefined ? undefined : new EarlyStopping(options.earlyStopping, monitored);
  const store =
    options.checkpointDir === undefined
      ? undefined
      : new CheckpointStore(options.checkpointDir, options.keepCheckpoints ?? 2);
  const checkpoint = store === undefined ? undefined : new ModelCheckpoint(model, store, fingerprint, tracker);
  const resumed = await checkpoint?.resume(options.resume === false);
  const earlyStopping = tracker === undefined ? undefined : new EarlyStoppingCallback(tracker, model, store);
  const user: Callback = {
    onBatchEnd: (at, logs) => options.onBatchEnd?.(at, logs.loss!),
    onEpochEnd: (epoch, logs) => options.onEpochEnd?.(epoch + 1, logs),
  };

  const { history, stopped } = await trainLoop<number[]>({
    epochs: options.epochs,
    firstEpoch: resumed?.epoch ?? 0,
    history: resumed?.history ?? {},
    batches: (epoch) => epochBatches(samples, { batchSize, seed, epoch, shuffle: options.shuffle !== false }),
    step: async (indices, at) => {
      const { xb, yb } = await batchOf(x, y, indices, options.augment, at);
      let values: number[];
      try {
        values = await scalars(await model.trainOnBatch(xb, yb));
      } finally {
        tf.dispose([xb, yb]);
      }
      return { logs: Object.fromEntries(names.map((name, i) => [name, values[i]!])), weight: indices.length };
    },
    endEpoch: async () => {
      if (validation === undefined) return {};
      const scores = await scalars(
        model.evaluate(validation[0], validation[1], { batchSize }) as tf.Scalar | tf.Scalar[],
      );
      return Object.fromEntries(names.map((name, i) => [`val_${name}`, scores[i]!]));
    },
    callbacks: [
      seed === undefined ? undefined : dropoutSeeding(model, seed),
      earlyStopping,
      options.progress === false ? undefined : new ProgressCallback(Math.ceil(samples / batchSize)),
      checkpoint,
      user,
      ...(options.callbacks ?? []),
    ],
    signal: options.signal,
  });
  const epochs = (history[names[0]!] ?? []).map((_, i) => i + 1);
  return {
    history,
    epochs,
    ...(resumed !== undefined ? { resumedFrom: resumed.epoch } : {}),
    ...(earlyStopping?.stoppedEarlyAt !== undefined ? { stoppedEarlyAt: earlyStopping.stoppedEarlyAt } : {}),
    ...(earlyStopping?.bestEpoch !== undefined ? { bestEpoch: earlyStopping.bestEpoch } : {}),
    ...(stopped !== undefined ? { stopped } : {}),
    seconds: (Date.now() - started) / 1000,
  };
}
