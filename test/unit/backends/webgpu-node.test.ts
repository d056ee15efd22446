import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { probeWebgpu } from "../../../src/backends/probes";
import {
  flatFeatureGpu,
  flatFeatures,
  installNavigatorGpu,
  withFlatFeatures,
  type DawnModule,
  type GpuAdapterLike,
} from "../../../src/backends/webgpu-node";

function fakeAdapter(seen: unknown[]): GpuAdapterLike & { features: Set<string>; label: string } {
  return {
    features: new Set(["timestamp-query", "bgra8unorm-storage"]),
    label: "fake",
    info: { vendor: "nvidia", description: "H100" },
    async requestDevice(descriptor) {
      seen.push(descriptor);
      return { device: true };
    },
  };
}

describe("WebGPU on Dawn in Node", () => {
  it("flattens the nested requiredFeatures tfjs-backend-webgpu 4.22 passes", () => {
    expect(flatFeatures(["timestamp-query", ["bgra8unorm-storage"]])).toEqual([
      "timestamp-query",
      "bgra8unorm-storage",
    ]);
    expect(flatFeatures([["a", ["b"]], "a"])).toEqual(["a", "b"]);
    expect(flatFeatures(undefined)).toBeUndefined();
  });

  it("wraps an adapter so requestDevice gets a flat list and everything else is untouched", async () => {
    const seen: unknown[] = [];
    const adapter = withFlatFeatures(fakeAdapter(seen));
    expect(adapter.features.has("bgra8unorm-storage")).toBe(true);
    expect(adapter.info?.description).toBe("H100");
    await adapter.requestDevice({
      requiredFeatures: ["timestamp-query", ["bgra8unorm-storage"]],
      requiredLimits: { maxBufferSize: 4 },
    });
    expect(seen[0]).toEqual({
      requiredFeatures: ["timestamp-query", "bgra8unorm-storage"],
      requiredLimits: { maxBufferSize: 4 },
    });
    const gpu = flatFeatureGpu({ requestAdapter: async () => null });
    expect(await gpu.requestAdapter()).toBeNull();
  });

  it("registers tfjs' webgpu backend on the one tfjs instance once navigator.gpu comes from Dawn", async () => {
    const dawn = (await import("webgpu")) as unknown as DawnModule;
    const seen: unknown[] = [];
    installNavigatorGpu(dawn, { requestAdapter: async () => fakeAdapter(seen) });
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeDefined();
    expect((globalThis as Record<string, unknown>).GPUBufferUsage).toBeDefined();
    await import("@tensorflow/tfjs-backend-webgpu");
    expect(tf.findBackendFactory("webgpu")).toBeDefined();
    expect(tf.getKernel("Conv2DBackpropFilter", "webgpu")).toBeDefined();
  });

  it("is skipped cleanly, with the reason, on a machine without a GPU (and trains where there is one)", async () => {
    const result = await probeWebgpu();
    if (result.available) {
      expect(result.trains).toBe(true);
      expect(result.device).not.toBe("");
    } else {
      expect(result.reason).toMatch(/Vulkan|adapter|webgpu could not start/);
    }
  });
});
