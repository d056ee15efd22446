/**
 * `usage_request` on the control channel, as JupyterLab's kernel-usage panel asks it and ipykernel
 * answers it: the kernel's CPU and memory, the host's CPU and virtual memory, and — once a cell
 * has loaded tfjs — tfjs's own memory accounting (`tf.memory()`).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";

/** psutil's virtual_memory() fields, in bytes (percent: of total in use). */
export type VirtualMemory = Record<string, number>;

/** The content of a usage_reply. */
export interface UsageReply {
  readonly hostname: string;
  readonly pid: number;
  /** Percent of one core the kernel process used since the previous request (or since start). */
  readonly kernel_cpu: number;
  /** The kernel process's resident memory, bytes. */
  readonly kernel_memory: number;
  /** Percent of all cores busy since the previous request (or since start). */
  readonly host_cpu_percent: number;
  readonly cpu_count: number;
  readonly host_virtual_memory: VirtualMemory;
  /** tf.memory() of the tfjs the cells loaded, absent before they load it. */
  readonly tfjs_memory?: Record<string, unknown>;
}

interface HostTimes {
  readonly idle: number;
  readonly total: number;
}

function hostTimes(): HostTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** /proc/meminfo in bytes, by field name; empty where there is none. */
function meminfo(): Record<string, number> {
  let text: string;
  try {
    text = readFileSync("/proc/meminfo", "utf8");
  } catch {
    return {};
  }
  const fields: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?: kB)?$/.exec(line.trim());
    if (match !== null) fields[match[1]!] = Number(match[2]) * (line.includes("kB") ? 1024 : 1);
  }
  return fields;
}

/** The host's memory with psutil's field names and (on Linux) its arithmetic. */
export function virtualMemory(): VirtualMemory {
  const total = os.totalmem();
  const free = os.freemem();
  const info = meminfo();
  const available = info.MemAvailable ?? free;
  const buffers = info.Buffers ?? 0;
  const cached = (info.Cached ?? 0) + (info.SReclaimable ?? 0);
  const used = Math.max(0, total - free - buffers - cached);
  const memory: VirtualMemory = {
    total,
    available,
    percent: Math.round(((total - available) / total) * 1000) / 10,
    used,
    free,
  };
  if (info.Active !== undefined)
    Object.assign(memory, {
      active: info.Active,
      inactive: info.Inactive ?? 0,
      buffers,
      cached,
      shared: info.Shmem ?? 0,
      slab: info.Slab ?? 0,
    });
  return memory;
}

/** tf.memory() of a tfjs-core already loaded by `require`, without loading it. */
function tfjsMemory(requireFromCells: NodeJS.Require): Record<string, unknown> | undefined {
  let path: string;
  try {
    path = requireFromCells.resolve("@tensorflow/tfjs-core");
  } catch {
    return undefined;
  }
  const core = requireFromCells.cache[path]?.exports as { memory?: () => Record<string, unknown> } | undefined;
  if (typeof core?.memory !== "function") return undefined;
  const { numTensors, numDataBuffers, numBytes, unreliable } = core.memory();
  return { numTensors, numDataBuffers, numBytes, unreliable };
}

/** Answers usage requests; CPU percentages are over the time since the previous answer. */
export class UsageSampler {
  private lastTime = process.hrtime.bigint();
  private lastCpu = process.cpuUsage();
  private lastHost = hostTimes();
  private readonly requireFromCells: NodeJS.Require;

  /** `projectRoot`: where cells resolve packages from (cell-executor.ts), to find their tfjs. */
  constructor(projectRoot: string) {
    this.requireFromCells = createRequire(join(projectRoot, "__cell__.js"));
  }

  /** The usage_reply content now. */
  sample(): UsageReply {
    const now = process.hrtime.bigint();
    const elapsedUs = Number(now - this.lastTime) / 1000;
    const cpu = process.cpuUsage(this.lastCpu);
    const host = hostTimes();
    const hostTotal = host.total - this.lastHost.total;
    const hostBusy = hostTotal - (host.idle - this.lastHost.idle);
    this.lastTime = now;
    this.lastCpu = process.cpuUsage();
    this.lastHost = host;
    const tfjs = tfjsMemory(this.requireFromCells);
    return {
      hostname: os.hostname(),
      pid: process.pid,
      kernel_cpu: elapsedUs > 0 ? Math.round(((cpu.user + cpu.system) / elapsedUs) * 1000) / 10 : 0,
      kernel_memory: process.memoryUsage.rss(),
      host_cpu_percent: hostTotal > 0 ? Math.round((hostBusy / hostTotal) * 1000) / 10 : 0,
      cpu_count: os.cpus().length,
      host_virtual_memory: virtualMemory(),
      ...(tfjs === undefined ? {} : { tfjs_memory: tfjs }),
    };
  }
}
