/**
 * Energy of a training run (Seed 001 §2.2 environmental benefit: "reduce energy consumption";
 * §1 energy efficiency): CPU package energy from Linux's powercap RAPL counters, GPU energy from
 * nvidia-smi's power draw integrated over the resource monitor's samples, and — where neither can
 * be read — an estimate from CPU time and an assumed power per busy core, always labelled as one.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResourceSample } from "./monitor";
import { LeptonError } from "../errors";

/** Where Linux publishes powercap zones. */
export const POWERCAP_ROOT = "/sys/class/powercap";

/** One RAPL zone's cumulative energy counter. */
export interface RaplZone {
  /** The zone folder, e.g. `intel-rapl:0`. */
  readonly zone: string;
  /** What the zone measures, from its `name` file, e.g. `package-0`. */
  readonly name: string;
  /** The counter in microjoules; it wraps to 0 after `maxEnergyRangeUj`. */
  readonly energyUj: number;
  readonly maxEnergyRangeUj: number;
}

/** RAPL counters, or why there are none. */
export type RaplReading = { readonly zones: readonly RaplZone[] } | { readonly zones: null; readonly reason: string };

/** Raised for a RAPL file that holds no number, or counters that cannot be compared; names the file or zone. */
export class EnergyError extends LeptonError {}

function readNumber(file: string): number {
  const text = readFileSync(file, "utf8").trim();
  const value = Number(text);
  if (text === "" || !Number.isSafeInteger(value) || value < 0)
    throw new EnergyError(`${file}: expected a non-negative integer, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * Reads the top-level RAPL zones under `root` (`intel-rapl:N`, one per CPU package; AMD's
 * packages appear under the same name). Sub-zones (`intel-rapl:N:M`: cores, uncore, dram) are
 * parts of their package and are left out so nothing is counted twice. `root` lets a test point
 * at a prepared tree. Unreadable counters give the reason, not a number.
 */
export function readRapl(root = POWERCAP_ROOT): RaplReading {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return {
      zones: null,
      reason: `${root} does not exist: this kernel or machine publishes no powercap zones (common in virtual machines)`,
    };
  }
  const packages = entries.filter((entry) => /^intel-rapl:\d+$/.test(entry)).sort();
  if (packages.length === 0)
    return { zones: null, reason: `${root} has no intel-rapl:N zone (no RAPL driver for this CPU)` };
  const zones: RaplZone[] = [];
  for (const zone of packages) {
    const folder = join(root, zone);
    try {
      zones.push({
        zone,
        name: readFileSync(join(folder, "name"), "utf8").trim(),
        energyUj: readNumber(join(folder, "energy_uj")),
        maxEnergyRangeUj: readNumber(join(folder, "max_energy_range_uj")),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") {
        return {
          zones: null,
          reason: `${join(folder, "energy_uj")} is readable by root only (Linux restricts it since 5.10, CVE-2020-8694)`,
        };
      }
      if (error instanceof EnergyError) throw error;
      return { zones: null, reason: `${folder}: cannot be read (${code ?? (error as Error).message})` };
    }
  }
  return { zones };
}

/**
 * Joules between two readings of the same zones, summed over packages; a counter lower than
 * before wrapped once past `max_energy_range_uj` (sampled often enough, it cannot wrap twice:
 * the range is hundreds of kilojoules).
 */
export function raplJoulesBetween(before: readonly RaplZone[], after: readonly RaplZone[]): number {
  let microjoules = 0;
  for (const end of after) {
    const start = before.find((zone) => zone.zone === end.zone);
    if (start === undefined) throw new EnergyError(`RAPL zone ${end.zone} appeared between two readings`);
    const delta = end.energyUj - start.energyUj;
    microjoules += delta >= 0 ? delta : delta + end.maxEnergyRangeUj;
  }
  if (before.length !== after.length)
    throw new EnergyError(`RAPL zones changed between two readings (${before.length} → ${after.length})`);
  return microjoules / 1e6;
}

/** The assumption behind a CPU energy estimate: watts per fully busy core, and where that number comes from. */
export interface CpuPowerAssumption {
  readonly wattsPerBusyCore: number;
  /** Where the figure comes from, said in the report (e.g. "280 W TDP / 64 cores of an EPYC 7763"). */
  readonly basis: string;
}

/** How the CPU's energy was obtained. */
export type CpuEnergySource = "rapl" | "estimate";

/** Energy over a window of monitor samples. */
export interface EnergyReport {
  readonly seconds: number;
  readonly cpuJoules: number;
  /**
   * `rapl`: measured CPU package energy (every process on the package); `estimate`: this process's CPU time × the
   * assumption.
   */
  readonly cpuSource: CpuEnergySource;
  /** The assumption, when `cpuSource` is `estimate`. */
  readonly assumption?: CpuPowerAssumption;
  /** This process's CPU time over the window, in core-seconds. */
  readonly cpuCoreSeconds: number;
  /** GPU board energy from power.draw (trapezoids between samples, every GPU), or `null` when no GPU reports power. */
  readonly gpuJoules: number | null;
  readonly totalJoules: number;
}

function gpuWatts(sample: ResourceSample): number | null {
  if (sample.gpu === null) return null;
  const watts = sample.gpu.map((gpu) => gpu.powerWatts).filter((value): value is number => value !== null);
  return watts.length === 0 ? null : watts.reduce((sum, value) => sum + value, 0);
}

/**
 * The energy between the first and the last of `samples` (consecutive samples of one monitor):
 * RAPL when every sample carries counters, else the CPU estimate from `assumption`; GPU power
 * integrated where reported.
 */
export function energyOf(samples: readonly ResourceSample[], assumption: CpuPowerAssumption): EnergyReport {
  if (samples.length < 2) throw new EnergyError(`an energy window needs at least two samples, got ${samples.length}`);
  if (!(assumption.wattsPerBusyCore > 0))
    throw new EnergyError(`wattsPerBusyCore must be positive, got ${assumption.wattsPerBusyCore}`);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  let cpuCoreSeconds = 0;
  let raplJoules: number | null = 0;
  let gpuJoules: number | null = null;
  for (let i = 1; i < samples.length; i++) {
    const [previous, sample] = [samples[i - 1]!, samples[i]!];
    cpuCoreSeconds += (sample.cpu.processPercent / 100) * (sample.windowMs / 1000);
    raplJoules =
      raplJoules === null || previous.rapl === null || sample.rapl === null
        ? null
        : raplJoules + raplJoulesBetween(previous.rapl, sample.rapl);
    const [a, b] = [gpuWatts(previous), gpuWatts(sample)];
    if (a !== null && b !== null) gpuJoules = (gpuJoules ?? 0) + ((a + b) / 2) * ((sample.t - previous.t) / 1000);
  }
  const measured = raplJoules !== null;
  const cpuJoules = measured ? raplJoules! : cpuCoreSeconds * assumption.wattsPerBusyCore;
  return {
    seconds: (last.t - first.t) / 1000,
    cpuJoules,
    cpuSource: measured ? "rapl" : "estimate",
    ...(measured ? {} : { assumption }),
    cpuCoreSeconds,
    gpuJoules,
    totalJoules: cpuJoules + (gpuJoules ?? 0),
  };
}
