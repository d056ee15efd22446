/**
 * `npm run bench -- backends`: trains and runs the documents' two
 * CNNs — Seed 000 §5.2.2's binary CNN (150×150×3, batch 32) and Seed 001 §5.2's 10-class CNN on
 * Fashion-MNIST shapes (28×28×1, batch 64) — on every available tfjs backend and, in the same run,
 * the same architectures in PyTorch (bench/reference/cnn.py, Debian's python3-torch, same batch),
 * at 1 and 2 threads on both sides (wasm: LEPTON_WASM_THREADS; PyTorch: torch.set_num_threads).
 * Prints img/s, the ratio to PyTorch at the same thread count and peak memory. Then the dense
 * layers' three products timed alone (bench/reference/gemm.py: numpy and PyTorch on the BLAS they
 * load; tfjs wasm), and ten threaded training processes that must each exit by themselves with a
 * result. Appends it all to bench/RESULTS.md, with the load average before and after.
 *
 * Each measurement runs in its own process, so peak memory (max RSS) belongs to that one model,
 * backend, mode and thread count. Options: --steps N (timed steps per measurement, default per
 * model), --backends wasm,cpu · --models seed,fashion · --modes train,infer · --threads 1,2 ·
 * --repeats N (PyTorch and wasm alternate N times, default 3; medians) · --exit-runs N (default 10;
 * 0 skips) · --no-torch · --no-append · --slow (also the seed CNN on the cpu backend, which takes hours).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, existsSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, type BackendName } from "../src/config";
import { initBackend, nativeKernels, probeOf } from "../src/backends";
import { median } from "../src/resources/backend-comparison";
import { binaryCnn, FASHION_MNIST_CONV_FILTERS, FASHION_MNIST_INPUT, multiClassCnn } from "../src/models/cnn";
import { BenchUsageError, positiveInteger } from "./args";
import { runReference } from "./python";

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
  /** Untimed steps first (default: the model's {@link WARMUP_STEPS}). */
  readonly warmup?: number;
  /** wasm's XNNPACK threads (LEPTON_WASM_THREADS of the child, default 1); other backends ignore it. */
  readonly threads?: number;
  /** false runs wasm without its native kernels (LEPTON_NATIVE_KERNELS=0), XNNPACK alone. */
  readonly nativeKernels?: boolean;
}

/** What one child process measured. */
export interface BenchResult {
  readonly imgPerSec: number;
  readonly peakRssMb: number;
  readonly detail: string;
}

// The repository root; an ESM bundle of the bench has no __dirname and runs from the root.
const ROOT = typeof __dirname === "string" ? resolve(__dirname, "..") : process.cwd();
/**
 * Debian's OpenBLAS (apt package libopenblas0-pthread). Debian's PyTorch is built against a generic BLAS and numpy
 * against the libblas.so.3 alternative; without OpenBLAS that is the netlib reference BLAS, about 20× slower on a
 * Dense layer's product, which would make PyTorch a weak reference. Where OpenBLAS is installed, the references
 * load it through LD_LIBRARY_PATH whatever the system's alternative says.
 */
const OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
const BATCH: Readonly<Record<BenchModel, number>> = { seed: 32, fashion: 64 };
/** Each model's Dense layer after the convolutions: [batch, inputs, units] (src/models/cnn). */
const DENSE: Readonly<Record<BenchModel, readonly [number, number, number]>> = {
  seed: [32, 36992, 512],
  fashion: [64, 1600, 128],
};
/** A child that has not answered by then counts as hung. */
const CHILD_TIMEOUT_MS = 20 * 60_000;
const EXIT_RUN_TIMEOUT_MS = 120_000;
/**
 * Untimed steps first, on both sides: kernel setup, optimizer slots, the heap growing to its working size, and V8
 * compiling the step's JavaScript (a Fashion-MNIST training step on 2 threads took 17–30 ms over its first twelve
 * steps and 13–15 ms in most after).
 */
export const WARMUP_STEPS: Readonly<Record<BenchModel, number>> = { seed: 2, fashion: 12 };
const DEFAULT_STEPS: Readonly<Record<BenchModel, Record<BenchMode, number>>> = {
  seed: { train: 3, infer: 3 },
  fashion: { train: 40, infer: 40 },
};

function buildModel(model: BenchModel): tf.LayersModel {
  return model === "seed"
    ? binaryCnn({ seed: 1 })
    : multiClassCnn({ inputShape: FASHION_MNIST_INPUT, convFilters: FASHION_MNIST_CONV_FILTERS, seed: 1 });
}

