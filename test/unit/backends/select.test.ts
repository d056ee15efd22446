import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { missingTrainingKernels } from "../../../src/backends";
import { probeCpu, probeTensorflow, probeWasm } from "../../../src/backends/probes";

describe("backend probes", () => {
  it("finds the cpu backend computing and able to train", async () => {
    const cpu = await probeCpu();
    expect(cpu).toMatchObject({ name: "cpu", available: true, trains: true });
    expect(missingTrainingKernels("cpu")).toEqual([]);
  });

  it("reports wasm as computing, and says which training kernels it lacks", async () => {
    const wasm = await probeWasm();
    expect(wasm.available).toBe(true);
    expect(wasm.detail).toMatch(/XNNPACK/);
    const missing = missingTrainingKernels("wasm");
    expect(wasm.trains).toBe(missing.length === 0);
    for (const kernel of missing) expect(wasm.reason).toContain(kernel);
  });

  it("does not mistake danfo's tfjs-node alias for libtensorflow", async () => {
    const result = await probeTensorflow();
    const manifest = require("@tensorflow/tfjs-node/package.json") as { name: string };
    if (manifest.name === "@tensorflow/tfjs") {
      expect(result.available).toBe(false);
      expect(result.reason).toContain("alias of @tensorflow/tfjs");
    }
  });

  it("leaves no tensor behind", async () => {
    await tf.setBackend("cpu");
    const before = tf.memory().numTensors;
    await probeCpu();
    expect(tf.memory().numTensors).toBe(before);
  });
});
