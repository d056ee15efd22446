/**
 * Both cores for the wasm backend under Node. tfjs-backend-wasm ships a threaded XNNPACK build but never starts it in
 * Node: its flag says no, its pthread worker is a `blob:` URL (ERR_WORKER_PATH under
 * worker_threads), the worker loads the module factory from another Blob, that factory's source
 * refers to the bundle's `require$$N` imports, and the thread count is capped at half of
 * os.cpus(). This module lifts each of those, only while the backend initialises: the two Blobs
 * become files in a temporary folder, the worker imports the factory from its file, and the CPU
 * count seen by the wasm module is scaled so the cap equals the requested threads.
 * The module resolves only once every pool worker has reported "loaded"; a worker that dies or never
 * answers would leave it pending forever, so the start has a deadline ({@link withStartDeadline}).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import workerThreads from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { LeptonError } from "../errors";

/** Raised when tfjs-backend-wasm's threaded build no longer looks as this module expects. */
export class WasmThreadsError extends LeptonError {}

/** The tfjs-backend-wasm functions this module calls. */
export interface WasmThreadControls {
  setThreadsCount(threads: number): void;
}

const MAX_THREADS = 8;
const FACTORY_PREFIX = "var WasmBackendModuleThreadedSimd";
const WORKER_LOAD = /if\(typeof e\.data\.urlOrBlob=="string"\)\{importScripts\(e\.data\.urlOrBlob\)\}else\{[^}]*\}/;
// The Node bundle of tfjs-backend-wasm names its imports require$$0…4; the factory's source uses them.
const BUNDLE_IMPORTS =
  'var commonjsGlobal = globalThis, require$$0 = require("fs"), require$$1 = require("path"), require$$3 = require("perf_hooks"), require$$4 = require("os");\n';

/**
 * Threads for wasm training: LEPTON_WASM_THREADS (at most 8), else `fallback`. The probe passes the
 * machine's cores as the fallback where the native kernels run (splitting each kernel over 2 threads
 * sped both CNNs up) and 1 where XNNPACK runs alone (its pool gave the Fashion-MNIST CNN 0.73–1.11×,
 * and its threaded start can stall before falling back); bench/RESULTS.md, "backends — notes
 * (2026-12-03)".
 */
export function wasmThreadCount(env: NodeJS.ProcessEnv = process.env, fallback = 1): number {
  const raw = env.LEPTON_WASM_THREADS?.trim();
  if (raw !== undefined && raw !== "") {
    const threads = Number(raw);
    if (!Number.isInteger(threads) || threads < 1)
      throw new WasmThreadsError(`LEPTON_WASM_THREADS must be a positive integer, got ${JSON.stringify(raw)}`);
    return Math.min(threads, MAX_THREADS);
  }
  return Math.min(Math.max(1, Math.floor(fallback)), MAX_THREADS);
}

/** The worker script with its Blob-loading step replaced by an import of the factory file. */
export function nodeWorkerSource(workerSource: string, factoryPath: string): string {
  const patched = workerSource.replace(WORKER_LOAD, `importScripts(${JSON.stringify(factoryPath)});`);
  if (patched === workerSource)
    throw new WasmThreadsError("tfjs-backend-wasm's pthread worker has no recognisable module-loading step");
  return patched;
}

/** How {@link prepareWasmThreads} builds the pool. */
export interface WasmThreadsOptions {
  /** Rewrites each pool worker's source after this module's own change (a test breaks a worker with it). */
  readonly rewriteWorker?: (source: string) => string;
}

/** The handles of one threaded start. */
export interface PreparedWasmThreads {
  /** Puts the globals back and deletes the temporary files; call right after the backend started (or failed). */
  restore(): void;
  /** Terminates every pool worker this start created: after a start that failed or missed its deadline. */
  abandon(): Promise<void>;
  /**
   * Rejects when a pool worker throws before restore() (the module itself would rethrow it as an uncaught exception).
   */
  readonly failed: Promise<never>;
  /** How far the pool got, in words: "3 of 8 pool workers reported ready". */
  progress(): string;
}

/**
 * Makes the next initialisation of the wasm backend start `threads` XNNPACK threads in Node.
 * Call right before `tf.setBackend('wasm')` and `restore()` right after it (the 8 pool workers have
 * loaded the temporary files by then).
 */
