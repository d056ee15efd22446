/**
 * What the machine offers, read once (Seed 000 §2.4 resource optimisation, §3.3 "资源监测"
 * resource monitoring): CPU model and cores, memory, the GPU nvidia-smi reports, and the software
 * versions a run depends on. The overview notebook shows it next to the chosen backend.
 */
import { execFileSync } from "node:child_process";
import { cpus, freemem, platform, release, totalmem } from "node:os";
import { version as tfjsVersion } from "@tensorflow/tfjs";

/** A snapshot of the machine's compute resources and software versions. */
export interface MachineReport {
  readonly cpuModel: string;
  readonly logicalCores: number;
  readonly totalMemoryGiB: number;
  readonly freeMemoryGiB: number;
  /** GPUs as nvidia-smi names them ("NVIDIA H100 80GB HBM3, 81559 MiB"), empty when none answers. */
  readonly gpus: readonly string[];
  readonly os: string;
  readonly node: string;
  readonly tfjs: string;
}

const GIB = 1024 ** 3;

/** The GPUs nvidia-smi lists, or an empty list when it is absent or fails. */
export function nvidiaGpus(): string[] {
  try {
    const out = execFileSync("nvidia-smi", ["--query-gpu=name,memory.total", "--format=csv,noheader"], {
      encoding: "utf8",
      timeout: 5_000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
  } catch {
    return [];
  }
}

/** Reads the machine report (Seed 000 §3.3 resource monitoring: compute and memory). */
export function describeMachine(): MachineReport {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    logicalCores: cores.length,
    totalMemoryGiB: totalmem() / GIB,
    freeMemoryGiB: freemem() / GIB,
    gpus: nvidiaGpus(),
    os: `${platform()} ${release()}`,
    node: process.versions.node,
    tfjs: tfjsVersion.tfjs,
  };
}
