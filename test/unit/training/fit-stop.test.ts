import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { openInterruptScope } from "../../../src/cancellation";
import { fit } from "../../../src/training";
import { tinyClassifier, tinyData } from "./tiny-model";

describe("fit stops on a signal", () => {
  it("stops before the next batch, keeps only whole epochs, leaves the last checkpoint whole, and leaks nothing", async () => {
    const { x, y } = tinyData(64);
    const model = tinyClassifier();
    await fit(model, x, y, { epochs: 1, batchSize: 16, seed: 1, progress: false }); // creates Adam's moments
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const checkpointDir = join(mkdtempSync(join(tmpdir(), "lepton-stop-")), "run");
    const seen: string[] = [];
    const result = await fit(model, x, y, {
      epochs: 5,
      batchSize: 16,
      seed: 1,
      progress: false,
      checkpointDir,
      onBatchEnd: ({ epoch, batch }) => {
        seen.push(`${epoch}.${batch}`);
        if (epoch === 2 && batch === 1) controller.abort("stop button");
      },
      signal: controller.signal,
    });
    expect(result.stopped).toEqual({ epoch: 2, batch: 2, reason: "stop button" });
    expect(seen.at(-1)).toBe("2.1"); // no batch ran after the abort
    expect(result.epochs).toEqual([1, 2]); // the epoch in flight is not in the history
    expect(result.history.loss).toHaveLength(2);
    expect(
      readdirSync(checkpointDir)
        .filter((name) => name.startsWith("epoch-"))
        .sort()
        .at(-1),
    ).toBe("epoch-0002");
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("lets the event loop turn between batches, so a stop sent from a timer or a message arrives mid-run", async () => {
    const { x, y } = tinyData(32);
    const model = tinyClassifier();
    const controller = new AbortController();
    // Without a turn of the loop this timer would fire only after all 100,000 epochs.
    const timer = setTimeout(() => controller.abort("a message"), 30);
    const result = await fit(model, x, y, {
      epochs: 100_000,
      batchSize: 8,
      seed: 1,
      progress: false,
      signal: controller.signal,
    });
    clearTimeout(timer);
    expect(result.stopped?.reason).toBe("a message");
    expect(result.epochs.length).toBeLessThan(100_000);
    tf.dispose([x, y]);
    model.dispose();
  }, 60_000);

  it("stops when the interrupt scope it started in is aborted (a kernel interrupt)", async () => {
    const { x, y } = tinyData(32);
    const model = tinyClassifier();
    const scope = openInterruptScope();
    let batches = 0;
    const result = await fit(model, x, y, {
      epochs: 3,
      batchSize: 8,
      progress: false,
      onBatchEnd: () => {
        batches += 1;
        if (batches === 3) scope.abort(new Error("the cell was interrupted"));
      },
    });
    openInterruptScope(); // later runs start in a fresh scope
    expect(batches).toBe(3);
    expect(result.stopped).toEqual({ epoch: 0, batch: 3, reason: "the cell was interrupted" });
    expect(result.epochs).toEqual([]);
    tf.dispose([x, y]);
    model.dispose();
  });
});
