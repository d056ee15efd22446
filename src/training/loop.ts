/**
 * The one training loop: epochs of batches, each batch one step of the caller's trainer, extended
 * by Keras-style callbacks. fit, the GAN and RNN trainers and the data-parallel trainer all run on
 * it, so each gets the same stop on a signal or a kernel interrupt, the same epoch logs and history,
 * and the same turns of the event loop between batches.
 */
import { stopReason, stopSignals, type StopPoint } from "../cancellation";

/** Per-epoch values by name: loss, accuracy, val_loss, … (Keras' `history.history`). */
export type History<K extends string = string> = Record<K, number[]>;

/** Named values of one batch or one epoch. */
export type Logs = Record<string, number>;

/** Where a batch is in the run. */
export interface BatchContext {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based batch within the epoch. */
  readonly batch: number;
}

/** What one step reports: its logs and the weight they carry in the epoch's mean (usually its sample count). */
export interface StepResult {
  readonly logs: Readonly<Logs>;
  readonly weight: number;
}

/** What the callbacks see of the run, and how they end it (Keras' `model.stop_training`). */
export interface TrainingRun {
  readonly epochs: number;
  readonly history: History;
  /** Set by a callback to end training after the current epoch (or before it, from onEpochBegin). */
  stopTraining: boolean;
}

/** How the loop ended: `stopped` when a signal or an interrupt ended it mid-epoch, `failed` when a step threw. */
export interface TrainEnd {
  readonly stopped?: StopPoint;
  readonly failed: boolean;
}

/**
 * A hook into the loop; every method is optional and may be async (it is awaited). Epochs and
 * batches are 0-based. `onTrainEnd` runs however the loop ends, a thrown step included.
 */
export interface Callback {
  onTrainBegin?(run: TrainingRun): void | Promise<void>;
  onEpochBegin?(epoch: number, run: TrainingRun): void | Promise<void>;
  onBatchBegin?(at: BatchContext, run: TrainingRun): void | Promise<void>;
  /** `logs` are the batch's, `mean` the weighted mean of the epoch's batches so far. */
  onBatchEnd?(at: BatchContext, logs: Readonly<Logs>, mean: Readonly<Logs>, run: TrainingRun): void | Promise<void>;
  /** `logs` are the epoch's means plus what `endEpoch` added (validation); already in the history. */
  onEpochEnd?(epoch: number, logs: Readonly<Logs>, run: TrainingRun): void | Promise<void>;
  onTrainEnd?(end: TrainEnd, run: TrainingRun): void | Promise<void>;
}

/** Options of {@link trainLoop}; `B` is whatever one step consumes (indices, a tensor, per-worker positions). */
export interface TrainLoopOptions<B> {
  /** Epochs to reach (a resumed run starts at `firstEpoch`). */
  readonly epochs: number;
  /** 0-based epoch to start at; default 0. */
  readonly firstEpoch?: number;
  /** The history so far (a resumed run's); the loop appends to it. */
  readonly history?: History;
  /** The batches of one epoch, in order. */
  readonly batches: (epoch: number) => Iterable<B>;
  /** Trains on one batch. */
  readonly step: (batch: B, at: BatchContext) => Promise<StepResult>;
  /** Extra epoch logs after the last batch (e.g. validation scores). */
  readonly endEpoch?: (epoch: number, logs: Readonly<Logs>) => Promise<Logs | void> | Logs | void;
  readonly callbacks?: readonly (Callback | undefined)[];
  /** Stops before the next batch when aborted, as an interrupt of the cell that started the run does. */
  readonly signal?: AbortSignal | undefined;
}

/** What {@link trainLoop} did. */
export interface LoopResult {
  readonly history: History;
  /** Where and why a signal or an interrupt stopped the run (its epoch is left out of the history). */
  readonly stopped?: StopPoint;
}

/**
 * A step on the cpu and wasm backends resolves in microtasks only, so without a turn of the event
 * loop a stop that arrives as a message (a widget's Stop button, a comm, a timer) is never read
 * until the run ends. This often, the loop lets the event loop run between batches.
 */
const EVENT_LOOP_TURN_MS = 50;

/** Runs `options.epochs` epochs of `options.step` over `options.batches`, calling the callbacks in order. */
export async function trainLoop<B>(options: TrainLoopOptions<B>): Promise<LoopResult> {
  const callbacks = (options.callbacks ?? []).filter((callback): callback is Callback => callback !== undefined);
  const run: TrainingRun = { epochs: options.epochs, history: options.history ?? {}, stopTraining: false };
  const signals = stopSignals(options.signal);
  const each = async (call: (callback: Callback) => void | Promise<void>) => {
    for (const callback of callbacks) await call(callback);
  };
  let stopped: StopPoint | undefined;
  let failed = true;
  let lastTurn = performance.now();
  try {
    await each((c) => c.onTrainBegin?.(run));
    for (let epoch = options.firstEpoch ?? 0; epoch < options.epochs && !run.stopTraining; epoch++) {
      for (const callback of callbacks) if (!run.stopTraining) await callback.onEpochBegin?.(epoch, run);
      if (run.stopTraining) break;
      const sums: Logs = {};
      let weights = 0;
      let batch = 0;
      for (const item of options.batches(epoch)) {
        const at = { epoch, batch };
        await each((c) => c.onBatchBegin?.(at, run));
        const reason = stopReason(signals);
        if (reason !== undefined) {
          stopped = { epoch, batch, reason };
          break;
        }
        const { logs, weight } = await options.step(item, at);
        weights += weight;
        for (const [name, value] of Object.entries(logs)) sums[name] = (sums[name] ?? 0) + value * weight;
        const mean = meanOf(sums, weights);
        await each((c) => c.onBatchEnd?.(at, logs, mean, run));
        if (performance.now() - lastTurn >= EVENT_LOOP_TURN_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastTurn = performance.now();
        }
        batch++;
      }
      if (stopped !== undefined) break;
      const logs = meanOf(sums, weights);
      Object.assign(logs, await options.endEpoch?.(epoch, logs));
      for (const [name, value] of Object.entries(logs)) (run.history[name] ??= []).push(value);
      await each((c) => c.onEpochEnd?.(epoch, logs, run));
    }
    failed = false;
  } finally {
    const end: TrainEnd = { ...(stopped !== undefined ? { stopped } : {}), failed };
    await each((c) => c.onTrainEnd?.(end, run));
  }
  return { history: run.history, ...(stopped !== undefined ? { stopped } : {}) };
}

function meanOf(sums: Readonly<Logs>, weights: number): Logs {
  return Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, sum / weights]));
}