function batchOf(model: BenchModel, batch: number): { x: tf.Tensor; y: tf.Tensor } {
  const shape = model === "seed" ? [batch, 150, 150, 3] : [batch, ...FASHION_MNIST_INPUT];
  const x = tf.randomUniform(shape, 0, 1, "float32", 7);
  const y =
    model === "seed"
      ? tf.randomUniform([batch, 1], 0, 1, "float32", 8).round()
      : tf.randomUniform([batch, 1], 0, 10, "int32", 9).cast("float32");
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
  for (let step = 0; step < (spec.warmup ?? WARMUP_STEPS[spec.model]); step++) await oneStep(model, spec.mode, x, y);
  const start = performance.now();
  for (let step = 0; step < spec.steps; step++) await oneStep(model, spec.mode, x, y);
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return {
    imgPerSec: (spec.batch * spec.steps) / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    detail: `${info.detail} · ${info.device}`,
  };
}

/** Child entry: reads a spec from argv, prints one JSON result line. */
export async function child(specJson: string): Promise<void> {
  const result = await measure(JSON.parse(specJson) as BenchSpec);
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

/**
 * Runs `entry` of this file in a child process with `arg`, under LEPTON_WASM_THREADS=threads; returns its BENCH line.
 */
function runEntry<T>(
  entry: "child" | "denseChild",
  arg: string,
  threads: number,
  env: NodeJS.ProcessEnv = {},
): T | { error: string } {
  const script = `require("tsx/cjs/api").register(); require(${JSON.stringify(join(ROOT, "bench", "backends.ts"))}).${entry}(process.argv[1]).catch((e) => { console.error(e && e.message || e); process.exit(1); });`;
  try {
    const out = execFileSync(process.execPath, ["-e", script, arg], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 1 << 24,
      timeout: CHILD_TIMEOUT_MS,
      env: { ...process.env, ...env, LEPTON_WASM_THREADS: String(threads) },
    });
    const line = out.split("\n").find((l) => l.startsWith("BENCH "));
    if (line === undefined) return { error: "no result line" };
    return JSON.parse(line.slice(6)) as T;
  } catch (error) {
    const { stderr = "", signal } = error as { stderr?: string; signal?: string };
    if (signal) return { error: `killed by ${signal} after ${CHILD_TIMEOUT_MS / 60_000} min without a result` };
    return { error: (stderr.trim().split("\n").pop() ?? (error as Error).message).slice(0, 160) };
  }
}

/** The environment a spec's variant runs under. */
const variantEnv = (spec: BenchSpec): NodeJS.ProcessEnv =>
  spec.nativeKernels === false ? { LEPTON_NATIVE_KERNELS: "0" } : {};

function runChild(spec: BenchSpec): BenchResult | { error: string } {
  return runEntry<BenchResult>("child", JSON.stringify(spec), spec.threads ?? 1, variantEnv(spec));
}

interface TorchResult {
  readonly img_per_s: number;
  readonly peak_rss_mb: number;
  readonly torch: string;
  readonly blas: string;
  readonly onednn: boolean;
  readonly blas_libraries: readonly string[];
}

/** What the PyTorch runs said about themselves, for the header. */
interface TorchInfo {
  version?: string;
  blas?: string;
  onednn?: boolean;
  libraries?: readonly string[];
}

/** Runs a bench/reference script on `threads` threads; parses its last line. */
function runPython<T>(script: string, args: readonly string[], threads: number): T | { error: string } {
  return runReference<T>(script, [...args, "--threads", String(threads)], {
    timeoutMs: CHILD_TIMEOUT_MS,
    // Read by OpenMP and the BLAS libraries when they load, before any set_num_threads.
    env: {
      OMP_NUM_THREADS: String(threads),
      OPENBLAS_NUM_THREADS: String(threads),
      ...(existsSync(join(OPENBLAS_DIR, "libblas.so.3"))
        ? { LD_LIBRARY_PATH: [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":") }
        : {}),
    },
  });
}

/** bench/reference/cnn.py's arguments for one measurement, the warm-up as on the tfjs side. */
export function cnnReferenceArgs(model: BenchModel, mode: BenchMode, batch: number, steps: number): string[] {
  return [
    "--model",
    model,
    "--mode",
    mode,
    "--batch",
    String(batch),
    "--steps",
    String(steps),
    "--warmup",
    String(WARMUP_STEPS[model]),
  ];
}

