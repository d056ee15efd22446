/**
 * The resource monitor of Seed 000 §3.3 step 1, "资源监测" — watch compute, storage and network use
 * in real time: a sampler that records CPU (machine and this process), memory, disk, network, the
 * GPUs nvidia-smi reports and tfjs' tensors at an interval, into a list of typed records.
 *
 * A timer samples while the event loop is free; training on the cpu and wasm backends keeps the
 * loop busy between batches, so a training loop also calls {@link ResourceMonitor.tick} (e.g. from
 * `fit`'s `onBatchEnd`), which samples when the interval has passed.
 */
import { freemem, totalmem } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { readRapl, type RaplZone } from "./energy";
import {
  queryNvidiaSmi,
  readCpuTimes,
  readDiskSpace,
  readNetworkCounters,
  type CpuTimes,
  type DiskSpace,
  type GpuUsage,
  type NetworkCounters,
} from "./readers";
import { LeptonError } from "../errors";

/** CPU use since the previous sample. */
export interface CpuSample {
  /** Busy share of all cores of the machine, 0–100. */
  readonly systemPercent: number;
  /** This process's CPU time (all its threads) per wall time, as `top` shows it: 100 = one core busy. */
  readonly processPercent: number;
}

/** Memory of the machine and of this process, in bytes. */
export interface MemorySample {
  readonly totalBytes: number;
  /** `os.freemem()`: memory the system can hand out now. */
  readonly freeBytes: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Memory outside the JavaScript heap: ArrayBuffers (the cpu backend's tensors), wasm memory. */
  readonly externalBytes: number;
}

/** Network traffic since the previous sample, over every interface but loopback. */
export interface NetworkSample {
  readonly rxBytesPerSecond: number;
  readonly txBytesPerSecond: number;
  /** Counters since boot, as read. */
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** tfjs' own accounting (`tf.memory()`) on the active backend. */
export interface TensorSample {
  readonly backend: string;
  readonly numTensors: number;
  readonly numBytes: number;
}

/** One reading of every resource. `null` marks a resource this machine cannot report. */
export interface ResourceSample {
  /** Milliseconds since the monitor started. */
  readonly t: number;
  /** Wall-clock time (ms since the epoch). */
  readonly time: number;
  /** The window, in ms, that the CPU and network rates are measured over (since the previous sample). */
  readonly windowMs: number;
  readonly cpu: CpuSample;
  readonly memory: MemorySample;
  readonly disk: DiskSpace | null;
  readonly network: NetworkSample | null;
  /** Per GPU, or `null` when nvidia-smi does not answer (no GPU or no driver here). */
  readonly gpu: readonly GpuUsage[] | null;
  /**
   * RAPL energy counters (Seed 001 §2.2), or `null` where powercap cannot be read (see {@link
   * ResourceMonitor.raplAbsence}).
   */
  readonly rapl: readonly RaplZone[] | null;
  readonly tensors: TensorSample;
}

/** Options of {@link ResourceMonitor}. */
export interface ResourceMonitorOptions {
  /** Time between samples; default 1000 ms. */
  readonly intervalMs?: number;
  /** A path on the file system whose free space is watched; default the working directory. */
  readonly diskPath?: string;
  /** Ask nvidia-smi for the GPUs; default true (once it is found missing, it is not asked again). */
  readonly gpu?: boolean;
  /** The powercap folder RAPL counters are read from; default /sys/class/powercap. */
  readonly powercapRoot?: string;
  /** Samples kept; the oldest are dropped beyond it. Default 10,000. */
  readonly maxSamples?: number;
}

/** Raised for monitor options that cannot work. */
export class ResourceMonitorError extends LeptonError {}

/** A listener told of every new sample. */
export type SampleListener = (sample: ResourceSample, samples: readonly ResourceSample[]) => void;

/** The shortest window {@link ResourceMonitor.stop} takes a last sample over, in ms. */
export const MIN_WINDOW_MS = 50;

interface Baseline {
  readonly at: number;
  readonly cpu: CpuTimes;
  readonly processCpu: NodeJS.CpuUsage;
  readonly network: NetworkCounters | null;
}

/** Samples the machine's resources at an interval. */
export class ResourceMonitor {
  readonly intervalMs: number;
  readonly diskPath: string;
  private readonly maxSamples: number;
  private readonly list: ResourceSample[] = [];
  private readonly listeners = new Set<SampleListener>();
  private askGpu: boolean;
  private gpuNote = "";
  private readonly powercapRoot: string | undefined;
  private raplNote = "";
  private startedAt = Date.now();
  private lastSampleAt = -Infinity;
  private baseline: Baseline;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<ResourceSample> | undefined;

