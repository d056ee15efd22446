import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { multiClassCnn } from "../../../src/models/cnn";
import { compareBackends, type ComparisonModel } from "../../../src/resources/backend-comparison";

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend("cpu");
});

describe("compareBackends", () => {
  it("times a real training step per working backend against cpu, and puts the active backend back", async () => {
    const tensors = tf.memory().numTensors;
    const results = await compareBackends({ backends: ["wasm"], batchSize: 4, steps: 2 });
    expect(results.map((r) => r.backend)).toEqual(["wasm", "cpu"]); // cpu, the reference, is always measured
    const cpu = results.find((r) => r.backend === "cpu")!;
    expect(cpu.speedVsCpu).toBe(1);
    expect(cpu.msPerStep).toBeGreaterThan(0);
    const wasm = results.find((r) => r.backend === "wasm")!;
    if (wasm.available) expect(wasm.speedVsCpu).toBeCloseTo(cpu.msPerStep! / wasm.msPerStep!, 10);
    else expect(wasm.msPerStep).toBeUndefined();
    expect(tf.getBackend()).toBe("cpu");
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it("times a model the caller builds: a one-block CNN", async () => {
    const cnn: ComparisonModel = {
      inputShape: [28, 28, 1],
      build: (seed) => multiClassCnn({ inputShape: [28, 28, 1], convFilters: [8], denseUnits: 32, seed }),
    };
    const [cpu] = await compareBackends({ backends: ["cpu"], workload: cnn, batchSize: 2, steps: 1 });
    expect(cpu).toMatchObject({ backend: "cpu", available: true, speedVsCpu: 1 });
  });

  it("refuses sizes that cannot work", async () => {
    await expect(compareBackends({ steps: 0 })).rejects.toThrow(/steps ≥ 1/);
  });
});