function runTorch(
  model: BenchModel,
  mode: BenchMode,
  batch: number,
  steps: number,
  threads: number,
): TorchResult | { error: string } {
  return runPython<TorchResult>("cnn.py", cnnReferenceArgs(model, mode, batch, steps), threads);
}

/** What gemm.py measured: one Dense layer's three products in numpy and PyTorch. */
interface GemmResult {
  readonly numpy_ms: number;
  readonly torch_ms: number;
  readonly gflop: number;
  readonly blas_libraries: readonly string[];
  readonly numpy: string;
}

/** What {@link denseChild} measured: the same three products on a tfjs backend. */
export interface DenseResult {
  readonly ms: number;
  readonly detail: string;
}

/**
 * Timed repeats of the Dense products on each side, after one warm-up. The 28×28 CNN's products take a few tenths of a
 * millisecond, within the spread of a handful of repeats on a shared machine.
 */
const DENSE_REPEATS = 15;

/** The three products of one Dense training step — x·W, xᵀ·dy, dy·Wᵀ — timed on `backend` (median of {@link DENSE_REPEATS}). */
export async function measureDense(
  backend: BackendName,
  [batch, inputs, units]: readonly [number, number, number],
): Promise<DenseResult> {
  const info = await initBackend({ force: backend, quiet: true });
  const x = tf.randomUniform([batch, inputs], 0, 1, "float32", 1);
  const w = tf.randomUniform([inputs, units], 0, 1, "float32", 2);
  const times: number[] = [];
  for (let repeat = 0; repeat <= DENSE_REPEATS; repeat++) {
    // A fresh dy each time, as in training (XNNPACK packs a new right operand at every call).
    const dy = tf.randomUniform([batch, units], 0, 1, "float32", 3 + repeat);
    await dy.data();
    const start = performance.now();
    const products = [tf.matMul(x, w), tf.matMul(x, dy, true, false), tf.matMul(dy, w, false, true)];
    // One value of each product says it is done (on a GPU too); reading all of xᵀ·dy would time a copy of the weights.
    const corners = products.map((p) => p.slice([0, 0], [1, 1]));
    await Promise.all(corners.map((c) => c.data()));
    times.push(performance.now() - start);
    tf.dispose([dy, ...products, ...corners]);
  }
  tf.dispose([x, w]);
  return { ms: median(times.slice(1)), detail: info.detail };
}

/** Child entry of the dense measurement: argv is JSON {backend, shape}. */
export async function denseChild(specJson: string): Promise<void> {
  const { backend, shape } = JSON.parse(specJson) as { backend: BackendName; shape: [number, number, number] };
  process.stdout.write(`BENCH ${JSON.stringify(await measureDense(backend, shape))}\n`);
}

interface Options {
  readonly backends: readonly BackendName[];
  readonly models: readonly BenchModel[];
  readonly modes: readonly BenchMode[];
  readonly threads: readonly number[];
  readonly repeats: number;
  readonly exitRuns: number;
  readonly steps: number | undefined;
  readonly torch: boolean;
  readonly append: boolean;
  readonly slow: boolean;
}

function listOption<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T[] {
  if (value === undefined) throw new BenchUsageError(`--${name} needs a value (${allowed.join(",")})`);
  const items = value.split(",").map((s) => s.trim());
  for (const item of items)
    if (!(allowed as readonly string[]).includes(item))
      throw new BenchUsageError(`--${name}: unknown "${item}" (one of ${allowed.join(", ")})`);
  return items as T[];
}

function parseArgs(args: readonly string[]): Options {
  let backends: BackendName[] | undefined;
  let models: BenchModel[] = ["fashion", "seed"];
  let modes: BenchMode[] = ["train", "infer"];
  let threads = [1, 2];
  let repeats = 3;
  let exitRuns = 10;
  let steps: number | undefined;
  let torch = true;
  let append = true;
  let slow = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--backends") backends = listOption(args[++i], BACKEND_NAMES, "backends");
    else if (arg === "--models") models = listOption(args[++i], ["seed", "fashion"] as const, "models");
    else if (arg === "--modes") modes = listOption(args[++i], ["train", "infer"] as const, "modes");
    else if (arg === "--threads")
      threads = (args[++i] ?? "").split(",").map((t) => positiveInteger(t.trim(), "threads"));
    else if (arg === "--repeats") repeats = positiveInteger(args[++i], "repeats");
    else if (arg === "--exit-runs") {
      const raw = args[++i];
      exitRuns = raw === "0" ? 0 : positiveInteger(raw, "exit-runs");
    } else if (arg === "--steps") {
      steps = positiveInteger(args[++i], "steps");
    } else if (arg === "--no-torch") torch = false;
    else if (arg === "--no-append") append = false;
    else if (arg === "--slow") slow = true;
    else throw new BenchUsageError(`bench backends: unknown option ${arg}`);
  }
  return {
    backends: backends ?? [...BACKEND_NAMES],
    models,
    modes,
    threads,
    repeats,
    exitRuns,
    steps,
    torch,
    append,
    slow,
  };
}

