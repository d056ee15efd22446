/**
 * The operating-system readings behind the resource monitor (Seed 000 §3.3 "资源监测" resource
 * monitoring of compute, storage and network; §2.4 resource optimisation): CPU time counters,
 * disk space, network byte counters and what nvidia-smi says about the GPUs. Each reader returns
 * `null` where the machine cannot answer (no /proc, no nvidia-smi) — never an invented value.
 */
import { execFile } from "node:child_process";
import { readFileSync, statfsSync } from "node:fs";
import { cpus } from "node:os";

/** Summed CPU time of every core since boot, in milliseconds. */
export interface CpuTimes {
  readonly busyMs: number;
  readonly totalMs: number;
}

/** Reads the CPU time counters of all cores from `os.cpus()`. */
export function readCpuTimes(): CpuTimes {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of cpus()) {
    const busy = times.user + times.nice + times.sys + times.irq;
    busyMs += busy;
    totalMs += busy + times.idle;
  }
  return { busyMs, totalMs };
}

/** Free and total bytes of the file system holding a path. */
export interface DiskSpace {
  readonly path: string;
  /** Bytes an unprivileged process may still write (statfs `bavail`). */
  readonly freeBytes: number;
  readonly totalBytes: number;
}

/** Reads the disk space of the file system holding `path`, or `null` if statfs fails. */
export function readDiskSpace(path: string): DiskSpace | null {
  try {
    const stats = statfsSync(path);
    return { path, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  } catch {
    return null;
  }
}

/** Bytes received and sent since boot, summed over every interface but loopback. */
export interface NetworkCounters {
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly interfaces: readonly string[];
}

/**
 * Parses Linux's /proc/net/dev (two header lines, then `iface: rx_bytes rx_packets … tx_bytes …`),
 * skipping `lo`. Returns `null` for text in another format.
 */
export function parseProcNetDev(text: string): NetworkCounters | null {
  const lines = text
    .split("\n")
    .slice(2)
    .filter((line) => line.includes(":"));
  if (lines.length === 0) return null;
  let rxBytes = 0;
  let txBytes = 0;
  const interfaces: string[] = [];
  for (const line of lines) {
    const [name, rest] = line.split(":", 2) as [string, string];
    const fields = rest.trim().split(/\s+/).map(Number);
    if (fields.length < 16 || fields.some((value) => !Number.isFinite(value))) return null;
    const iface = name.trim();
    if (iface === "lo") continue;
    interfaces.push(iface);
    rxBytes += fields[0]!;
    txBytes += fields[8]!;
  }
  return { rxBytes, txBytes, interfaces };
}

/** Reads the network byte counters from /proc/net/dev, or `null` off Linux or when unreadable. */
export function readNetworkCounters(path = "/proc/net/dev"): NetworkCounters | null {
  if (process.platform !== "linux") return null;
  try {
    return parseProcNetDev(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** One GPU as nvidia-smi reports it; a field nvidia-smi leaves "[N/A]" (e.g. under MIG) is `null`. */
export interface GpuUsage {
  readonly index: number;
  readonly utilizationPercent: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryTotalMiB: number | null;
  /** Board power draw in watts (`power.draw`); `null` where the board does not report it. */
  readonly powerWatts: number | null;
}

/** The nvidia-smi arguments of one GPU reading (utilisation %, memory used and total in MiB, power draw in W). */
export const NVIDIA_SMI_ARGS = [
  "--query-gpu=utilization.gpu,memory.used,memory.total,power.draw",
  "--format=csv,noheader,nounits",
] as const;

/**
 * Parses `nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total,power.draw --format=csv,noheader,nounits`.
 */
export function parseNvidiaSmi(text: string): GpuUsage[] {
  const number = (field: string | undefined): number | null => {
    const value = Number(field?.trim());
    return field === undefined || field.trim() === "" || !Number.isFinite(value) ? null : value;
  };
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line, index) => {
      const [utilization, used, total, power] = line.split(",");
      return {
        index,
        utilizationPercent: number(utilization),
        memoryUsedMiB: number(used),
        memoryTotalMiB: number(total),
        powerWatts: number(power),
      };
    });
}

/** What one nvidia-smi call gave: readings, or why there are none (`missing`: the command does not exist here). */
export type GpuReading =
  { readonly gpus: readonly GpuUsage[] } | { readonly gpus: null; readonly missing: boolean; readonly reason: string };

/** Asks nvidia-smi for every GPU's utilisation, memory and power draw, without blocking the event loop. */
export function queryNvidiaSmi(timeoutMs = 3_000): Promise<GpuReading> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", [...NVIDIA_SMI_ARGS], { encoding: "utf8", timeout: timeoutMs }, (error, stdout) => {
      if (error !== null) {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        resolve({
          gpus: null,
          missing,
          reason: missing ? "nvidia-smi is not installed" : `nvidia-smi failed: ${error.message.split("\n")[0]}`,
        });
        return;
      }
      const gpus = parseNvidiaSmi(stdout);
      resolve(gpus.length > 0 ? { gpus } : { gpus: null, missing: false, reason: "nvidia-smi listed no GPU" });
    });
  });
}
