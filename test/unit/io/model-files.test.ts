import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../../src/backends";
import { loadModel, ModelFileError, saveModel } from "../../../src/io";
import { multiClassCnn } from "../../../src/models";
import { predictClasses } from "../../../src/training";

const scratch = mkdtempSync(join(tmpdir(), "lepton-io-"));
beforeAll(async () => {
  await initBackend({ quiet: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tinyCnn(): tf.Sequential {
  return multiClassCnn({ inputShape: [8, 8, 1], convFilters: [2], denseUnits: 4, classes: 3, seed: 5 });
}

async function trainedAndSaved(name: string): Promise<{ model: tf.Sequential; dir: string; x: tf.Tensor4D }> {
  const model = tinyCnn();
  const x = tf.randomUniform([6, 8, 8, 1], 0, 1, "float32", 1) as tf.Tensor4D;
  const y = tf.tensor1d([0, 1, 2, 0, 1, 2]);
  await model.trainOnBatch(x, y);
  y.dispose();
  const dir = join(scratch, name);
  await saveModel(model, dir);
  return { model, dir, x };
}

describe("model save / load (Seed 000 §5.2.4)", () => {
  it("round-trips to identical predictions, compiled, without leaking tensors", async () => {
    const { model, dir, x } = await trainedAndSaved("round-trip");
    expect(existsSync(join(dir, "model.json"))).toBe(true);
    expect(existsSync(join(dir, "weights.bin"))).toBe(true);
    const before = tf.memory().numTensors;
    const loaded = await loadModel(dir);
    const original = model.predict(x) as tf.Tensor;
    const again = loaded.predict(x) as tf.Tensor;
    expect(Array.from(again.dataSync())).toEqual(Array.from(original.dataSync()));
    expect(Array.from((await predictClasses(loaded, x)).classes)).toEqual(
      Array.from((await predictClasses(model, x)).classes),
    );
    expect(loaded.optimizer).toBeDefined(); // training config saved: compiled on load, as Keras' load_model
    tf.dispose([original, again]);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    x.dispose();
  });

  it("leaves no tensor behind after saving with the optimizer state", async () => {
    const { model, dir, x } = await trainedAndSaved("no-leak");
    const before = tf.memory().numTensors;
    await saveModel(model, dir);
    await saveModel(model, dir, { includeOptimizer: false });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    x.dispose();
  });

  it("refuses a weights path that climbs out of the model's folder", async () => {
    const { model, dir, x } = await trainedAndSaved("escape");
    writeFileSync(join(scratch, "x.bin"), readFileSync(join(dir, "weights.bin")));
    const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    json.weightsManifest[0].paths = ["../x.bin"];
    writeFileSync(join(dir, "model.json"), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(ModelFileError);
    await expect(loadModel(dir)).rejects.toThrow(/"\.\.\/x\.bin" points outside the model's folder/);
    json.weightsManifest[0].paths = [join(scratch, "x.bin")];
    writeFileSync(join(dir, "model.json"), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/is absolute or a URL/);
    json.weightsManifest[0].paths = ["sub/../../x.bin"];
    writeFileSync(join(dir, "model.json"), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/points outside/);
    model.dispose();
    x.dispose();
  });

  it("refuses a link inside the folder that points outside it", async () => {
    const { model, dir, x } = await trainedAndSaved("link");
    writeFileSync(join(scratch, "outside.bin"), readFileSync(join(dir, "weights.bin")));
    rmSync(join(dir, "weights.bin"));
    symlinkSync(join(scratch, "outside.bin"), join(dir, "weights.bin"));
    await expect(loadModel(dir)).rejects.toThrow(/is a link to .*outside\.bin, outside the model's folder/);
    model.dispose();
    x.dispose();
  });

  it("names a missing or truncated weights file", async () => {
    const { model, dir, x } = await trainedAndSaved("damaged");
    const weights = join(dir, "weights.bin");
    const size = readFileSync(weights).byteLength;
    truncateSync(weights, size - 4);
    await expect(loadModel(dir)).rejects.toThrow(
      new RegExp(
        `weights\\.bin: weights group 0 is truncated: its \\d+ weight specs need ${size} bytes, the files hold ${size - 4}`,
      ),
    );
    rmSync(weights);
    await expect(loadModel(dir)).rejects.toThrow(
      /weights\.bin: weights file named by .*model\.json \(weightsManifest\[0\]\.paths\[0\]\) is missing/,
    );
    model.dispose();
    x.dispose();
  });

  it("names a broken model.json and an empty folder", async () => {
    const dir = join(scratch, "broken");
    mkdirSync(dir, { recursive: true });
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: model\.json is missing/);
    writeFileSync(join(dir, "model.json"), "{ not json");
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: is not valid JSON/);
    writeFileSync(join(dir, "model.json"), JSON.stringify({ weightsManifest: [] }));
    await expect(loadModel(dir)).rejects.toThrow(/has no modelTopology/);
    await expect(loadModel(join(scratch, "nowhere"))).rejects.toThrow(/no saved model here/);
  });
});