export function prepareWasmThreads(
  threads: number,
  wasm: WasmThreadControls,
  options: WasmThreadsOptions = {},
): PreparedWasmThreads {
  const folder = mkdtempSync(join(os.tmpdir(), "lepton-wasm-threads-"));
  const factoryPath = join(folder, "factory.js");
  let workerFiles = 0;
  const OriginalBlob = globalThis.Blob;
  const originalCreateObjectURL = URL.createObjectURL;
  const originalCpus = os.cpus;
  const texts = new WeakMap<Blob, string>();
  const OriginalWorker = workerThreads.Worker;
  const workers: InstanceType<typeof OriginalWorker>[] = [];
  let starting = true;
  let abandoned = false;
  let ready = 0;
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined);

  class RecordingBlob extends OriginalBlob {
    constructor(parts?: ConstructorParameters<typeof Blob>[0], options?: ConstructorParameters<typeof Blob>[1]) {
      super(parts ?? [], options);
      const text = (parts ?? []).map((part) => (typeof part === "string" ? part : "")).join("");
      texts.set(this, text);
      if (text.startsWith(FACTORY_PREFIX)) writeFileSync(factoryPath, BUNDLE_IMPORTS + text);
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = (blob: Blob) => {
    const text = texts.get(blob);
    if (text === undefined || text.startsWith(FACTORY_PREFIX)) return originalCreateObjectURL(blob);
    const source = nodeWorkerSource(text, factoryPath);
    // One file per pool worker (the module asks once per worker), so each can be given its own source.
    const workerPath = join(folder, `worker-${workerFiles++}.js`);
    writeFileSync(workerPath, options.rewriteWorker ? options.rewriteWorker(source) : source);
    return workerPath;
  };
  // The module takes its Worker class from worker_threads; this one remembers the pool it starts and,
  // while it starts, turns a worker's error into a failed start.
  workerThreads.Worker = class RecordedWorker extends OriginalWorker {
    constructor(...args: ConstructorParameters<typeof OriginalWorker>) {
      super(...args);
      workers.push(this);
      const on = this.on.bind(this);
      const counting =
        (listener: (...values: unknown[]) => void) =>
        (...values: unknown[]) => {
          if ((values[0] as { cmd?: unknown } | undefined)?.cmd === "loaded") ready++;
          return listener(...values);
        };
      // A worker can fail before the module listens to it (it listens once the wasm is compiled).
      on("error", (error: unknown) => {
        if (starting && !abandoned)
          fail(
            new WasmThreadsError(
              `a pthread pool worker failed while starting: ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
      });
      const failing =
        (listener: (...values: unknown[]) => void) =>
        (...values: unknown[]) =>
          starting || abandoned ? undefined : listener(...values);
      this.on = ((event: string, listener: (...values: unknown[]) => void) =>
        on(
          event,
          event === "error" ? failing(listener) : event === "message" ? counting(listener) : listener,
        )) as typeof this.on;
    }
  };
  // The module caps its pool at os.cpus().length / 2 (it assumes two hyper-threads per core).
  os.cpus = () => {
    const real = originalCpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]!);
  };
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);
  return {
    failed,
    progress: () => `${ready} of ${workers.length} pool workers reported ready`,
    restore() {
      starting = false;
      releasePoolWorkers();
      globalThis.Blob = OriginalBlob;
      URL.createObjectURL = originalCreateObjectURL;
      os.cpus = originalCpus;
      workerThreads.Worker = OriginalWorker;
      rmSync(folder, { recursive: true, force: true });
    },
    async abandon() {
      abandoned = true;
      await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
    },
  };
}

/**
 * Seconds a threaded start may take before it counts as hung. The pool loads in under a second even
 * on a loaded 2-core machine, but about one start in fifteen there never finished (bench/RESULTS.md).
 */
export const WASM_THREADS_START_SECONDS = 10;

/** Threaded starts tried before one thread: a hung start is rare, so a second try nearly always succeeds. */
export const WASM_THREADS_START_ATTEMPTS = 2;

/** `start`, or a WasmThreadsError once `seconds` pass without it settling; `progress` says how far it got. */
export async function withStartDeadline<T>(
  start: Promise<T>,
  seconds: number,
  threads: number,
  progress: () => string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new WasmThreadsError(`the ${threads}-thread wasm backend did not start within ${seconds} s (${progress()})`),
        ),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([start, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Lets the process exit while XNNPACK's pool threads idle: Emscripten ref()s the Node worker of
 * every running pthread, and the pool's threads never end, so a threaded process never exited
 * on its own (a bench child sat at 0 % CPU forever). The main thread waits on the pool
 * synchronously during each kernel, so no worker needs to hold the event loop open.
 */
function releasePoolWorkers(): void {
  type PoolWorker = { ref(): unknown; unref(): unknown };
  const registry = (
    tf.engine() as unknown as {
      registry: Record<
        string,
        { wasm?: { PThread?: { unusedWorkers?: PoolWorker[]; runningWorkers?: PoolWorker[] } } }
      >;
    }
  ).registry;
  const pthread = registry.wasm?.wasm?.PThread;
  for (const worker of [...(pthread?.unusedWorkers ?? []), ...(pthread?.runningWorkers ?? [])]) {
    worker.ref = () => worker;
    worker.unref();
  }
}
