/**
 * The main-thread side of the cell compiler:
 * starts worker.ts in a worker thread at once and forwards the kernel's requests to it.
 * Requests made before the compiler is built wait for it in the worker; a worker that fails or
 * dies fails them with a KernelSetupError naming the cause.
 */
import type { Worker } from "node:worker_threads";
import { typeScriptWorker } from "../typescript-worker";
import type { Completeness } from "./completeness";
import type { CompilerMessage, CompilerRequest, CompilerWorkerData } from "./worker";
import { KernelSetupError, type CellCompletion, type ConvertedCell } from "./typescript-bridge";

/** The cell compiler, asynchronous because it runs in another thread. */
export interface AsyncCellCompiler {
  convert(prevDecl: string, source: string): Promise<ConvertedCell>;
  complete(prevDecl: string, source: string, position: number): Promise<CellCompletion>;
  inspect(
    prevDecl: string,
    source: string,
    position: number,
    detailLevel: number,
    cells: readonly string[],
  ): Promise<string | undefined>;
  isComplete(source: string): Promise<Completeness>;
  close(): Promise<void>;
}

type Method = CompilerRequest["method"];
type ArgsOf<M extends Method> = Extract<CompilerRequest, { method: M }>["args"];

/** A compiler running in a worker thread. */
export class CompilerWorker implements AsyncCellCompiler {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private failure: Error | undefined;
  /** Resolves with the TypeScript version once the compiler is built; rejects if it cannot be. */
  readonly ready: Promise<string>;

  constructor(data: CompilerWorkerData) {
    this.worker = typeScriptWorker(require.resolve("./worker.ts"), {
      workerData: { ...data, lepton: "compiler" },
      stdout: false,
      stderr: false,
      // Building the first program parses the lib and @types/node: a larger young generation
      // spends less of that in scavenges (~10% of the build, alternating runs on one machine).
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    this.worker.unref();
    this.ready = new Promise<string>((resolve, reject) => {
      this.worker.on("message", (message: CompilerMessage) => {
        if (message.kind === "ready") resolve(message.typescriptVersion);
        else if (message.kind === "failed") this.fail(new KernelSetupError(message.message), reject);
        else this.settle(message);
      });
      this.worker.on("error", (error) =>
        this.fail(new KernelSetupError(`the compiler worker failed: ${error.message}`), reject),
      );
      this.worker.on("exit", (code) =>
        this.fail(new KernelSetupError(`the compiler worker exited (code ${code})`), reject),
      );
    });
    this.ready.catch(() => undefined);
  }

  private fail(error: Error, rejectReady: (error: Error) => void): void {
    this.failure ??= error;
    rejectReady(this.failure);
    for (const request of this.pending.values()) request.reject(this.failure);
    this.pending.clear();
  }

  private settle(message: Extract<CompilerMessage, { kind: "result" | "error" }>): void {
    const request = this.pending.get(message.id);
    if (request === undefined) return;
    this.pending.delete(message.id);
    if (message.kind === "result") request.resolve(message.value);
    else request.reject(new KernelSetupError(`the compiler failed: ${message.message}`));
  }

  /** Posts a request at once: the worker takes it up as soon as it has a compiler to answer with. */
  private async call<M extends Method>(method: M, args: ArgsOf<M>): Promise<unknown> {
    if (this.failure !== undefined) throw this.failure;
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  /** Converts a cell (see typescript-bridge.ts). */
  async convert(prevDecl: string, source: string): Promise<ConvertedCell> {
    return (await this.call("convert", [prevDecl, source])) as ConvertedCell;
  }

  /** Completion candidates at `position`. */
  async complete(prevDecl: string, source: string, position: number): Promise<CellCompletion> {
    return (await this.call("complete", [prevDecl, source, position])) as CellCompletion;
  }

  /** Quick info at `position`, if any; with the definition's source at `detailLevel` 1. */
  async inspect(
    prevDecl: string,
    source: string,
    position: number,
    detailLevel: number,
    cells: readonly string[],
  ): Promise<string | undefined> {
    return (await this.call("inspect", [prevDecl, source, position, detailLevel, cells])) as string | undefined;
  }

  /** Jupyter's is_complete verdict. */
  async isComplete(source: string): Promise<Completeness> {
    return (await this.call("isComplete", [source])) as Completeness;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    await this.worker.terminate();
  }
}