  constructor(options: ResourceMonitorOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxSamples = options.maxSamples ?? 10_000;
    if (!(this.intervalMs >= 1)) throw new ResourceMonitorError(`intervalMs must be ≥ 1 ms, got ${options.intervalMs}`);
    if (!Number.isInteger(this.maxSamples) || this.maxSamples < 1)
      throw new ResourceMonitorError(`maxSamples must be a positive integer, got ${options.maxSamples}`);
    this.diskPath = options.diskPath ?? process.cwd();
    this.askGpu = options.gpu ?? true;
    this.powercapRoot = options.powercapRoot;
    if (!this.askGpu) this.gpuNote = "not asked (gpu: false)";
    this.baseline = this.readBaseline();
  }

  /** The samples taken so far, oldest first. */
  get samples(): readonly ResourceSample[] {
    return this.list;
  }

  /** Whether the interval timer runs. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Why the samples carry no GPU readings ("" while nvidia-smi answers or before it was asked). */
  get gpuAbsence(): string {
    return this.gpuNote;
  }

  /** Why the samples carry no RAPL counters ("" while they are read). */
  get raplAbsence(): string {
    return this.raplNote;
  }

  /** Calls `listener` after every sample; returns the function that stops it. */
  onSample(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts sampling every `intervalMs` with an unref'd timer (it never keeps the process alive).
   * The first sample comes one interval later: rates need a window to be measured over.
   */
  start(): void {
    if (this.timer !== undefined) throw new ResourceMonitorError("the monitor is already running (call stop() first)");
    this.startedAt = Date.now();
    this.lastSampleAt = this.startedAt;
    this.baseline = this.readBaseline();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * Clears the timer, waits for a sample in flight and takes a last one when at least
   * {@link MIN_WINDOW_MS} have passed since the previous (CPU counters tick every 10 ms, so a
   * shorter window says nothing); returns every sample.
   */
  async stop(): Promise<readonly ResourceSample[]> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.inFlight !== undefined) await this.inFlight;
    if (Date.now() - this.lastSampleAt >= MIN_WINDOW_MS) await this.sample();
    return this.list;
  }

  /**
   * Takes a sample if `intervalMs` has passed since the last one (call it from a training loop); else resolves to
   * undefined.
   */
  tick(): Promise<ResourceSample | undefined> {
    if (this.inFlight !== undefined || Date.now() - this.lastSampleAt < this.intervalMs)
      return Promise.resolve(undefined);
    return this.sample();
  }

  /** Takes a sample now (a sample already in flight is shared, not doubled). */
  sample(): Promise<ResourceSample> {
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private readBaseline(): Baseline {
    return {
      at: performance.now(),
      cpu: readCpuTimes(),
      processCpu: process.cpuUsage(),
      network: readNetworkCounters(),
    };
  }

  private async readGpu(): Promise<readonly GpuUsage[] | null> {
    if (!this.askGpu) return null;
    const reading = await queryNvidiaSmi();
    if (reading.gpus !== null) {
      this.gpuNote = "";
      return reading.gpus;
    }
    this.gpuNote = reading.reason;
    if (reading.missing) this.askGpu = false;
    return null;
  }

  private async read(): Promise<ResourceSample> {
    this.lastSampleAt = Date.now();
    const gpu = await this.readGpu();
    const at = Date.now();
    const now = this.readBaseline();
    const previous = this.baseline;
    this.baseline = now;
    const wallMs = Math.max(now.at - previous.at, 1e-3);
    const totalMs = now.cpu.totalMs - previous.cpu.totalMs;
    const processMicros =
      now.processCpu.user - previous.processCpu.user + now.processCpu.system - previous.processCpu.system;
    const cpu: CpuSample = {
      // os.cpus() counters tick every 10 ms: over a very short gap they may not have moved at all.
      systemPercent: totalMs > 0 ? (100 * (now.cpu.busyMs - previous.cpu.busyMs)) / totalMs : 0,
      processPercent: (100 * processMicros) / 1000 / wallMs,
    };
    const usage = process.memoryUsage();
    const network =
      now.network === null || previous.network === null
        ? null
        : {
            rxBytesPerSecond: ((now.network.rxBytes - previous.network.rxBytes) * 1000) / wallMs,
            txBytesPerSecond: ((now.network.txBytes - previous.network.txBytes) * 1000) / wallMs,
            rxBytes: now.network.rxBytes,
            txBytes: now.network.txBytes,
          };
    const memory = tf.memory();
    const rapl = readRapl(this.powercapRoot);
    this.raplNote = rapl.zones === null ? rapl.reason : "";
    const sample: ResourceSample = {
      t: at - this.startedAt,
      time: at,
      windowMs: wallMs,
      cpu,
      memory: {
        totalBytes: totalmem(),
        freeBytes: freemem(),
        rssBytes: usage.rss,
        heapUsedBytes: usage.heapUsed,
        externalBytes: usage.external,
      },
      disk: readDiskSpace(this.diskPath),
      network,
      gpu,
      rapl: rapl.zones,
      tensors: { backend: tf.getBackend(), numTensors: memory.numTensors, numBytes: memory.numBytes },
    };
    this.list.push(sample);
    if (this.list.length > this.maxSamples) this.list.splice(0, this.list.length - this.maxSamples);
    for (const listener of this.listeners) listener(sample, this.list);
    return sample;
  }
}
