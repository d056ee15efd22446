/**
 * The process the crash-resume test kills: trains the tiny classifier with a checkpoint every epoch,
 * printing "epoch N" after each checkpoint and pausing a little per batch so the kill lands mid-epoch.
 * Run: node -e 'require("tsx/cjs/api").register(); require("./train-child.ts").main(DIR, EPOCHS)'.
 */
import { initBackend } from "../../../src/backends";
import { fit } from "../../../src/training";
import { tinyClassifier, tinyData } from "./tiny-model";

export async function main(checkpointDir: string, epochs: number): Promise<void> {
  await initBackend({ quiet: true });
  const model = tinyClassifier();
  const { x, y } = tinyData(96);
  await fit(model, x, y, {
    epochs,
    batchSize: 8,
    seed: 3,
    checkpointDir,
    progress: false,
    onBatchEnd: () => new Promise((resolve) => setTimeout(resolve, 15)),
    onEpochEnd: (epoch) => {
      process.stdout.write(`epoch ${epoch}\n`);
    },
  });
  process.stdout.write("finished\n");
}
