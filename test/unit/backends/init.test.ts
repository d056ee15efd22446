import * as tf from "@tensorflow/tfjs";
import { describe, expect, it, vi } from "vitest";

describe("initBackend", () => {
  it("picks a backend that trains, prints it once, and returns the same choice", async () => {
    vi.resetModules();
    const { initBackend, describeBackend, backendLine } = await import("../../../src/backends");
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const info = await initBackend();
    const again = await initBackend();
    expect(again).toBe(info);
    expect(info.trains).toBe(true);
    expect(tf.getBackend()).toBe(info.name);
    expect(describeBackend()).toBe(info);
    // the backend line, then one line on why webgpu was not chosen when it was probed and refused
    const webgpuRefused = info.probes.some((probe) => probe.name === "webgpu" && !probe.available);
    expect(log).toHaveBeenCalledTimes(webgpuRefused ? 2 : 1);
    expect(log.mock.calls[0]![0]).toBe(backendLine(info));
    if (webgpuRefused) expect(log.mock.calls[1]![0]).toMatch(/^webgpu not chosen: \S/);
    expect(backendLine(info)).toMatch(/^backend: \w+ .*· device: .* · tfjs 4\.22\.0$/);
    log.mockRestore();
  });

  it("refuses a forced backend that is not available, naming it and why", async () => {
    vi.resetModules();
    const { initBackend, BackendUnavailableError } = await import("../../../src/backends");
    const attempt = initBackend({ force: "tensorflow", quiet: true });
    await expect(attempt).rejects.toThrow(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(/LEPTON_BACKEND=tensorflow is not available: libtensorflow is not installed/);
  });

  it("honours a forced backend that works", async () => {
    vi.resetModules();
    const { initBackend } = await import("../../../src/backends");
    const info = await initBackend({ force: "wasm", quiet: true });
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });
});
