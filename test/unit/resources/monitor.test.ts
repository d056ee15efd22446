import { totalmem } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { installSink } from "../../../src/display/sink";
import { nvidiaGpus } from "../../../src/resources/machine";
import { ResourceMonitor, ResourceMonitorError } from "../../../src/resources/monitor";
import { resourceFigure, resourceTraces, summarizeSamples } from "../../../src/resources/monitor-report";
import { liveResourcePlot } from "../../../src/resources/live-plot";
import { recordingSink } from "../display/helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
}

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend("cpu");
});

afterEach(() => {
  installSink(undefined);
});

describe("ResourceMonitor", () => {
  it("samples on an unref'd timer until stopped, then never again", async () => {
    const monitor = new ResourceMonitor({ intervalMs: 20 });
    const before = timers();
    monitor.start();
    expect(monitor.running).toBe(true);
    expect(timers()).toBe(before); // the interval does not keep the process alive
    await sleep(130);
    const samples = await monitor.stop();
    expect(monitor.running).toBe(false);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    const count = samples.length;
    await sleep(60);
    expect(monitor.samples.length).toBe(count);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.t).toBeGreaterThan(samples[i - 1]!.t);
  });

  it("records CPU, memory, disk, network, GPU and tensors as the machine reports them", async () => {
    const monitor = new ResourceMonitor({ intervalMs: 1000 });
    monitor.start();
    busyFor(120);
    const idle = await monitor.sample();
    const made = [tf.zeros([10]), tf.ones([2, 3]), tf.scalar(1)];
    const withTensors = await monitor.sample();
    tf.dispose(made);
    await monitor.stop();
    expect(idle.cpu.processPercent).toBeGreaterThan(30); // a busy loop of 120 ms in a window of ~120 ms
    expect(idle.cpu.systemPercent).toBeGreaterThanOrEqual(0);
    expect(idle.cpu.systemPercent).toBeLessThanOrEqual(100);
    expect(idle.memory.totalBytes).toBe(totalmem());
    expect(idle.memory.rssBytes).toBeGreaterThan(idle.memory.heapUsedBytes);
    expect(idle.disk?.totalBytes).toBeGreaterThan(0);
    if (process.platform === "linux") expect(idle.network?.rxBytesPerSecond).toBeGreaterThanOrEqual(0);
    if (nvidiaGpus().length === 0) {
      expect(idle.gpu).toBeNull();
      expect(monitor.gpuAbsence).not.toBe("");
    } else expect(idle.gpu?.length).toBe(nvidiaGpus().length);
    expect(withTensors.tensors.numTensors - idle.tensors.numTensors).toBe(3);
    expect(withTensors.tensors.numBytes - idle.tensors.numBytes).toBe(4 * (10 + 6 + 1));
    expect(withTensors.tensors.backend).toBe("cpu");
  });

  it("ticks only when the interval has passed", async () => {
    const monitor = new ResourceMonitor({ intervalMs: 40 });
    monitor.start();
    expect(await monitor.tick()).toBeUndefined();
    busyFor(45);
    expect(await monitor.tick()).toBeDefined();
    expect(await monitor.tick()).toBeUndefined();
    await monitor.stop();
  });

  it("refuses bad options and a second start", () => {
    expect(() => new ResourceMonitor({ intervalMs: 0 })).toThrow(ResourceMonitorError);
    expect(() => new ResourceMonitor({ maxSamples: 0 })).toThrow(/maxSamples/);
    const monitor = new ResourceMonitor({ intervalMs: 1000 });
    monitor.start();
    expect(() => monitor.start()).toThrow(/already running/);
    return monitor.stop();
  });

  it("keeps at most maxSamples", async () => {
    const monitor = new ResourceMonitor({ maxSamples: 2, gpu: false });
    for (let i = 0; i < 4; i++) await monitor.sample();
    expect(monitor.samples).toHaveLength(2);
  });
});

describe("monitor report", () => {
  it("turns samples into stacked traces, a figure and a summary", async () => {
    const monitor = new ResourceMonitor({ gpu: false });
    const samples = [];
    for (let i = 0; i < 3; i++) {
      busyFor(15);
      samples.push(await monitor.sample());
    }
    const traces = resourceTraces(samples);
    const axes = new Set(traces.map((t) => t.yaxis));
    expect(axes.has("y") && axes.has("y2") && axes.has("y3")).toBe(true);
    expect((traces[0]!.x as number[]).length).toBe(3);
    const fig = resourceFigure(samples, "test");
    expect(fig.data.length).toBe(traces.length);
    expect(fig.layout.yaxis2).toBeDefined();
    const summary = summarizeSamples(samples);
    expect(summary.samples).toBe(3);
    expect(summary.peakRssBytes).toBe(Math.max(...samples.map((s) => s.memory.rssBytes)));
    expect(summary.peakGpuPercent).toBeNull();
    expect(summary.meanProcessCpuPercent).toBeGreaterThan(0);
    expect(() => summarizeSamples([])).toThrow(/no samples/);
  });

  it("draws live under one display id, throttled, and once more on close", async () => {
    const { sink, calls } = recordingSink();
    installSink(sink);
    const monitor = new ResourceMonitor({ gpu: false });
    const live = liveResourcePlot(monitor, { throttleMs: 60_000, displayId: "res" });
    for (let i = 0; i < 4; i++) await monitor.sample();
    await live.close();
    const figures = calls.filter((c) => c.options?.displayId === "res");
    expect(figures.map((c) => c.kind)).toEqual(["display", "update"]);
    expect(live.redraws).toBe(2);
    await monitor.sample();
    expect(calls.filter((c) => c.options?.displayId === "res")).toHaveLength(2); // detached
  });
});
