/**
 * `npm run bench -- backends`: trains and runs the documents' two
 * CNNs — Seed 000 §5.2.2's binary CNN (150×150×3, batch 32) and Seed 001 §5.2's 10-class CNN on
 * Fashion-MNIST shapes (28×28×1, batch 64) — on every available tfjs backend and, in the same run,
 * the same architectures in PyTorch (bench/reference/cnn.py, Debian's python3-torch, same batch and
 * thread count). Prints img/s, the ratio to PyTorch and peak memory; appends to bench/RESULTS.md.
 *
 * Each measurement runs in its own process, so peak memory (max RSS) belongs to that one model,
 * backend and mode. Options: --steps N (timed steps per measurement, default per model),
 * --backends wasm,cpu · --models seed,fashion · --modes train,infer · --no-torch · --no-append ·
 * --slow (also the seed CNN on the cpu backend, which takes hours).
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, type BackendName } from "../src/config";
import { initBackend, probeOf } from "../src/backends";
import { binaryCnn, FASHION_MNIST_CONV_FILTERS, FASHION_MNIST_INPUT, multiClassCnn } from "../src/models/cnn";
import { BenchUsageError, positiveInteger } from "./args";

/** The two benchmarked architectures. */
export type BenchModel = "seed" | "fashion";
/** Training steps or forward passes. */
export type BenchMode = "train" | "infer";

/** One measurement to run in a child process. */
export interface BenchSpec {
  readonly backend: BackendName;
  readonly model: BenchModel;
  readonly mode: BenchMode;
  readonly batch: number;
  readonly steps: number;
}

/** What one child process measured. */
export interface BenchResult {
  readonly imgPerSec: number;
  readonly peakRssMb: number;
  readonly detail: string;
}

// The repository root; an ESM bundle of the bench has no __dirname and runs from the root.
const ROOT = typeof __dirname === "string" ? resolve(__dirname, "..") : process.cwd();
const PYTHON = "/usr/bin/python3";
const BATCH: Readonly<Record<BenchModel, number>> = { seed: 32, fashion: 64 };
const DEFAULT_STEPS: Readonly<Record<BenchModel, Record<BenchMode, number>>> = { seed: { train: 2, infer: 3 }, fashion: { train: 10, infer: 20 } };

function buildModel(model: BenchModel): tf.LayersModel {
  return model === "seed" ? binaryCnn({ seed: 1 }) : multiClassCnn({ inputShape: FASHION_MNIST_INPUT, convFilters: FASHION_MNIST_CONV_FILTERS, seed: 1 });
}

function batchOf(model: BenchModel, batch: number): { x: tf.Tensor; y: tf.Tensor } {
  const shape = model === "seed" ? [batch, 150, 150, 3] : [batch, ...FASHION_MNIST_INPUT];
  const x = tf.randomUniform(shape, 0, 1, "float32", 7);
  const y = model === "seed" ? tf.randomUniform([batch, 1], 0, 1, "float32", 8).round() : tf.randomUniform([batch, 1], 0, 10, "int32", 9).cast("float32");
  return { x, y };
}

async function oneStep(model: tf.LayersModel, mode: BenchMode, x: tf.Tensor, y: tf.Tensor): Promise<void> {
  if (mode === "train") {
    await model.trainOnBatch(x, y);
    return;
  }
  const out = model.predict(x) as tf.Tensor;
  await out.data();
  out.dispose();
}

/** Runs one measurement in this process (the child side of {@link main}). */
export async function measure(spec: BenchSpec): Promise<BenchResult> {
  const info = await initBackend({ force: spec.backend, quiet: true });
  const model = buildModel(spec.model);
  const { x, y } = batchOf(spec.model, spec.batch);
  await oneStep(model, spec.mode, x, y); // warm-up: kernel setup, optimizer slots, XNNPACK packing
  const start = performance.now();
  for (let step = 0; step < spec.steps; step++) await oneStep(model, spec.mode, x, y);
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return { imgPerSec: (spec.batch * spec.steps) / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, detail: `${info.detail} · ${info.device}` };
}

/** Child entry: reads a spec from argv, prints one JSON result line. */
export async function child(specJson: string): Promise<void> {
  const result = await measure(JSON.parse(specJson) as BenchSpec);
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

function runChild(spec: BenchSpec): BenchResult | { error: string } {
  const script = `require("tsx/cjs/api").register(); require(${JSON.stringify(join(ROOT, "bench", "backends.ts"))}).child(process.argv[1]).catch((e) => { console.error(e && e.message || e); process.exit(1); });`;
  try {
    const out = execFileSync(process.execPath, ["-e", script, JSON.stringify(spec)], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24 });
    const line = out.split("\n").find((l) => l.startsWith("BENCH "));
    if (line === undefined) return { error: "no result line" };
    return JSON.parse(line.slice(6)) as BenchResult;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    return { error: (stderr.trim().split("\n").pop() ?? (error as Error).message).slice(0, 160) };
  }
}

interface TorchResult {
  readonly img_per_s: number;
  readonly peak_rss_mb: number;
  readonly torch: string;
}

