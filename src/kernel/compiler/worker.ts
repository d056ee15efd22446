/**
 * The worker-thread side of the cell compiler:
 * builds tslab's converters (typescript-bridge.ts) as soon as the kernel process starts, in
 * parallel with the main thread binding its sockets and answering kernel_info, and then answers
 * convert / complete / inspect / is_complete requests. TypeScript never loads on the main thread,
 * so heartbeat, interrupts and kernel_info stay responsive while a cell is type-checked.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createCellCompiler, type CellCompiler, type ConvertedCell } from "./typescript-bridge";

/** What the main thread passes to the worker. */
export interface CompilerWorkerData {
  readonly projectRoot: string;
  readonly modulesRoot: string;
}

/** A request to the worker: one method of the compiler and its arguments. */
export type CompilerRequest =
  | { readonly id: number; readonly method: "convert"; readonly args: [prevDecl: string, source: string] }
  | {
      readonly id: number;
      readonly method: "complete";
      readonly args: [prevDecl: string, source: string, position: number];
    }
  | {
      readonly id: number;
      readonly method: "inspect";
      readonly args: [
        prevDecl: string,
        source: string,
        position: number,
        detailLevel: number,
        cells: readonly string[],
      ];
    }
  | { readonly id: number; readonly method: "isComplete"; readonly args: [source: string] };

/** What the worker posts: its start-up outcome, or the answer to a request. */
export type CompilerMessage =
  | { readonly kind: "ready"; readonly typescriptVersion: string }
  | { readonly kind: "failed"; readonly message: string }
  | { readonly kind: "result"; readonly id: number; readonly value: unknown }
  | { readonly kind: "error"; readonly id: number; readonly message: string };

function answer(compiler: CellCompiler, request: CompilerRequest): unknown {
  switch (request.method) {
    case "convert":
      return compiler.convert(...request.args);
    case "complete":
      return compiler.complete(...request.args);
    case "inspect":
      return compiler.inspect(...request.args);
    case "isComplete":
      return compiler.isComplete(...request.args);
  }
}

/** How long the worker waits, once its ES-lib program is up, for a cell on its way before adding the global types. */
const FIRST_CELL_WAIT_MS = 20;

/**
 * Runs in the worker: builds the compiler, reports, then serves requests until terminated.
 *
 * The global types (@types/node, the cell globals) take most of a kernel's start to parse, so the
 * program is first built with the ES lib alone, with the same options: a first cell that names no
 * other file and that it converts without a diagnostic runs at once (its JavaScript and
 * declarations do not depend on Node's types). Any other request, and a cell with a diagnostic,
 * waits until the global types are in, and the complete program answers it, diagnostics included.
 */
export function serveCompiler(port: NonNullable<typeof parentPort>, data: CompilerWorkerData): void {
  const post = (message: CompilerMessage) => port.postMessage(message);
  const respond = (request: CompilerRequest, compute: () => unknown) => {
    try {
      post({ kind: "result", id: request.id, value: compute() });
    } catch (error) {
      post({ kind: "error", id: request.id, message: (error as Error).stack ?? String(error) });
    }
  };
  let compiler: CellCompiler;
  try {
    compiler = createCellCompiler(data.projectRoot, data.modulesRoot);
  } catch (error) {
    post({ kind: "failed", message: (error as Error).message });
    return;
  }
  post({ kind: "ready", typescriptVersion: compiler.typescriptVersion });
  let served = false;
  const waiting: CompilerRequest[] = [];
  /** A cell converted with the ES lib alone, if that can stand: it reads no other file and has nothing to report. */
  const convertedWithoutGlobalTypes = (request: CompilerRequest): ConvertedCell | undefined => {
    if (request.method !== "convert" || compiler.readsOtherFiles(request.args[1])) return undefined;
    try {
      const converted = compiler.convert(...request.args);
      return converted.diagnostics.length === 0 ? converted : undefined;
    } catch {
      return undefined; // answered (or the error reported) with the global types
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const addGlobalTypes = () => {
    clearTimeout(timer);
    if (compiler.hasGlobalTypes()) return;
    try {
      compiler.addGlobalTypes();
    } catch (error) {
      post({ kind: "failed", message: (error as Error).message });
      return;
    }
    served = waiting.length > 0;
    for (const request of waiting.splice(0)) respond(request, () => answer(compiler, request));
    // The first check with the global types compiles most of the checker: save TypeScript's code
    // cache after it, off the critical path, warming it up only while no cell waits.
    setTimeout(() => {
      if (!served) compiler.convert("", "const warm: number = 1;");
      compiler.saveCodeCache();
    }, FIRST_CELL_WAIT_MS);
  };
  port.on("message", (request: CompilerRequest) => {
    if (compiler.hasGlobalTypes()) {
      served = true;
      return respond(request, () => answer(compiler, request));
    }
    if (request.method === "isComplete") return respond(request, () => answer(compiler, request));
    const converted = convertedWithoutGlobalTypes(request);
    if (converted !== undefined) return post({ kind: "result", id: request.id, value: converted });
    waiting.push(request);
    addGlobalTypes();
  });
  // After a short wait for a first cell already sent, the global types are added (synchronously:
  // requests arriving meanwhile queue up and get the complete program). The wait starts from an
  // immediate: a timer set right after the synchronous build would count from before it.
  setImmediate(() => {
    if (!compiler.hasGlobalTypes()) timer = setTimeout(addGlobalTypes, FIRST_CELL_WAIT_MS);
  });
}

if (parentPort !== null && (workerData as { lepton?: unknown } | undefined)?.lepton === "compiler") {
  serveCompiler(parentPort, workerData as CompilerWorkerData);
}
