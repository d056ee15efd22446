/**
 * One probe per backend: each registers its
 * backend with tfjs if it can, and reports whether a tiny op really runs and reads back — never
 * whether a package is merely installed (danfojs' npm override, for one, maps
 * `@tensorflow/tfjs-node` to plain tfjs).
 */
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { isMainThread } from "node:worker_threads";
import type { BackendName } from "../config";
import { registerWasmTrainingKernels } from "./wasm-training/register";
import { nativeKernels, nativeKernelsAbsence } from "./native-kernels";
import {
  prepareWasmThreads,
  WASM_THREADS_START_ATTEMPTS,
  WASM_THREADS_START_SECONDS,
  wasmThreadCount,
  withStartDeadline,
  type WasmThreadsOptions,
} from "./wasm-threads";
import { manifestNames, missingVulkanPiece, vulkanDriverManifests } from "./vulkan";
import { installNavigatorGpu, type DawnModule } from "./webgpu-node";
import { LeptonError } from "../errors";

/** The result of probing one backend. */
export interface ProbeResult {
  readonly name: BackendName;
  readonly available: boolean;
  /** Why it is (not) available, in words. */
  readonly reason: string;
  /** The device it runs on (GPU name, CPU model), when available. */
  readonly device?: string;
  /** Implementation details (SIMD, threads, driver). */
  readonly detail?: string;
  /** Whether the documents' models can train on it (every kernel their gradients need is registered). */
  readonly trains?: boolean;
}

/**
 * Kernels the documents' CNN / RNN / GAN need for training beyond inference (found by training
 * each on wasm: the CNN's convolution and pooling gradients, an embedding's Gather gradient).
 */
export const TRAINING_KERNELS = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "MaxPoolGrad",
  "UnsortedSegmentSum",
] as const;

const cpuModel = () => cpus()[0]?.model.trim() ?? "unknown CPU";

/** Whether every training kernel is registered for `backend`. */
export function missingTrainingKernels(backend: BackendName): string[] {
  return TRAINING_KERNELS.filter((kernel) => tf.getKernel(kernel, backend) === undefined);
}

/** Runs 1+2, 3+4 on the active backend and checks the answer. */
async function tinyOpRoundTrips(): Promise<boolean> {
  const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 3]), tf.tensor1d([2, 4])));
  try {
    const values = await sum.data();
    return values[0] === 3 && values[1] === 7;
  } finally {
    sum.dispose();
  }
}

/** Makes `name` active and checks it computes; restores nothing (selection sets the final one). */
async function activates(name: BackendName): Promise<{ ok: boolean; why: string }> {
  try {
    if (!(await tf.setBackend(name))) return { ok: false, why: `tfjs could not initialise the ${name} backend` };
    await tf.ready();
    return (await tinyOpRoundTrips())
      ? { ok: true, why: "a tiny op ran and read back correctly" }
      : { ok: false, why: "a tiny op gave a wrong answer" };
  } catch (error) {
    return { ok: false, why: `${(error as Error).message}` };
  }
}

function trainingVerdict(name: BackendName): { trains: boolean; note: string } {
  const missing = missingTrainingKernels(name);
  return missing.length === 0
    ? { trains: true, note: "" }
    : { trains: false, note: `; cannot train CNNs: ${missing.join(", ")} not registered` };
}

/** tfjs-node-gpu, then tfjs-node: the real packages (libtensorflow), when installed. */
export async function probeTensorflow(): Promise<ProbeResult> {
  const aliases: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    let manifest: { name?: string; version?: string };
    try {
      manifest = require(`${pkg}/package.json`) as { name?: string; version?: string };
    } catch {
      continue;
    }
    if (manifest.name !== pkg) {
      aliases.push(`${pkg} is an alias of ${manifest.name ?? "another package"}`);
      continue;
    }
    try {
      require(pkg);
    } catch (error) {
      return {
        name: "tensorflow",
        available: false,
        reason: `${pkg} is installed but does not load: ${(error as Error).message}`,
      };
    }
    const { ok, why } = await activates("tensorflow");
    if (!ok) return { name: "tensorflow", available: false, reason: `${pkg}: ${why}` };
    return {
      name: "tensorflow",
      available: true,
      reason: why,
      device: pkg.endsWith("-gpu") ? "CUDA GPU (libtensorflow)" : cpuModel(),
      detail: `${pkg} ${manifest.version ?? ""}`.trim(),
      trains: true,
    };
  }
  const found = aliases.length > 0 ? ` (${aliases.join("; ")})` : "";
  return {
    name: "tensorflow",
    available: false,
    reason: `libtensorflow is not installed: no real @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node${found}`,
  };
}

