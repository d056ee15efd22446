/** Iterating an image folder stops before decoding the next batch on a signal or an interrupt. */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { openInterruptScope } from "../../../src/cancellation";
import { DatasetError } from "../../../src/data/errors";
import { imageDatasetFromDirectory } from "../../../src/data/image-folder";

const FOLDER = join(__dirname, "../../../data/fashion-mnist-png"); // 200 images
const options = { imageSize: [8, 8] as const, batchSize: 50, colorMode: "grayscale" as const, seed: 3 };

describe("image folder iteration stops on a signal", () => {
  it("ends the pass before the next batch, records where, and the next pass starts afresh", async () => {
    const data = imageDatasetFromDirectory(FOLDER, options);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let batches = 0;
    for await (const batch of data.batches({ signal: controller.signal })) {
      batches += 1;
      tf.dispose([batch.images, batch.labels!]);
      if (batches === 2) controller.abort("enough");
    }
    expect(batches).toBe(2);
    expect(data.stopped).toEqual({ epoch: 0, batch: 2, reason: "enough" });
    expect(tf.memory().numTensors).toBe(before);
    let full = 0;
    for await (const batch of data) {
      full += batch.images.shape[0];
      tf.dispose([batch.images, batch.labels!]);
    }
    expect(full).toBe(200);
    expect(data.stopped).toBeUndefined();
  });

  it("toTensors refuses to return a partial folder, naming it, and frees what it had read", async () => {
    const data = imageDatasetFromDirectory(FOLDER, options);
    const before = tf.memory().numTensors;
    const scope = openInterruptScope();
    const loading = data.toTensors();
    scope.abort(new Error("the cell was interrupted")); // the first batch is decoding
    await expect(loading).rejects.toThrow(DatasetError);
    await expect(loading).rejects.toThrow(
      /fashion-mnist-png: loading stopped after 1 of 4 batches: the cell was interrupted/,
    );
    openInterruptScope();
    expect(tf.memory().numTensors).toBe(before);
  });
});
