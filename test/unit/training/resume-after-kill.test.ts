/**
 * Crash and resume for real (Seed 000 §5.3.3): a child process trains with a checkpoint every epoch
 * and is killed with SIGKILL in the middle of an epoch; the run started again in this process
 * continues from the last complete checkpoint and ends with the weights of a run never interrupted.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { initBackend } from "../../../src/backends";
import { CheckpointStore, fit } from "../../../src/training";
import { flatWeights, maxRelativeDifference, tinyClassifier, tinyData } from "./tiny-model";

const EPOCHS = 6;
const scratch = mkdtempSync(join(tmpdir(), "lepton-kill-"));
beforeAll(async () => {
  await initBackend({ quiet: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Starts the child and kills it as soon as it reports `killAfter` epochs, partway into the next one. */
function trainAndKill(dir: string, killAfter: number): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  const child = resolve(__dirname, "train-child.ts");
  const script = `require("tsx/cjs/api").register(); require(${JSON.stringify(child)}).main(${JSON.stringify(dir)}, ${EPOCHS}).catch((e) => { console.error(e); process.exit(3); });`;
  return new Promise((resolvePromise, reject) => {
    const process_ = spawn(process.execPath, ["-e", script], {
      cwd: resolve(__dirname, "../../.."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    process_.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`epoch ${killAfter}\n`)) setTimeout(() => process_.kill("SIGKILL"), 40);
    });
    process_.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    process_.on("error", reject);
    process_.on("exit", (_code, signal) => resolvePromise({ signal, output }));
  });
}

it(
  "a run killed mid-epoch resumes from its last checkpoint and matches the uninterrupted run",
  { timeout: 120_000 },
  async () => {
    const dir = join(scratch, "killed");
    const { signal, output } = await trainAndKill(dir, 2);
    expect(signal, output).toBe("SIGKILL");
    expect(output).not.toContain("finished");
    const latest = new CheckpointStore(dir).latest();
    expect(latest, `no checkpoint in ${dir}`).toBeDefined();
    const lastCompleted = latest!.state.epoch;
    expect(lastCompleted).toBeGreaterThanOrEqual(2);
    expect(lastCompleted).toBeLessThan(EPOCHS);
    expect(output).toContain(`epoch ${lastCompleted}\n`);
    expect(readdirSync(dir).some((name) => name === `epoch-${String(lastCompleted).padStart(4, "0")}`)).toBe(true);

    const { x, y } = tinyData(96);
    const resumedModel = tinyClassifier();
    const resumed = await fit(resumedModel, x, y, {
      epochs: EPOCHS,
      batchSize: 8,
      seed: 3,
      checkpointDir: dir,
      progress: false,
    });
    expect(resumed.resumedFrom).toBe(lastCompleted);
    expect(resumed.epochs).toHaveLength(EPOCHS);
    expect(existsSync(join(dir, `epoch-${String(EPOCHS).padStart(4, "0")}`))).toBe(true);

    const referenceModel = tinyClassifier();
    const reference = await fit(referenceModel, x, y, { epochs: EPOCHS, batchSize: 8, seed: 3, progress: false });
    expect(maxRelativeDifference(flatWeights(resumedModel), flatWeights(referenceModel))).toBeLessThan(1e-5);
    resumed.history.loss!.forEach((loss, i) => expect(loss).toBeCloseTo(reference.history.loss![i]!, 5));
    tf.dispose([x, y]);
    resumedModel.dispose();
    referenceModel.dispose();
  },
);
