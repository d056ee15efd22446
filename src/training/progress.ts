/** A progress bar per epoch as a loop callback: running means while the epoch trains, its logs when it ends. */
import { progressBar, type ProgressBar } from "../display";
import type { Callback, Logs, TrainEnd, TrainingRun } from "./loop";

function formatLogs(logs: Readonly<Logs>): string {
  return Object.entries(logs)
    .map(([name, value]) => `${name} ${value.toFixed(4)}`)
    .join(" · ");
}

/** Shows one bar of `batchesPerEpoch` batches for each epoch. */
export class ProgressCallback implements Callback {
  private bar: ProgressBar | undefined;

  constructor(private readonly batchesPerEpoch: number) {}

  onEpochBegin(epoch: number, run: TrainingRun): void {
    this.bar = progressBar({ total: this.batchesPerEpoch, label: `epoch ${epoch + 1}/${run.epochs}` });
  }

  onBatchEnd(at: { readonly batch: number }, _logs: unknown, mean: Readonly<Logs>): void {
    this.bar?.update(at.batch + 1, formatLogs(mean));
  }

  onEpochEnd(_epoch: number, logs: Readonly<Logs>): void {
    this.bar?.done(formatLogs(logs));
    this.bar = undefined;
  }

  onTrainEnd(end: TrainEnd): void {
    if (end.stopped !== undefined) this.bar?.done(`stopped: ${end.stopped.reason}`);
    this.bar = undefined;
  }
}
