/**
 * The GPU run of issue 4 (DESIGN.md "bench/"; Seed 000 §2.4 use the GPU when there is one): on a
 * machine with a GPU, checks the webgpu backend (Dawn, in Node) against the cpu backend — the
 * documents' CNN kernels and a whole training step's gradients — then times the seed CNN and the
 * Fashion-MNIST CNN (training and inference), and PyTorch fp32 on CUDA when python3 has it.
 *
 * Here: `npm run bench -- gpu [--steps N] [--backend webgpu|wasm|cpu]`. On the lent GPU machine,
 * which has no node and no node_modules: `bash ../shared/gpu/pack.sh bench/gpu.ts`, then the device
 * tool with carry [".device"] and `bash .device/on-device.sh node .device/app.mjs --out $OUT`.
 * Prints a markdown report (and writes it to OUT/gpu-results.md with --out); exits non-zero when
 * a correctness check fails.
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, type BackendName } from "../src/config";
import { backendLine, initBackend } from "../src/backends";
import { BenchUsageError, positiveInteger } from "./args";
import { measure, type BenchMode, type BenchModel } from "./backends";

interface Check {
  readonly name: string;
  readonly relativeError: number;
  readonly ok: boolean;
}

const TOLERANCE = 1e-3; // GPU reductions sum in a different order than the cpu backend

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function values(size: number, seed: number): Float32Array {
  const next = seeded(seed);
  return Float32Array.from({ length: size }, next);
}

async function valuesOn(backend: string, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(compute);
  const read = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data()))); // never dataSync on webgpu in Node
  tf.dispose(outs);
  return read;
}

async function compare(backend: string, name: string, compute: () => tf.Tensor[]): Promise<Check> {
  const [actual, expected] = [await valuesOn(backend, compute), await valuesOn("cpu", compute)];
  let worst = 0;
  actual.forEach((got, i) => {
    const want = expected[i]!;
    let scale = 1e-3;
    let diff = 0;
    for (let j = 0; j < want.length; j++) {
      scale = Math.max(scale, Math.abs(want[j]!));
      diff = Math.max(diff, Math.abs(got[j]! - want[j]!));
    }
    worst = Math.max(worst, got.length === want.length ? diff / scale : Number.POSITIVE_INFINITY);
  });
  return { name, relativeError: worst, ok: worst < TOLERANCE };
}

/** Kernel and training-step checks of `backend` against cpu. */
export async function correctness(backend: string): Promise<Check[]> {
  const checks: Check[] = [];
  let seed = 1;
  for (const stride of [1, 2]) {
    for (const pad of ["valid", "same"] as const) {
      const xShape: [number, number, number, number] = [3, 11, 10, 4];
      const wShape: [number, number, number, number] = [3, 3, 4, 5];
      const [xv, wv] = [values(tf.util.sizeFromShape(xShape), seed++), values(tf.util.sizeFromShape(wShape), seed++)];
      checks.push(await compare(backend, `conv2d + gradients, stride ${stride}, ${pad}`, () => {
        const [x, w] = [tf.tensor4d(xv, xShape), tf.tensor4d(wv, wShape)];
        const loss = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).square().sum();
        return [tf.conv2d(x, w, stride, pad), ...tf.grads(loss)([x, w])];
      }));
    }
  }
  const pv = values(2 * 12 * 12 * 6, seed++);
  checks.push(await compare(backend, "maxPool 2×2 + gradient", () => {
    const x = tf.tensor4d(pv, [2, 12, 12, 6]);
    return [tf.maxPool(x, 2, 2, "valid"), tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid").square().sum())(x)];
  }));
  const [av, bv] = [values(64 * 300, seed++), values(300 * 50, seed++)];
  checks.push(await compare(backend, "matMul + gradients (transposed products)", () => {
    const [a, b] = [tf.tensor2d(av, [64, 300]), tf.tensor2d(bv, [300, 50])];
    return [tf.matMul(a, b), ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q).square().sum())([a, b])];
  }));
  const iv = values(8 * 28 * 28, seed++);
  checks.push(await compare(backend, "Fashion-MNIST CNN: one step's gradients", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    const x = tf.tensor4d(iv, [8, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10);
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
    const out = Object.keys(grads).sort().map((k) => grads[k]!);
    model.dispose();
    return out;
  }));
  return checks;
}

interface Timing {
  readonly model: BenchModel;
  readonly mode: BenchMode;
  readonly imgPerSec: number;
  readonly torchImgPerSec?: number;
  readonly note: string;
}

function torchOnGpu(model: BenchModel, mode: BenchMode, batch: number, steps: number): { imgPerSec: number; device: string } | { error: string } {
  const script = join(process.cwd(), "bench", "reference", "cnn.py");
  const python = ["/usr/bin/python3", "python3"].find((p) => p.includes("/") ? existsSync(p) : true)!;
  try {
    const out = execFileSync(python, [script, "--model", model, "--mode", mode, "--batch", String(batch), "--steps", String(steps), "--device", "cuda"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const result = JSON.parse(out.trim().split("\n").pop()!) as { img_per_s: number; device: string };
    return { imgPerSec: result.img_per_s, device: result.device };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    return { error: stderr.trim().split("\n").pop()!.slice(0, 120) };
  }
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
      if (!(BACKEND_NAMES as readonly string[]).includes(name)) throw new BenchUsageError(`--backend: unknown "${name}"`);
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
    say("| check vs cpu | max relative error | ok |\n|---|---:|---|");
    for (const check of await correctness(info.name)) {
      failed ||= !check.ok;
      say(`| ${check.name} | ${check.relativeError.toExponential(2)} | ${check.ok ? "yes" : "NO"} |`);
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
          ...("error" in torch ? { note: `PyTorch CUDA: ${torch.error}` } : { torchImgPerSec: torch.imgPerSec, note: `PyTorch fp32 on ${torch.device}` }),
        });
      }
    }
    say(`\n| model | mode | ${info.name} img/s | PyTorch img/s | × PyTorch | note |\n|---|---|---:|---:|---:|---|`);
    for (const t of timings) {
      const ratio = t.torchImgPerSec ? (t.imgPerSec / t.torchImgPerSec).toFixed(2) : "—";
      say(`| ${t.model} | ${t.mode} | ${t.imgPerSec.toFixed(1)} | ${t.torchImgPerSec?.toFixed(1) ?? "—"} | ${ratio} | ${t.note} |`);
    }
    say(`\nPeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; ${options.steps} timed steps after one warm-up; batch 32 (seed) / 64 (Fashion-MNIST).`);
  } catch (error) {
    failed = true;
    say(`GPU run failed: ${(error as Error).stack ?? String(error)}`);
  }
  if (options.out !== undefined) writeFileSync(join(options.out, "gpu-results.md"), `${lines.join("\n")}\n`);
  if (failed) process.exitCode = 1;
}

// Runs by itself when it is the entry: the device bundle (.device/app.mjs) or `node bench/gpu.ts`.
if (/(?:^|[\\/])(?:app\.mjs|gpu\.ts)$/.test(process.argv[1] ?? "")) void main(process.argv.slice(2));
