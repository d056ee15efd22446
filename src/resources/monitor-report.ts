/**
 * What a run of the resource monitor amounts to (Seed 000 §3.3 "资源监测" resource monitoring;
 * §2.4 resource optimisation needs the numbers first): plotly traces of CPU, memory, tensors,
 * GPU and network over time, one stacked figure, and a summary of peaks and means.
 */
import { figure, lineTrace, type PlotlyFigure, type PlotlyLayout, type PlotlyTrace } from "../display";
import type { ResourceSample } from "./monitor";

const MIB = 1024 ** 2;

interface Panel {
  readonly title: string;
  readonly traces: PlotlyTrace[];
}

function seconds(samples: readonly ResourceSample[]): number[] {
  return samples.map((s) => s.t / 1000);
}

function gpuCount(samples: readonly ResourceSample[]): number {
  return samples.reduce((most, s) => Math.max(most, s.gpu?.length ?? 0), 0);
}

function gpuSeries(
  samples: readonly ResourceSample[],
  gpu: number,
  field: "utilizationPercent" | "memoryUsedMiB",
): number[] {
  return samples.map((s) => s.gpu?.[gpu]?.[field] ?? Number.NaN);
}

function panels(samples: readonly ResourceSample[]): Panel[] {
  const x = seconds(samples);
  const gpus = Array.from({ length: gpuCount(samples) }, (_, i) => i);
  const result: Panel[] = [
    {
      title: "CPU %",
      traces: [
        lineTrace(
          x,
          samples.map((s) => s.cpu.systemPercent),
          "machine CPU % (all cores)",
        ),
        lineTrace(
          x,
          samples.map((s) => s.cpu.processPercent),
          "process CPU % (100 = one core)",
        ),
        ...gpus.map((g) => lineTrace(x, gpuSeries(samples, g, "utilizationPercent"), `GPU ${g} utilisation %`)),
      ],
    },
    {
      title: "memory MiB",
      traces: [
        lineTrace(
          x,
          samples.map((s) => s.memory.rssBytes / MIB),
          "process RSS",
        ),
        lineTrace(
          x,
          samples.map((s) => s.memory.heapUsedBytes / MIB),
          "JS heap used",
        ),
        lineTrace(
          x,
          samples.map((s) => s.tensors.numBytes / MIB),
          "tfjs tensor bytes",
        ),
        ...gpus.map((g) => lineTrace(x, gpuSeries(samples, g, "memoryUsedMiB"), `GPU ${g} memory used`)),
      ],
    },
    {
      title: "tensors",
      traces: [
        lineTrace(
          x,
          samples.map((s) => s.tensors.numTensors),
          "tf.memory().numTensors",
        ),
      ],
    },
  ];
  if (samples.some((s) => s.network !== null)) {
    result.push({
      title: "network KiB/s",
      traces: [
        lineTrace(
          x,
          samples.map((s) => (s.network?.rxBytesPerSecond ?? Number.NaN) / 1024),
          "received",
        ),
        lineTrace(
          x,
          samples.map((s) => (s.network?.txBytesPerSecond ?? Number.NaN) / 1024),
          "sent",
        ),
      ],
    });
  }
  return result;
}

/** The monitor's samples as plotly line traces, each on the y axis of its panel (y, y2, …). */
export function resourceTraces(samples: readonly ResourceSample[]): PlotlyTrace[] {
  return panels(samples).flatMap((panel, i) =>
    panel.traces.map((trace) => ({ ...trace, yaxis: i === 0 ? "y" : `y${i + 1}` })),
  );
}

/** A stacked figure of the samples — CPU, memory, tensors (and network where read) over seconds. */
export function resourceFigure(samples: readonly ResourceSample[], title = "Resources over time"): PlotlyFigure {
  const list = panels(samples);
  const gap = 0.06;
  const height = (1 - gap * (list.length - 1)) / list.length;
  const layout: Record<string, unknown> = {
    title,
    height: 180 * list.length + 80,
    xaxis: { title: { text: "seconds" }, anchor: `y${list.length === 1 ? "" : list.length}` },
    legend: { orientation: "h" },
  };
  list.forEach((panel, i) => {
    const top = 1 - i * (height + gap);
    layout[i === 0 ? "yaxis" : `yaxis${i + 1}`] = {
      title: { text: panel.title },
      domain: [Math.max(0, top - height), top],
      anchor: "x",
      rangemode: "tozero",
    };
  });
  return figure(resourceTraces(samples), layout as PlotlyLayout);
}

/** Peaks and means of a monitored run. */
export interface ResourceSummary {
  readonly samples: number;
  readonly seconds: number;
  /** Machine CPU busy share, weighted by each sample's window. */
  readonly meanSystemCpuPercent: number;
  readonly meanProcessCpuPercent: number;
  readonly peakProcessCpuPercent: number;
  readonly peakRssBytes: number;
  readonly minFreeBytes: number;
  readonly peakTensors: number;
  readonly peakTensorBytes: number;
  /** Free disk space at the last sample, or null when statfs failed. */
  readonly diskFreeBytes: number | null;
  /** Bytes received and sent over the sampled windows, or null when the network was not read. */
  readonly networkBytes: { readonly rx: number; readonly tx: number } | null;
  /** Highest utilisation of any GPU, or null when no sample had GPU readings. */
  readonly peakGpuPercent: number | null;
}

function weightedMean(samples: readonly ResourceSample[], value: (s: ResourceSample) => number): number {
  const total = samples.reduce((sum, s) => sum + s.windowMs, 0);
  return total > 0 ? samples.reduce((sum, s) => sum + value(s) * s.windowMs, 0) / total : Number.NaN;
}

/** Summarises a monitored run; throws on an empty list. */
export function summarizeSamples(samples: readonly ResourceSample[]): ResourceSummary {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined)
    throw new RangeError("summarizeSamples: no samples (did the monitor run for at least one interval?)");
  const max = (value: (s: ResourceSample) => number) =>
    samples.reduce((most, s) => Math.max(most, value(s)), -Infinity);
  const gpuPercents = samples
    .flatMap((s) => (s.gpu ?? []).map((g) => g.utilizationPercent))
    .filter((p): p is number => p !== null);
  const withNetwork = samples.filter((s) => s.network !== null);
  const traffic = (rate: (s: ResourceSample) => number) =>
    withNetwork.reduce((sum, s) => sum + (rate(s) * s.windowMs) / 1000, 0);
  return {
    samples: samples.length,
    seconds: (last.t - first.t + first.windowMs) / 1000,
    meanSystemCpuPercent: weightedMean(samples, (s) => s.cpu.systemPercent),
    meanProcessCpuPercent: weightedMean(samples, (s) => s.cpu.processPercent),
    peakProcessCpuPercent: max((s) => s.cpu.processPercent),
    peakRssBytes: max((s) => s.memory.rssBytes),
    minFreeBytes: -max((s) => -s.memory.freeBytes),
    peakTensors: max((s) => s.tensors.numTensors),
    peakTensorBytes: max((s) => s.tensors.numBytes),
    diskFreeBytes: last.disk?.freeBytes ?? null,
    networkBytes:
      withNetwork.length === 0
        ? null
        : { rx: traffic((s) => s.network!.rxBytesPerSecond), tx: traffic((s) => s.network!.txBytesPerSecond) },
    peakGpuPercent: gpuPercents.length > 0 ? Math.max(...gpuPercents) : null,
  };
}