/** What the adapter Dawn offers says about itself, read in a child process (see {@link describeDawnAdapter}). */
export interface DawnAdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly fallback?: boolean;
  /** The Vulkan driver manifest (ICD JSON) that gave this adapter, when the drivers were asked one by one. */
  readonly manifest?: string;
}

/** Raised when the child that asks Dawn for an adapter fails; carries what it printed. */
class AdapterQueryError extends LeptonError {}

// Dawn writes its Vulkan warnings straight to file descriptor 2 from native code, where Node cannot
// catch them (a driver Dawn rejects, such as Mesa's lavapipe, says "Warning: Vulkan
// shaderUniform*ArrayDynamicIndexing required"). The child asks each driver manifest on its own
// (the Vulkan loader rereads VK_ICD_FILENAMES at every instance), so this process can then load
// only the driver that works, and its own Dawn never meets the one that warns.
const ADAPTER_QUERY = `
const { create } = await import(process.argv[1]);
const manifests = JSON.parse(process.argv[2]);
const found = [];
for (const manifest of manifests.length > 0 ? manifests : [undefined]) {
  if (manifest !== undefined) {
    process.env.VK_ICD_FILENAMES = manifest;
    delete process.env.VK_DRIVER_FILES;
  }
  const adapter = await create([]).requestAdapter();
  if (adapter === null) continue;
  const info = adapter.info ?? {};
  found.push({ vendor: info.vendor, architecture: info.architecture, description: info.description, fallback: adapter.isFallbackAdapter === true || info.isFallbackAdapter === true, manifest });
}
process.stdout.write(JSON.stringify(found));
process.exit(0);
`;

/**
 * The adapter Dawn would give this process — the first hardware one over the Vulkan driver
 * manifests, else the first software one — or null when it finds none; nothing reaches stderr.
 */
export function describeDawnAdapter(env: NodeJS.ProcessEnv = process.env): DawnAdapterInfo | null {
  const entry = pathToFileURL(require.resolve("webgpu")).href;
  const manifests = process.platform === "linux" ? vulkanDriverManifests(env) : [];
  const child = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", ADAPTER_QUERY, entry, JSON.stringify(manifests)],
    { env, encoding: "utf8", timeout: 30_000 },
  );
  const printed = child.stdout.trim();
  if (child.status !== 0 || printed === "") {
    const said = child.stderr.trim().split("\n").at(-1) ?? "";
    throw new AdapterQueryError(
      `asking Dawn for an adapter failed (${child.error?.message ?? `exit ${child.status}`}${said ? `: ${said}` : ""})`,
    );
  }
  const adapters = (JSON.parse(printed) as DawnAdapterInfo[]).map(({ manifest, ...info }) =>
    manifest === undefined || manifest === null ? info : { ...info, manifest },
  );
  return adapters.find((adapter) => !isSoftwareAdapter(adapter)) ?? adapters[0] ?? null;
}

/**
 * Points this process's Vulkan loader at the one driver manifest that gave the adapter, before
 * Dawn starts here: drivers Dawn would reject (and warn about on stderr) are never loaded.
 */
function loadOnlyDriverOf(adapter: DawnAdapterInfo): void {
  if (adapter.manifest === undefined) return;
  process.env.VK_ICD_FILENAMES = adapter.manifest;
  if (process.env.VK_DRIVER_FILES !== undefined) process.env.VK_DRIVER_FILES = adapter.manifest;
}

