/**
 * The GPU run (Seed 000 §2.4: use the GPU when there is one): on a machine with a GPU, checks the
 * webgpu backend (Dawn, in Node) against the cpu backend — every kernel the workbook trains with —
 * then times the seed CNN and the Fashion-MNIST CNN (training and inference) next to PyTorch fp32
 * on CUDA when python3 has it.
 *
 * `npm run bench -- gpu [--steps N] [--backend webgpu|wasm|cpu] [--out DIR]`, or bundled into one
 * file (esbuild, `webgpu` kept external) with node as its only requirement: `node gpu.mjs …`. Prints a markdown report
 * (and writes it to DIR/gpu-results.md with --out); exits non-zero when a correctness check fails.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, type BackendName } from "../src/config";
import { backendLine, initBackend } from "../src/backends";
import { checkBackendAgainstCpu } from "../src/backends/backend-check";
import { BenchUsageError, positiveInteger } from "./args";
import { cnnReferenceArgs, measure, WARMUP_STEPS, type BenchMode, type BenchModel } from "./backends";
import { runReference } from "./python";

interface Timing {
  readonly model: BenchModel;
  readonly mode: BenchMode;
  readonly imgPerSec: number;
  readonly torchImgPerSec?: number;
  readonly note: string;
}

function torchOnGpu(
  model: BenchModel,
  mode: BenchMode,
  batch: number,
  steps: number,
): { imgPerSec: number; device: string } | { error: string } {
  const result = runReference<{ img_per_s: number; device: string }>("cnn.py", [
    ...cnnReferenceArgs(model, mode, batch, steps),
    "--device",
    "cuda",
  ]);
  return "error" in result ? result : { imgPerSec: result.img_per_s, device: result.device };
}

interface GpuOptions {
  readonly backend: BackendName;
  readonly steps: number;
  readonly out: string | undefined;
}

function parse(args: readonly string[]): GpuOptions {
  let backend: BackendName = "webgpu";
  let steps = 5;
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--backend") {
      const name = args[++i] ?? "";
      if (!(BACKEND_NAMES as readonly string[]).includes(name))
        throw new BenchUsageError(`--backend: unknown "${name}"`);
      backend = name as BackendName;
    } else if (arg === "--steps") {
      steps = positiveInteger(args[++i], "steps");
    } else if (arg === "--out") out = args[++i];
    else throw new BenchUsageError(`bench gpu: unknown option ${arg}`);
  }
  return { backend, steps, out };
}

/** `lepton bench gpu [--backend webgpu] [--steps N] [--out DIR]`: see the file comment. */
export async function main(args: string[]): Promise<void> {
  const options = parse(args);
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  let failed = false;
  try {
    const info = await initBackend({ force: options.backend, quiet: true });
    say(`# GPU run — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\n${backendLine(info)}\n`);
    say("| check vs cpu | max relative error | tolerance | ok |\n|---|---:|---:|---|");
    for (const check of await checkBackendAgainstCpu(info.name)) {
      failed ||= !check.ok;
      say(
        `| ${check.name} | ${check.relativeError.toExponential(2)} | ${check.tolerance} | ${check.ok ? "yes" : "NO"} |`,
      );
    }
    await tf.setBackend(info.name);
    const timings: Timing[] = [];
    for (const model of ["fashion", "seed"] as const) {
      for (const mode of ["train", "infer"] as const) {
        const batch = model === "seed" ? 32 : 64;
        const result = await measure({ backend: info.name, model, mode, batch, steps: options.steps });
        const torch = torchOnGpu(model, mode, batch, options.steps);
        timings.push({
          model,
          mode,
          imgPerSec: result.imgPerSec,
          ...("error" in torch
            ? { note: `PyTorch CUDA: ${torch.error}` }
            : { torchImgPerSec: torch.imgPerSec, note: `PyTorch fp32 on ${torch.device}` }),
        });
      }
    }
    say(`\n| model | mode | ${info.name} img/s | PyTorch img/s | × PyTorch | note |\n|---|---|---:|---:|---:|---|`);
    for (const t of timings) {
      const ratio = t.torchImgPerSec ? (t.imgPerSec / t.torchImgPerSec).toFixed(2) : "—";
      say(
        `| ${t.model} | ${t.mode} | ${t.imgPerSec.toFixed(1)} | ${t.torchImgPerSec?.toFixed(1) ?? "—"} | ${ratio} | ${t.note} |`,
      );
    }
    say(
      `\nPeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; ${options.steps} timed steps after ${WARMUP_STEPS.seed} (seed) / ${WARMUP_STEPS.fashion} (Fashion-MNIST) warm-up steps on both sides; batch 32 (seed) / 64 (Fashion-MNIST).`,
    );
  } catch (error) {
    failed = true;
    say(`GPU run failed: ${(error as Error).stack ?? String(error)}`);
  }
  if (options.out !== undefined) writeFileSync(join(options.out, "gpu-results.md"), `${lines.join("\n")}\n`);
  if (failed) process.exitCode = 1;
}

// Runs by itself when it is the entry: a bundle of this file (app.mjs or gpu.mjs) or `node bench/gpu.ts`.
if (/(?:^|[\\/])(?:(?:app|gpu)\.mjs|gpu\.ts)$/.test(process.argv[1] ?? "")) void main(process.argv.slice(2));
