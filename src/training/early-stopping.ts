/**
 * Early stopping (Seed 000 §5.3.3 model training: stop when the validation score stops improving;
 * Keras' EarlyStopping semantics): watch one logged quantity, count epochs without an improvement
 * larger than minDelta, stop after `patience` of them, remember the best epoch.
 */
import * as tf from "@tensorflow/tfjs";
import { restoreCheckpoint, type CheckpointStore } from "./checkpoint";
import type { Callback, TrainEnd, TrainingRun } from "./loop";
import { LeptonError } from "../errors";

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** The logged quantity to watch; default "val_loss" (or "loss" without validation data). */
  readonly monitor?: string;
  /** Epochs without improvement before stopping; default 3. */
  readonly patience?: number;
  /** Least change that counts as an improvement; default 0. */
  readonly minDelta?: number;
  /** "min" for losses, "max" for scores; default: "max" when the name has acc/precision/recall/f1/auc, else "min". */
  readonly mode?: "min" | "max";
  /** Put back the best epoch's weights when training ends; default true. */
  readonly restoreBestWeights?: boolean;
}

/** The part of early stopping that a checkpoint carries. */
export interface EarlyStoppingState {
  readonly best: number | null;
  readonly bestEpoch: number | null;
  readonly wait: number;
}

/** Raised for early-stopping options that cannot work. */
export class EarlyStoppingError extends LeptonError {}

/** Tracks the monitored quantity epoch by epoch and says when to stop. */
export class EarlyStopping {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: "min" | "max";
  readonly restoreBestWeights: boolean;
  private state: EarlyStoppingState = { best: null, bestEpoch: null, wait: 0 };

  constructor(options: EarlyStoppingOptions, defaultMonitor: string) {
    this.monitor = options.monitor ?? defaultMonitor;
    this.patience = options.patience ?? 3;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.mode = options.mode ?? (/acc|precision|recall|f1|auc/i.test(this.monitor) ? "max" : "min");
    this.restoreBestWeights = options.restoreBestWeights ?? true;
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new EarlyStoppingError(`patience must be an integer ≥ 0, got ${this.patience}`);
  }

  /** Best value, its epoch (1-based) and the epochs waited so far. */
  get current(): EarlyStoppingState {
    return this.state;
  }

  /** Continues from a checkpoint's state. */
  restore(state: EarlyStoppingState): void {
    this.state = state;
  }

  /** Records one epoch's logs; returns whether it improved and whether training should stop. */
  update(epoch: number, logs: Readonly<Record<string, number>>): { improved: boolean; stop: boolean } {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new EarlyStoppingError(
        `early stopping watches "${this.monitor}", but the epoch logged only ${Object.keys(logs).join(", ")}`,
      );
    }
    const { best } = this.state;
    const improved =
      best === null || (this.mode === "min" ? value < best - this.minDelta : value > best + this.minDelta);
    this.state = improved ? { best: value, bestEpoch: epoch, wait: 0 } : { ...this.state, wait: this.state.wait + 1 };
    return { improved, stop: !improved && this.state.wait >= this.patience };
  }
}

/**
 * Early stopping as a loop callback on `model`: ends training once `tracker` says so, keeps the
 * best epoch's weights (in `store` when the run checkpoints, else in memory) and, with
 * restoreBestWeights, puts them back when training ends. A run resumed past its patience stops
 * before its first epoch.
 */
export class EarlyStoppingCallback implements Callback {
  /** The epoch training stopped at because the monitored value stopped improving. */
  stoppedEarlyAt: number | undefined;
  /** The epoch whose weights the model holds after restoring the best ones. */
  bestEpoch: number | undefined;
  private bestWeights: tf.Tensor[] | undefined;

  constructor(
    readonly tracker: EarlyStopping,
    private readonly model: tf.LayersModel,
    private readonly store?: CheckpointStore,
  ) {}

  onEpochBegin(epoch: number, run: TrainingRun): void {
    const { wait, best } = this.tracker.current;
    if (wait >= this.tracker.patience && best !== null && epoch > 0) {
      this.stoppedEarlyAt = epoch;
      run.stopTraining = true;
    }
  }

  async onEpochEnd(epoch: number, logs: Readonly<Record<string, number>>, run: TrainingRun): Promise<void> {
    const verdict = this.tracker.update(epoch + 1, logs);
    if (verdict.improved && this.tracker.restoreBestWeights) {
      if (this.store !== undefined) await this.store.saveBest(this.model);
      else {
        tf.dispose(this.bestWeights ?? []);
        this.bestWeights = this.model.getWeights().map((weight) => weight.clone());
      }
    }
    if (verdict.stop) {
      this.stoppedEarlyAt = epoch + 1;
      run.stopTraining = true;
    }
  }

  async onTrainEnd(end: TrainEnd, run: TrainingRun): Promise<void> {
    try {
      if (end.failed || !this.tracker.restoreBestWeights) return;
      this.bestEpoch = this.tracker.current.bestEpoch ?? undefined;
      const epochs = Object.values(run.history)[0]?.length ?? 0;
      if (this.bestEpoch === undefined || this.bestEpoch === epochs) return;
      if (this.bestWeights !== undefined) this.model.setWeights(this.bestWeights);
      else if (this.store !== undefined) await restoreCheckpoint(this.model, this.store.bestDir, false);
    } finally {
      tf.dispose(this.bestWeights ?? []);
      this.bestWeights = undefined;
    }
  }
}
