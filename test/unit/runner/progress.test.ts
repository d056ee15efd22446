import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseRunProfile, namesHardwareGpu } from "../../../src/runner/profile";
import {
  estimateSecondsLeft,
  ExpectedSecondsError,
  formatDuration,
  progressLine,
  readExpectedSeconds,
} from "../../../src/runner/progress";

describe("estimateSecondsLeft", () => {
  const expected = { "a.ipynb": 100, "b.ipynb": 300, "c.ipynb": 200 };

  it("sums the expected seconds of what is left before anything ran", () => {
    expect(estimateSecondsLeft(expected, [], ["nb/a.ipynb", "nb/b.ipynb", "nb/c.ipynb"])).toBeCloseTo(600);
  });

  it("scales by this run's pace so far", () => {
    // a took twice its expectation, so b and c are expected to as well
    expect(
      estimateSecondsLeft(expected, [{ notebook: "nb/a.ipynb", seconds: 200 }], ["nb/b.ipynb", "nb/c.ipynb"]),
    ).toBeCloseTo(1000);
  });

  it("bounds the pace so one outlier cannot swing the estimate wildly", () => {
    expect(estimateSecondsLeft(expected, [{ notebook: "a.ipynb", seconds: 10_000 }], ["c.ipynb"])).toBeCloseTo(800);
  });

  it("counts an unknown notebook as the mean and gives up without expectations", () => {
    expect(estimateSecondsLeft(expected, [], ["new.ipynb"])).toBeCloseTo(200);
    expect(estimateSecondsLeft(undefined, [], ["a.ipynb"])).toBeUndefined();
  });
});

describe("readExpectedSeconds", () => {
  const dir = mkdtempSync(join(tmpdir(), "lepton-expected-"));

  it("reads profiles, skips notes, and treats a missing file as no estimates", () => {
    const path = join(dir, "ok.json");
    writeFileSync(path, JSON.stringify({ _measured: "2 cores", standard: { "a.ipynb": 12.5 } }));
    expect(readExpectedSeconds(path)).toEqual({ standard: { "a.ipynb": 12.5 } });
    expect(readExpectedSeconds(join(dir, "missing.json"))).toEqual({});
  });

  it("names the file and the entry it cannot use", () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, JSON.stringify({ standard: { "a.ipynb": "soon" } }));
    expect(() => readExpectedSeconds(path)).toThrow(ExpectedSecondsError);
    expect(() => readExpectedSeconds(path)).toThrow(
      `${path}: "standard" → "a.ipynb" must be a non-negative number of seconds`,
    );
    writeFileSync(path, "{");
    expect(() => readExpectedSeconds(path)).toThrow(/bad\.json: not valid JSON/);
  });
});

describe("progress lines", () => {
  it("formats durations for people", () => {
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(600)).toBe("10 min");
    expect(formatDuration(3900)).toBe("1 h 05 min");
  });

  it("says where the run is and what is left", () => {
    expect(progressLine(3, 11, "notebooks/04_cnn_classifier.ipynb", 191, 840)).toBe(
      "▶ [4/11] notebooks/04_cnn_classifier.ipynb · 3 min elapsed · about 14 min left",
    );
    expect(progressLine(0, 1, "x.ipynb", 0, undefined)).toMatch(/no time estimate for this profile/);
  });
});

describe("the run's profile", () => {
  it("takes LEPTON_PROFILE, then CI's test profile, without probing", async () => {
    expect(await chooseRunProfile({ LEPTON_PROFILE: "full" })).toEqual({ profile: "full", why: "LEPTON_PROFILE" });
    expect(await chooseRunProfile({ CI: "true" })).toEqual({ profile: "test", why: "CI" });
  });

  it("probes the backend when nothing else decides, and says which it found", async () => {
    const { profile, why } = await chooseRunProfile({});
    expect(profile).toBe(/\bGPU\b|webgpu/.test(why) && !/software/.test(why) ? "full" : "standard");
    expect(why).toMatch(/backend: \w+/);
  }, 60_000);

  it("counts only hardware GPUs as GPUs", () => {
    expect(namesHardwareGpu("webgpu", "backend: webgpu (Dawn (Vulkan)) · device: nvidia hopper NVIDIA H200")).toBe(
      true,
    );
    expect(
      namesHardwareGpu("webgpu", "backend: webgpu (Dawn (Vulkan), software adapter) · device: google swiftshader"),
    ).toBe(false);
    expect(
      namesHardwareGpu(
        "tensorflow",
        "backend: tensorflow (@tensorflow/tfjs-node-gpu 4.22.0) · device: CUDA GPU (libtensorflow)",
      ),
    ).toBe(true);
    expect(
      namesHardwareGpu("tensorflow", "backend: tensorflow (@tensorflow/tfjs-node 4.22.0) · device: AMD EPYC"),
    ).toBe(false);
    expect(namesHardwareGpu("wasm", "backend: wasm (XNNPACK SIMD, 1 thread) · device: AMD EPYC")).toBe(false);
  });
});