function runTorch(model: BenchModel, mode: BenchMode, batch: number, steps: number): TorchResult | { error: string } {
  if (!existsSync(PYTHON)) return { error: `${PYTHON} not found` };
  try {
    const out = execFileSync(PYTHON, [join(ROOT, "bench", "reference", "cnn.py"), "--model", model, "--mode", mode, "--batch", String(batch), "--steps", String(steps), "--threads", "1"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(out.trim().split("\n").pop()!) as TorchResult;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    return { error: stderr.trim().split("\n").pop()!.slice(0, 160) };
  }
}

interface Options {
  readonly backends: readonly BackendName[];
  readonly models: readonly BenchModel[];
  readonly modes: readonly BenchMode[];
  readonly steps: number | undefined;
  readonly torch: boolean;
  readonly append: boolean;
  readonly slow: boolean;
}

function listOption<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T[] {
  if (value === undefined) throw new BenchUsageError(`--${name} needs a value (${allowed.join(",")})`);
  const items = value.split(",").map((s) => s.trim());
  for (const item of items) if (!(allowed as readonly string[]).includes(item)) throw new BenchUsageError(`--${name}: unknown "${item}" (one of ${allowed.join(", ")})`);
  return items as T[];
}

function parseArgs(args: readonly string[]): Options {
  let backends: BackendName[] | undefined;
  let models: BenchModel[] = ["fashion", "seed"];
  let modes: BenchMode[] = ["train", "infer"];
  let steps: number | undefined;
  let torch = true;
  let append = true;
  let slow = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--backends") backends = listOption(args[++i], BACKEND_NAMES, "backends");
    else if (arg === "--models") models = listOption(args[++i], ["seed", "fashion"] as const, "models");
    else if (arg === "--modes") modes = listOption(args[++i], ["train", "infer"] as const, "modes");
    else if (arg === "--steps") {
      steps = positiveInteger(args[++i], "steps");
    } else if (arg === "--no-torch") torch = false;
    else if (arg === "--no-append") append = false;
    else if (arg === "--slow") slow = true;
    else throw new BenchUsageError(`bench backends: unknown option ${arg}`);
  }
  return { backends: backends ?? [...BACKEND_NAMES], models, modes, steps, torch, append, slow };
}

async function availableBackends(wanted: readonly BackendName[]): Promise<{ name: BackendName; available: boolean; reason: string }[]> {
  const info = await initBackend({ quiet: true }).catch(() => undefined);
  const probed = new Map((info?.probes ?? []).map((p) => [p.name, p] as const));
  const out = [];
  for (const name of wanted) {
    const result = probed.get(name) ?? (await probeOf(name)(false));
    out.push({ name, available: result.available, reason: result.reason });
  }
  return out;
}

interface Row {
  model: BenchModel;
  mode: BenchMode;
  backend: string;
  imgPerSec?: number;
  ratio?: number;
  peakRssMb?: number;
  note: string;
}

function format(rows: readonly Row[]): string {
  const head = "| model | mode | backend | img/s | × PyTorch | peak RSS MiB | note |\n|---|---|---|---:|---:|---:|---|";
  const body = rows.map((r) =>
    `| ${r.model} | ${r.mode} | ${r.backend} | ${r.imgPerSec?.toFixed(r.imgPerSec < 10 ? 2 : 1) ?? "—"} | ${r.ratio?.toFixed(r.ratio < 0.1 ? 4 : 2) ?? "—"} | ${r.peakRssMb?.toFixed(0) ?? "—"} | ${r.note} |`);
  return [head, ...body].join("\n");
}

/** `lepton bench backends [options]`: see the file comment. */
export async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const backends = await availableBackends(options.backends);
  const rows: Row[] = [];
  let torchVersion = "";
  for (const model of options.models) {
    for (const mode of options.modes) {
      const batch = BATCH[model];
      const steps = options.steps ?? DEFAULT_STEPS[model][mode];
      let torchSpeed: number | undefined;
      if (options.torch) {
        const torch = runTorch(model, mode, batch, steps);
        if ("error" in torch) rows.push({ model, mode, backend: "PyTorch (1 thread)", note: torch.error });
        else {
          torchSpeed = torch.img_per_s;
          torchVersion = torch.torch;
          rows.push({ model, mode, backend: "PyTorch (1 thread)", imgPerSec: torch.img_per_s, ratio: 1, peakRssMb: torch.peak_rss_mb, note: `torch ${torch.torch}` });
        }
      }
      for (const backend of backends) {
        if (!backend.available) {
          rows.push({ model, mode, backend: backend.name, note: `not available: ${backend.reason}` });
          continue;
        }
        if (backend.name === "cpu" && model === "seed" && !options.slow) {
          rows.push({ model, mode, backend: "cpu", note: "skipped: hours per step on the JavaScript cpu backend (--slow runs it)" });
          continue;
        }
        const spec: BenchSpec = { backend: backend.name, model, mode, batch, steps: backend.name === "cpu" ? 1 : steps };
        const result = runChild(spec);
        const row: Row = "error" in result
          ? { model, mode, backend: backend.name, note: `failed: ${result.error}` }
          : { model, mode, backend: backend.name, imgPerSec: result.imgPerSec, peakRssMb: result.peakRssMb, note: `${result.detail}; ${spec.steps} step(s) of ${batch}` };
        if (row.imgPerSec !== undefined && torchSpeed !== undefined) row.ratio = row.imgPerSec / torchSpeed;
        rows.push(row);
        console.log(format([row]).split("\n")[2]);
      }
    }
  }
  const table = format(rows);
  console.log(table);
  if (options.append) {
    const machine = `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
    const header = `\n## backends — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\nMachine: ${machine}; node ${process.versions.node}; tfjs ${tf.version.tfjs}${torchVersion ? `; PyTorch ${torchVersion}` : ""}. ` +
      `Batch 32 (seed CNN, 150×150×3) and 64 (Fashion-MNIST CNN, 28×28×1); one warm-up step, then the timed steps; PyTorch and tfjs on 1 thread. ` +
      `Command: \`npm run bench -- backends${args.length ? ` ${args.join(" ")}` : ""}\`.\n\n`;
    appendFileSync(join(ROOT, "bench", "RESULTS.md"), `${header}${table}\n`);
  }
}
