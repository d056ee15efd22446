/**
 * A training-progress widget for `fit`: a progress bar over the run's epochs, a label with the
 * epoch and the latest loss, and a Stop button. Stop aborts the signal handed to `fit`, which
 * then ends at its next batch: the epoch in flight is dropped, so the history and the last
 * checkpoint hold whole epochs only. Nobody clicks in a headless run, which then trains to the end.
 */
import type { BatchContext, FitOptions, FitResult } from "../../training";
import { Button, FloatProgress, HBox, Label } from "./controls";

/** The reason a run stopped from the widget's button carries. */
export const STOPPED_FROM_BUTTON = "stopped from the Stop button";

/** Options of a {@link TrainingProgress}. */
export interface TrainingProgressOptions {
  readonly epochs: number;
  /** Batches per epoch (ceil(samples / batchSize)): the bar then also moves within an epoch. */
  readonly batchesPerEpoch?: number;
  /** Least time between two bar updates within an epoch; default 100 ms. */
  readonly intervalMs?: number;
}

/** The fit options the widget drives: its stop signal and its progress hooks. */
export type TrainingProgressHooks = Required<Pick<FitOptions, "signal" | "onBatchEnd" | "onEpochEnd" | "progress">>;

/** A progress bar, an epoch/loss label and a Stop button, in one row. */
export class TrainingProgress extends HBox {
  readonly bar: FloatProgress;
  readonly label: Label;
  readonly stopButton: Button;
  private readonly controller = new AbortController();
  private lastUpdate = 0;

  constructor(private readonly options: TrainingProgressOptions) {
    const bar = new FloatProgress({
      min: 0,
      max: options.epochs,
      value: 0,
      description: "training",
      bar_style: "info",
    });
    const label = new Label(`epoch 0/${options.epochs}`);
    const stopButton = new Button({
      description: "Stop",
      button_style: "danger",
      icon: "stop",
      tooltip: "stop training at the next batch",
    });
    super([bar, label, stopButton]);
    this.bar = bar;
    this.label = label;
    this.stopButton = stopButton;
    stopButton.onClick(() => this.stop());
  }

  /** The signal that the Stop button aborts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the run at its next batch, as the button does. */
  stop(reason = STOPPED_FROM_BUTTON): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(reason);
    this.stopButton.set({ disabled: true, description: "Stopping…" });
  }

  /** The options to spread into `fit`'s: `fit(model, x, y, { epochs, ...progress.hooks() })`. */
  hooks(): TrainingProgressHooks {
    return {
      signal: this.signal,
      progress: false,
      onBatchEnd: (context, loss) => this.batchEnded(context, loss),
      onEpochEnd: (epoch, logs) => this.epochEnded(epoch, logs),
    };
  }

  /** Shows how the run ended: finished, stopped early, or stopped from the button. */
  finish(result: FitResult): void {
    const done = result.epochs.length;
    this.bar.set({ value: done, bar_style: result.stopped === undefined ? "success" : "warning" });
    const stopped = result.stopped;
    const why =
      stopped === undefined || stopped.reason === STOPPED_FROM_BUTTON ? "by the Stop button" : `(${stopped.reason})`;
    const ending =
      stopped !== undefined
        ? `stopped in epoch ${stopped.epoch + 1} ${why}`
        : result.stoppedEarlyAt !== undefined
          ? `stopped early at epoch ${result.stoppedEarlyAt}`
          : "done";
    this.label.value = `${done}/${this.options.epochs} epochs · ${ending}`;
    this.stopButton.set({ disabled: true, description: "Stopped" });
  }

  private batchEnded(context: BatchContext, loss: number): void {
    const now = Date.now();
    if (now - this.lastUpdate < (this.options.intervalMs ?? 100)) return;
    this.lastUpdate = now;
    const within = this.options.batchesPerEpoch === undefined ? 0 : (context.batch + 1) / this.options.batchesPerEpoch;
    this.bar.value = context.epoch + Math.min(1, within);
    this.label.value = `epoch ${context.epoch + 1}/${this.options.epochs} · batch ${context.batch + 1} · loss ${loss.toFixed(4)}`;
  }

  private epochEnded(epoch: number, logs: Readonly<Record<string, number>>): void {
    this.lastUpdate = Date.now();
    this.bar.value = epoch;
    const shown = Object.entries(logs).map(([name, value]) => `${name} ${value.toFixed(4)}`);
    this.label.value = `epoch ${epoch}/${this.options.epochs} · ${shown.join(" · ")}`;
  }
}