/** A CPU rasteriser posing as a GPU (SwiftShader, llvmpipe/lavapipe): correct, but slower than wasm. */
export function isSoftwareAdapter(info: DawnAdapterInfo): boolean {
  return (
    info.fallback === true ||
    /swiftshader|llvmpipe|lavapipe|software/i.test(`${info.vendor} ${info.architecture} ${info.description}`)
  );
}

const adapterName = (info: DawnAdapterInfo) =>
  [info.vendor, info.architecture, info.description].filter((p) => p).join(" ") || "GPU";

/** Dawn warns when XDG_RUNTIME_DIR is unset; a private one for this process quiets it. */
function ensureRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR) return;
  process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), "lepton-xdg-"));
}

/**
 * WebGPU through Dawn (npm `webgpu`): needs the Vulkan loader, a Vulkan driver and an adapter.
 * A software adapter is refused unless `forced` (LEPTON_BACKEND=webgpu).
 */
export async function probeWebgpu(forced = false): Promise<ProbeResult> {
  const missing = missingVulkanPiece();
  if (missing !== undefined) return { name: "webgpu", available: false, reason: missing };
  try {
    const described = describeDawnAdapter();
    if (described === null)
      return {
        name: "webgpu",
        available: false,
        reason: `Dawn found no adapter on the Vulkan drivers ${manifestNames(vulkanDriverManifests())}`,
      };
    const software = isSoftwareAdapter(described);
    if (software && !forced) {
      return {
        name: "webgpu",
        available: false,
        reason: `the only adapter is a software one (${adapterName(described)}), which runs on the CPU slower than wasm; LEPTON_BACKEND=webgpu forces it`,
      };
    }
    ensureRuntimeDir();
    loadOnlyDriverOf(described);
    const dawn = (await import("webgpu")) as unknown as DawnModule;
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter();
    if (adapter === null)
      return { name: "webgpu", available: false, reason: "Dawn found no GPU adapter in this process" };
    installNavigatorGpu(dawn, gpu);
    await import("@tensorflow/tfjs-backend-webgpu");
    const { ok, why } = await activates("webgpu");
    if (!ok) return { name: "webgpu", available: false, reason: why };
    const { trains, note } = trainingVerdict("webgpu");
    const detail = software ? "Dawn (Vulkan), software adapter" : "Dawn (Vulkan)";
    return { name: "webgpu", available: true, reason: why + note, device: adapterName(described), detail, trains };
  } catch (error) {
    return { name: "webgpu", available: false, reason: `webgpu could not start: ${(error as Error).message}` };
  }
}

/** Whether the wasm backend was started in this process (threads are set at its first start only). */
let wasmStarted = false;

/** How {@link probeWasm} starts the backend; the defaults are what selection uses. */
export interface WasmProbeOptions {
  /**
   * Training threads; default wasmThreadCount() (LEPTON_WASM_THREADS). They go to the native kernels where those load,
   * else to XNNPACK's pool, which is started at wasm's first start in a process only.
   */
  readonly threads?: number;
  /** Seconds each try of a threaded start may take (two tries, then one thread). */
  readonly startSeconds?: number;
  /** Passed to prepareWasmThreads (a test breaks the pool's worker with it). */
  readonly threadsOptions?: WasmThreadsOptions;
}

type WasmModule = typeof import("@tensorflow/tfjs-backend-wasm");

/** Starts wasm on `threads` threads; a start that fails or misses its deadline leaves no pool worker behind. */
async function activateThreaded(
  wasm: WasmModule,
  threads: number,
  options: WasmProbeOptions,
): Promise<{ ok: boolean; why: string }> {
  const prepared = prepareWasmThreads(threads, wasm, options.threadsOptions);
  try {
    const start = Promise.race([activates("wasm"), prepared.failed]);
    const activation = await withStartDeadline(
      start,
      options.startSeconds ?? WASM_THREADS_START_SECONDS,
      threads,
      prepared.progress,
    );
    if (!activation.ok) await prepared.abandon();
    return activation;
  } catch (error) {
    await prepared.abandon();
    return { ok: false, why: (error as Error).message };
  } finally {
    prepared.restore();
  }
}

