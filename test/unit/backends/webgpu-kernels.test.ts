/**
 * The GPU code path on every commit: tfjs's webgpu backend (WGSL kernels, Dawn, the project's
 * feature-list shim) checked against the cpu backend, forward and backward, on every kernel the
 * workbook trains with. Without a GPU it runs on SwiftShader's Vulkan driver (shipped with
 * Debian's chromium) — a CPU rasteriser, slow but exact enough to catch wrong kernels.
 */
import { existsSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBackendAgainstCpu, type BackendCheck } from "../../../src/backends/backend-check";
import { probeWebgpu } from "../../../src/backends/probes";
import { missingVulkanPiece, vulkanDriverManifests } from "../../../src/backends/vulkan";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
// SwiftShader joins the system's drivers (Mesa's give no adapter without a GPU); the probe takes a
// hardware adapter first, and this process then loads only the driver it took.
if (
  existsSync(SWIFTSHADER_ICD) &&
  process.env.VK_ICD_FILENAMES === undefined &&
  process.env.VK_DRIVER_FILES === undefined
) {
  process.env.VK_ICD_FILENAMES = [...vulkanDriverManifests(), SWIFTSHADER_ICD].join(":");
}
const whyNot = missingVulkanPiece();

describe.skipIf(whyNot !== undefined)("webgpu against cpu", () => {
  let checks: BackendCheck[] = [];
  let before = 0;

  beforeAll(async () => {
    tf.enableProdMode(); // no "install our node backend" banner
    const probe = await probeWebgpu(true);
    if (!probe.available)
      throw new Error(
        `webgpu did not start on ${process.env.VK_ICD_FILENAMES ?? "the system's Vulkan driver"}: ${probe.reason}`,
      );
    await tf.setBackend("cpu");
    before = tf.memory().numTensors;
    checks = await checkBackendAgainstCpu("webgpu");
    console.log(
      checks
        .map((c) => `${c.ok ? "ok " : "BAD"} ${c.relativeError.toExponential(2)} ≤ ${c.tolerance}  ${c.name}`)
        .join("\n"),
    );
  }, 600_000);

  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("covers convolutions, transposed convolutions, pooling, dense, batch norm, dropout, LSTM, GRU and Adam", () => {
    const names = checks.map((c) => c.name).join(" | ");
    for (const kernel of [
      "conv2d",
      "conv2dTranspose",
      "maxPool",
      "avgPool",
      "matMul",
      "batch normalisation",
      "dropout",
      "LSTM",
      "GRU",
      "Adam",
      "CNN",
    ]) {
      expect(names).toContain(kernel);
    }
  });

  it("agrees with cpu within each check's tolerance", () => {
    const bad = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.relativeError} > ${c.tolerance}`);
    expect(bad).toEqual([]);
  });

  it("leaves no tensor behind", async () => {
    await tf.setBackend("cpu");
    expect(tf.memory().numTensors).toBe(before);
  });
});
