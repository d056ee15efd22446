/**
 * Training of the from-scratch recurrent forecaster on the training loop (Seed 001 §3.1 steps 2–4,
 * §6.3): mini-batches of windows, shuffled within the training split when seeded, val_loss after
 * every epoch.
 */
import * as tf from "@tensorflow/tfjs";
import type { StopPoint } from "../cancellation";
import { checkRnnSize, type ScratchRnnForecaster } from "../models";
import { epochBatches } from "./batches";
import { trainLoop, type History, type Logs } from "./loop";
import { scalars } from "./scalars";

/** Options of {@link fitScratchRnn}. */
export interface ScratchFitOptions {
  readonly epochs: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** Seed of the per-epoch shuffle of the training windows; without one the windows stay in order. */
  readonly seed?: number;
  /** Windows scored after every epoch (val_loss). */
  readonly validationData?: readonly [tf.Tensor3D, tf.Tensor2D];
  /** Called after every epoch (1-based) with its logs. */
  readonly onEpochEnd?: (epoch: number, logs: Readonly<Record<string, number>>) => void;
  /**
   * Stops training before the next batch when aborted; a kernel interrupt of the cell that started
   * the run does the same. The epoch in flight is left out of the history.
   */
  readonly signal?: AbortSignal;
}

/** What a run did: per-epoch `loss` (training MSE over the epoch's windows) and `val_loss`. */
export interface ScratchFitResult {
  readonly history: History;
  /** Where and why the run stopped on a signal or an interrupt (0-based epoch and batch). */
  readonly stopped?: StopPoint;
}

/** Trains `model` for `options.epochs` passes over (x, y) in mini-batches. */
export async function fitScratchRnn(
  model: ScratchRnnForecaster,
  x: tf.Tensor3D,
  y: tf.Tensor2D,
  options: ScratchFitOptions,
): Promise<ScratchFitResult> {
  checkRnnSize(options.epochs, "fit: epochs");
  const batchSize = options.batchSize ?? 32;
  checkRnnSize(batchSize, "fit: batchSize");
  model.checkTargets(x, y);
  const samples = x.shape[0];
  const validation = options.validationData;
  return trainLoop<number[]>({
    epochs: options.epochs,
    history: { loss: [] },
    batches: (epoch) =>
      epochBatches(samples, { batchSize, seed: options.seed, epoch, shuffle: options.seed !== undefined }),
    step: async (picked) => {
      const batch = tf.tidy(() => {
        const rows = tf.tensor1d(picked, "int32");
        return { xb: tf.gather(x, rows) as tf.Tensor3D, yb: tf.gather(y, rows) as tf.Tensor2D };
      });
      try {
        const [loss] = await scalars(model.minimizeStep(batch.xb, batch.yb));
        return { logs: { loss: loss! }, weight: picked.length };
      } finally {
        tf.dispose([batch.xb, batch.yb]);
      }
    },
    endEpoch: async (): Promise<Logs> => {
      if (validation === undefined) return {};
      const [valLoss] = await scalars(model.lossTensor(validation[0], validation[1]));
      return { val_loss: valLoss! };
    },
    callbacks: [{ onEpochEnd: (epoch, logs) => options.onEpochEnd?.(epoch + 1, logs) }],
    signal: options.signal,
  });
}