/**
 * {@link activateThreaded}, tried up to WASM_THREADS_START_ATTEMPTS times; the reasons of the failed tries are joined.
 */
async function activateThreadedWithRetry(
  wasm: WasmModule,
  threads: number,
  options: WasmProbeOptions,
): Promise<{ ok: boolean; why: string }> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= WASM_THREADS_START_ATTEMPTS; attempt++) {
    const activation = await activateThreaded(wasm, threads, options);
    if (activation.ok)
      return failures.length === 0
        ? activation
        : { ok: true, why: `${activation.why} (on try ${attempt}; before: ${failures.join("; ")})` };
    failures.push(activation.why);
  }
  return { ok: false, why: failures.join("; then ") };
}

/**
 * WebAssembly (XNNPACK) with our training kernels (src/backends/wasm-training) registered, on
 * wasmThreadCount() threads (src/backends/wasm-threads). Where the native kernels load, the heavy
 * kernels are theirs and so are the threads (their own pool; by default the machine's cores): XNNPACK
 * then stays on one thread, as both pools waiting on the same cores slowed both CNNs. Without
 * them, XNNPACK's pool takes the threads; a threaded start that fails or hangs falls back to one
 * thread, and says so on stderr.
 */
export async function probeWasm(options: WasmProbeOptions = {}): Promise<ProbeResult> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const distDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(`${join(distDir)}/`);
    registerWasmTrainingKernels();
    const native = nativeKernels();
    const threads = options.threads ?? wasmThreadCount(process.env, native ? defaultNativeThreads() : 1);
    const poolThreads = wasmStarted || native ? 1 : threads;
    wasmStarted = true;
    let activation =
      poolThreads > 1 ? await activateThreadedWithRetry(wasm, poolThreads, options) : await activates("wasm");
    if (!activation.ok && poolThreads > 1) {
      console.warn(`wasm: ${poolThreads} threads did not start (${activation.why}); training on 1 thread`);
      tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      wasm.setThreadsCount(1);
      const single = await activates("wasm");
      activation = single.ok ? { ok: true, why: `${single.why} (threaded start failed: ${activation.why})` } : single;
    }
    const { ok, why } = activation;
    if (!ok) return { name: "wasm", available: false, reason: why };
    const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
    const running = wasm.getThreadsCount();
    native?.setThreads(threads);
    const absence = nativeKernelsAbsence();
    if (absence?.includes("does not load")) console.warn(`wasm: native kernels off: ${absence}`);
    const { trains, note } = trainingVerdict("wasm");
    const xnnpack = `XNNPACK${simd ? " SIMD" : ""}, ${threadCount(running)}`;
    return {
      name: "wasm",
      available: true,
      reason: why + note,
      device: cpuModel(),
      detail: native ? `${xnnpack} + native kernels (${native.blas()}), ${threadCount(threads)}` : xnnpack,
      trains,
    };
  } catch (error) {
    return { name: "wasm", available: false, reason: `wasm could not start: ${(error as Error).message}` };
  }
}

const threadCount = (threads: number) => (threads > 1 ? `${threads} threads` : "1 thread");

/**
 * The native kernels' threads when LEPTON_WASM_THREADS is unset: the machine's cores, on the main thread. A worker
 * thread is one of several training side by side (src/distributed), so its kernels stay on one.
 */
function defaultNativeThreads(): number {
  return isMainThread ? availableParallelism() : 1;
}

/** The pure-JavaScript CPU backend: slow, always there, trains everything. */
export async function probeCpu(): Promise<ProbeResult> {
  const { ok, why } = await activates("cpu");
  return ok
    ? { name: "cpu", available: true, reason: why, device: cpuModel(), detail: "JavaScript, 1 thread", trains: true }
    : { name: "cpu", available: false, reason: why };
}
