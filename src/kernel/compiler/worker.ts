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
  | { readonly id: number; readonly method: "complete"; readonly args: [prevDecl: string, source: string, position: number] }
  | { readonly id: number; readonly method: "inspect"; readonly args: [prevDecl: string, source: string, position: number, detailLevel: number, cells: readonly string[]] }
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

/** How long the worker waits, after its first compiler is up, for a cell already on its way before building the full one. */
const FIRST_CELL_WAIT_MS = 20;

/** Whether a first cell's conversion by the ES-lib compiler can stand: it found nothing to report. */
function standsWithoutNode(request: CompilerRequest, value: unknown): boolean {
  return request.method === "convert" && (value as ConvertedCell).diagnostics.length === 0;
}

/**
 * Runs in the worker: builds the compiler, reports, then serves requests until terminated.
 *
 * The full compiler (ES lib, @types/node, the cell globals) takes most of a kernel's start to
 * build, so an ES-lib compiler is built first, with the same options: a first cell it converts
 * without a diagnostic runs at once (its JavaScript and declarations do not depend on Node's
 * types). Any other request, and a cell with a diagnostic, waits for the full compiler, which
 * reports its own diagnostics; from then on the full compiler answers everything.
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
  let first: CellCompiler;
  try {
    first = createCellCompiler(data.projectRoot, data.modulesRoot, "es-lib");
  } catch (error) {
    post({ kind: "failed", message: (error as Error).message });
    return;
  }
  post({ kind: "ready", typescriptVersion: first.typescriptVersion });
  let full: CellCompiler | undefined;
  let fullServed = false;
  const waiting: CompilerRequest[] = [];
  port.on("message", (request: CompilerRequest) => {
    if (full !== undefined) {
      fullServed = true;
      return respond(request, () => answer(full!, request));
    }
    if (request.method === "isComplete") return respond(request, () => answer(first, request));
    if (request.method === "convert") {
      try {
        const value = answer(first, request);
        if (standsWithoutNode(request, value)) return post({ kind: "result", id: request.id, value });
      } catch {
        // The full compiler answers, or reports the error.
      }
    }
    waiting.push(request);
  });
  // After a short wait for a first cell already sent, the full compiler is built (synchronously:
  // requests arriving meanwhile queue up behind it and go to it). The wait starts from an
  // immediate: a timer set right after the synchronous build would count from before it.
  const buildFull = () => {
    try {
      full = createCellCompiler(data.projectRoot, data.modulesRoot, "full");
    } catch (error) {
      post({ kind: "failed", message: (error as Error).message });
      return;
    }
    first.close();
    fullServed = waiting.length > 0;
    for (const request of waiting.splice(0)) respond(request, () => answer(full!, request));
    // The first conversion by the full compiler compiles most of the checker: save TypeScript's
    // code cache after it, off the critical path, warming it up only while no cell waits.
    setTimeout(() => {
      if (!fullServed) full!.convert("", "const warm: number = 1;");
      first.saveCodeCache();
    }, FIRST_CELL_WAIT_MS);
  };
  setImmediate(() => setTimeout(buildFull, FIRST_CELL_WAIT_MS));
}

if (parentPort !== null && (workerData as { lepton?: unknown } | undefined)?.lepton === "compiler") {
  serveCompiler(parentPort, workerData as CompilerWorkerData);
}
