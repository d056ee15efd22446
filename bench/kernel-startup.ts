/**
 * `npm run bench -- kernel-startup`: starts a kernel
 * N times and measures, over the Jupyter protocol, start → ready (kernel_info_reply answered and
 * iopub delivering, as a client waits for it) and start → first trivial execute (`1 + 1`) done.
 * The Lepton kernel is measured next to plain tslab (node_modules/.bin/tslab kernel) and, when
 * Debian's ipykernel is importable by /usr/bin/python3, ipykernel, in the same run and on the
 * same load. Prints median/min/max and appends a table to bench/RESULTS.md.
 *
 * Options: --runs N (default 5) · --kernels lepton,tslab,ipykernel · --no-append.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { startKernel } from "../src/runner/kernel-client";
import { findKernelSpec, type ResolvedKernelSpec } from "../src/jupyter";
import { kernelSearchDirs } from "../src/runner/kernel-dirs";
import { BenchUsageError } from "./args";

const ROOT = resolve(__dirname, "..");
const PYTHON = "/usr/bin/python3";
const NOTEBOOKS = join(ROOT, "notebooks");

/** The kernels this benchmark knows. */
export type BenchKernel = "lepton" | "tslab" | "ipykernel";
const ALL_KERNELS: readonly BenchKernel[] = ["lepton", "tslab", "ipykernel"];

/** One start of one kernel, in milliseconds from spawning it. */
export interface StartupSample {
  readonly readyMs: number;
  readonly firstExecuteMs: number;
}

/** median, min and max of a list of numbers (not empty). */
export function summarize(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

function ipykernelPresent(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import ipykernel"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The kernelspec of a benchmarked kernel, or a reason it cannot run here. */
function specOf(kernel: BenchKernel): ResolvedKernelSpec | string {
  switch (kernel) {
    case "lepton":
      return findKernelSpec("lepton", kernelSearchDirs());
    case "tslab": {
      const bin = join(ROOT, "node_modules", ".bin", "tslab");
      if (!existsSync(bin)) return `${bin} is missing`;
      const spec = {
        argv: [bin, "kernel", "--config-path", "{connection_file}"],
        display_name: "tslab",
        language: "typescript",
      } as const;
      return { name: "tslab", resourceDir: ROOT, spec };
    }
    case "ipykernel": {
      if (!ipykernelPresent()) return `${PYTHON} -m ipykernel is not installed`;
      const spec = {
        argv: [PYTHON, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name: "ipykernel",
        language: "python",
      } as const;
      return { name: "ipykernel", resourceDir: ROOT, spec };
    }
  }
}

/** Starts `kernel` once: time to ready and to the first `1 + 1` answered (valid TypeScript and Python). */
export async function measureStartup(kernel: ResolvedKernelSpec): Promise<StartupSample> {
  const started = performance.now();
  const client = await startKernel({ kernelSpec: kernel, cwd: NOTEBOOKS, startupTimeoutMs: 60_000 });
  try {
    const readyMs = performance.now() - started;
    const result = await client.execute("1 + 1", { timeoutMs: 60_000 });
    const firstExecuteMs = performance.now() - started;
    if (result.reply.status !== "ok")
      throw new Error(`${kernel.name}: \`1 + 1\` answered ${JSON.stringify(result.reply)}`);
    return { readyMs, firstExecuteMs };
  } finally {
    await client.shutdown();
  }
}

function parseKernels(list: string | undefined): BenchKernel[] {
  if (list === undefined) return [...ALL_KERNELS];
  const names = list.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!ALL_KERNELS.includes(name as BenchKernel))
      throw new BenchUsageError(`--kernels: unknown kernel "${name}" (known: ${ALL_KERNELS.join(", ")})`);
  }
  return names as BenchKernel[];
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const cell = (values: readonly number[]) => {
  const { median, min, max } = summarize(values);
  return `${seconds(median)} s (${seconds(min)}–${seconds(max)})`;
};

/** Each kernel's first execute as a multiple of ipykernel's in the same run (the load varies between runs). */
function againstIpykernel(medians: ReadonlyMap<BenchKernel, number>): string[] {
  const ipykernel = medians.get("ipykernel");
  if (ipykernel === undefined) return [];
  const others = [...medians].filter(([name]) => name !== "ipykernel");
  const ratios = others.map(([name, ms]) => `${name} / ipykernel = ${(ms / ipykernel).toFixed(2)}`);
  return ratios.length === 0 ? [] : [`First execute, median against ipykernel's: ${ratios.join(" · ")}.`, ""];
}

/** Runs the benchmark (see the file header for options). */
export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { runs: { type: "string" }, kernels: { type: "string" }, "no-append": { type: "boolean" } },
  });
  const runs = Number(values.runs ?? 5);
  if (!Number.isInteger(runs) || runs < 1)
    throw new BenchUsageError(`--runs: expected a positive integer, got "${values.runs}"`);
  const rows: string[] = [];
  const firstExecuteMedians = new Map<BenchKernel, number>();
  for (const name of parseKernels(values.kernels)) {
    const spec = specOf(name);
    if (typeof spec === "string") {
      console.log(`${name}: skipped (${spec})`);
      continue;
    }
    const samples: StartupSample[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const sample = await measureStartup(spec);
      samples.push(sample);
      console.log(
        `${name} run ${run}/${runs}: ready ${seconds(sample.readyMs)} s, first execute ${seconds(sample.firstExecuteMs)} s`,
      );
    }
    firstExecuteMedians.set(name, summarize(samples.map((s) => s.firstExecuteMs)).median);
    const row = `| ${name} | ${runs} | ${cell(samples.map((s) => s.readyMs))} | ${cell(samples.map((s) => s.firstExecuteMs))} |`;
    rows.push(row);
  }
  const cpu = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  const table = [
    `## Kernel start-up — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores; Node.js ${process.versions.node}; load average at the end ${load}.`,
    "Start → ready: kernel_info_reply received and iopub delivering. Start → first execute: `1 + 1` answered. Median (min–max).",
    "",
    "| kernel | runs | start → ready | start → first execute |",
    "|---|---|---|---|",
    ...rows,
    "",
    ...againstIpykernel(firstExecuteMedians),
  ].join("\n");
  console.log(`\n${table}`);
  if (values["no-append"] !== true) appendFileSync(join(ROOT, "bench", "RESULTS.md"), `\n${table}`);
}