async function availableBackends(
  wanted: readonly BackendName[],
): Promise<{ name: BackendName; available: boolean; reason: string }[]> {
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
  threads: number;
  backend: string;
  imgPerSec?: number;
  ratio?: number;
  peakRssMb?: number;
  note: string;
}

function format(rows: readonly Row[]): string {
  const head =
    "| model | mode | threads | backend | img/s | × PyTorch (same threads) | peak RSS MiB | note |\n|---|---|---:|---|---:|---:|---:|---|";
  const body = rows.map(
    (r) =>
      `| ${r.model} | ${r.mode} | ${r.threads} | ${r.backend} | ${r.imgPerSec?.toFixed(r.imgPerSec < 10 ? 2 : 1) ?? "—"} | ${r.ratio?.toFixed(r.ratio < 0.1 ? 4 : 2) ?? "—"} | ${r.peakRssMb?.toFixed(0) ?? "—"} | ${r.note} |`,
  );
  return [head, ...body].join("\n");
}

/** "median of 3 runs: 768–944" (or "1 run"). */
function spread(values: readonly number[]): string {
  if (values.length === 1) return "1 run";
  const digits = Math.min(...values) < 10 ? 2 : 0;
  return `median of ${values.length} runs: ${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

/**
 * The rows a backend gets: wasm twice where its native kernels are built — as selection runs it, and XNNPACK alone
 * (LEPTON_NATIVE_KERNELS=0) — so the table shows what the native kernels add, in the same run.
 */
function variantsOf(backend: BackendName): { label: string; spec: Partial<BenchSpec> }[] {
  const rows: { label: string; spec: Partial<BenchSpec> }[] = [{ label: backend, spec: {} }];
  if (backend === "wasm" && nativeKernels() !== undefined)
    rows.push({ label: "wasm, XNNPACK only", spec: { nativeKernels: false } });
  return rows;
}

/** Backends whose speed depends on a thread count this bench sets: only wasm (the others run once, at 1). */
const THREADED: ReadonlySet<BackendName> = new Set(["wasm"]);

async function modelRows(
  options: Options,
  backends: Awaited<ReturnType<typeof availableBackends>>,
  torchInfo: TorchInfo,
): Promise<Row[]> {
  const rows: Row[] = [];
  const emit = (row: Row) => {
    rows.push(row);
    console.log(format([row]).split("\n")[2]);
  };
  for (const model of options.models) {
    for (const mode of options.modes) {
      const batch = BATCH[model];
      const steps = options.steps ?? DEFAULT_STEPS[model][mode];
      for (const threads of options.threads) {
        // PyTorch and the threaded backends run `repeats` times, alternating, so a change of load on a shared
        // machine hits both sides of a pair; each ratio is the median of the paired ratios.
        const torchRuns: TorchResult[] = [];
        let torchError: string | undefined;
        const runs = new Map<string, { results: BenchResult[]; error?: string; spec: BenchSpec }>();
        for (let repeat = 0; repeat < options.repeats; repeat++) {
          if (options.torch) {
            const torch = runTorch(model, mode, batch, steps, threads);
            if ("error" in torch) torchError = torch.error;
            else {
              torchRuns.push(torch);
              Object.assign(torchInfo, {
                version: torch.torch,
                blas: torch.blas,
                onednn: torch.onednn,
                libraries: torch.blas_libraries,
              });
            }
          }
          for (const backend of backends) {
            if (!backend.available || (threads !== options.threads[0] && !THREADED.has(backend.name))) continue;
            if (backend.name === "cpu" && model === "seed" && !options.slow) continue;
            if (repeat > 0 && !THREADED.has(backend.name)) continue;
            for (const variant of variantsOf(backend.name)) {
              const spec: BenchSpec = {
                backend: backend.name,
                model,
                mode,
                batch,
                // The JavaScript cpu backend takes seconds a step: one warm-up, one timed step.
                ...(backend.name === "cpu" ? { steps: 1, warmup: 1 } : { steps }),
                threads,
                ...variant.spec,
              };
              const entry = runs.get(variant.label) ?? { results: [], spec };
              runs.set(variant.label, entry);
              const result = runChild(spec);
              if ("error" in result) entry.error = result.error;
              else entry.results.push(result);
            }
          }
        }
        const torchSpeeds = torchRuns.map((t) => t.img_per_s);
        if (options.torch) {
          emit(
            torchRuns.length === 0
              ? { model, mode, threads, backend: "PyTorch", note: torchError ?? "no result" }
              : {
                  model,
                  mode,
                  threads,
                  backend: "PyTorch",
                  imgPerSec: median(torchSpeeds),
                  ratio: 1,
                  peakRssMb: Math.max(...torchRuns.map((t) => t.peak_rss_mb)),
                  note: `torch ${torchRuns[0]!.torch}; ${spread(torchSpeeds)}`,
                },
          );
        }
        for (const backend of backends) {
          if (threads !== options.threads[0] && !THREADED.has(backend.name)) continue;
          if (!backend.available) {
            emit({ model, mode, threads, backend: backend.name, note: `not available: ${backend.reason}` });
            continue;
          }
          if (backend.name === "cpu" && model === "seed" && !options.slow) {
            emit({
              model,
              mode,
              threads,
              backend: "cpu",
              note: "skipped: hours per step on the JavaScript cpu backend (--slow runs it)",
            });
            continue;
          }
          for (const { label } of variantsOf(backend.name)) {
            const entry = runs.get(label)!;
            if (entry.results.length === 0) {
              emit({ model, mode, threads, backend: label, note: `failed: ${entry.error ?? "no result"}` });
              continue;
            }
            const speeds = entry.results.map((r) => r.imgPerSec);
            const paired = speeds.map((speed, i) => speed / (torchSpeeds[i] ?? median(torchSpeeds)));
            emit({
              model,
              mode,
              threads,
              backend: label,
              imgPerSec: median(speeds),
              peakRssMb: Math.max(...entry.results.map((r) => r.peakRssMb)),
              ...(torchSpeeds.length > 0 ? { ratio: median(paired) } : {}),
              note: `${entry.results[0]!.detail}; ${entry.spec.steps} step(s) of ${batch}; ${spread(speeds)}${entry.error ? `; a run failed: ${entry.error}` : ""}`,
            });
          }
        }
      }
    }
  }
  return rows;
}

/** The dense layers' products alone: numpy and PyTorch (their BLAS) against tfjs wasm, per thread count. */
function denseTable(options: Options): { table: string; blas: string } {
  const lines = [
    "| model | Dense product [batch × inputs × units] | threads | numpy ms | PyTorch ms | tfjs wasm ms | wasm GFLOP/s | wasm × PyTorch |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
  ];
  let blas = "";
  for (const model of options.models) {
    const shape = DENSE[model];
    for (const threads of options.threads) {
      const reference = options.torch
        ? runPython<GemmResult>(
            "gemm.py",
            [
              "--batch",
              String(shape[0]),
              "--inputs",
              String(shape[1]),
              "--units",
              String(shape[2]),
              "--repeats",
              String(DENSE_REPEATS),
            ],
            threads,
          )
        : undefined;
      const wasm = runEntry<DenseResult>("denseChild", JSON.stringify({ backend: "wasm", shape }), threads);
      const gflop = (3 * 2 * shape[0] * shape[1] * shape[2]) / 1e9;
      const ref = reference === undefined || "error" in reference ? undefined : reference;
      if (ref) blas = `${ref.blas_libraries.join(", ") || "no BLAS library mapped"} (numpy ${ref.numpy})`;
      const ms = "error" in wasm ? undefined : wasm.ms;
      lines.push(
        `| ${model} | ${shape.join(" × ")} (x·W, xᵀ·dy, dy·Wᵀ) | ${threads} | ${ref?.numpy_ms.toFixed(1) ?? "—"} | ${ref?.torch_ms.toFixed(1) ?? "—"} | ` +
          `${ms?.toFixed(1) ?? ("error" in wasm ? wasm.error : "—")} | ${ms ? (gflop / (ms / 1000)).toFixed(1) : "—"} | ${ms && ref ? (ref.torch_ms / ms).toFixed(2) : "—"} |`,
      );
    }
  }
  return { table: lines.join("\n"), blas };
}

/**
 * Starts `runs` threaded training processes one after another, for each wasm variant (native kernels on their own
 * threads; XNNPACK alone on its worker pool, where hangs were seen); each must exit by itself with a result.
 */
function exitCheck(runs: number, threads: number): string {
  const script = `require("tsx/cjs/api").register(); require(${JSON.stringify(join(ROOT, "bench", "backends.ts"))}).child(process.argv[1]).catch((e) => { console.error(e && e.message || e); process.exit(1); });`;
  const reports: string[] = [];
  for (const { label, spec: variant } of variantsOf("wasm")) {
    const spec: BenchSpec = {
      backend: "wasm",
      model: "fashion",
      mode: "train",
      batch: BATCH.fashion,
      steps: 3,
      threads,
      ...variant,
    };
    const outcomes: string[] = [];
    let finished = 0;
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      const child = spawnSync(process.execPath, ["-e", script, JSON.stringify(spec)], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: EXIT_RUN_TIMEOUT_MS,
        env: { ...process.env, ...variantEnv(spec), LEPTON_WASM_THREADS: String(threads) },
      });
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      const line = child.stdout?.split("\n").find((l) => l.startsWith("BENCH "));
      const ok = child.status === 0 && child.signal === null && line !== undefined;
      if (ok) finished++;
      const detail = line ? (JSON.parse(line.slice(6)) as BenchResult).detail.split(" · ")[0] : "";
      outcomes.push(
        ok
          ? `${seconds} s (${detail})`
          : `FAILED after ${seconds} s: ${child.signal ? `killed by ${child.signal}` : `exit ${child.status}`} ${(child.stderr ?? "").trim().split("\n").pop() ?? ""}`,
      );
      console.log(`threaded run ${run + 1}/${runs} (${label}): ${outcomes.at(-1)}`);
    }
    reports.push(
      `- ${label}: ${finished}/${runs} threaded training processes (LEPTON_WASM_THREADS=${threads}, Fashion-MNIST CNN, ${spec.steps} steps of ${spec.batch}) exited by themselves with a result, ` +
        `each within ${EXIT_RUN_TIMEOUT_MS / 1000} s: ${outcomes.join("; ")}.`,
    );
  }
  return reports.join("\n");
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/** `lepton bench backends [options]`: see the file comment. */
export async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const loadBefore = load();
  const backends = await availableBackends(options.backends);
  const torchInfo: TorchInfo = {};
  const rows = await modelRows(options, backends, torchInfo);
  const table = format(rows);
  console.log(table);
  const wasmAvailable = backends.some((b) => b.name === "wasm" && b.available);
  const dense = wasmAvailable ? denseTable(options) : undefined;
  if (dense) console.log(dense.table);
  const threaded = Math.max(...options.threads);
  const exits =
    wasmAvailable && options.exitRuns > 0 && threaded > 1 ? exitCheck(options.exitRuns, threaded) : undefined;
  if (exits) console.log(exits);
  const loadAfter = load();
  if (options.append) {
    const machine = `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
    const torch = torchInfo.version
      ? `; PyTorch ${torchInfo.version} (BLAS_INFO=${torchInfo.blas}: Linear layers on ${torchInfo.libraries?.join(", ") || torchInfo.blas}; convolutions on ${torchInfo.onednn ? "oneDNN" : "its own kernels"})`
      : "";
    const header =
      `\n## backends — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\nMachine: ${machine}; load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after; ` +
      `node ${process.versions.node}; tfjs ${tf.version.tfjs}${torch}. ` +
      `Batch 32 (seed CNN, 150×150×3) and 64 (Fashion-MNIST CNN, 28×28×1); ${WARMUP_STEPS.seed} (seed) and ${WARMUP_STEPS.fashion} (Fashion-MNIST) warm-up steps on both sides (1 on the cpu backend), then the timed steps; ` +
      `PyTorch and wasm run ${options.repeats} time(s) each, alternating; img/s is the median, and each ratio the median of the paired ratios at the same thread count ` +
      `(wasm: LEPTON_WASM_THREADS; PyTorch: torch.set_num_threads and OMP_NUM_THREADS). ` +
      `Command: \`npm run bench -- backends${args.length ? ` ${args.join(" ")}` : ""}\`.\n\n`;
    const denseText = dense
      ? `\n\nDense layers' products alone, median of ${DENSE_REPEATS} (BLAS loaded by the Python side: ${dense.blas || "not measured"}):\n\n${dense.table}`
      : "";
    const exitText = exits ? `\n\nExit check:\n\n${exits}` : "";
    appendFileSync(join(ROOT, "bench", "RESULTS.md"), `${header}${table}${denseText}${exitText}\n`);
  }
}
