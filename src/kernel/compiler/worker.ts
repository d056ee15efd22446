/**
 * The worker-thread side of the cell compiler:
 * builds tslab's converter (typescript-bridge.ts) as soon as the kernel process starts, in
 * parallel with the main thread binding its sockets and answering kernel_info, and then answers
 * convert / complete / inspect / is_complete requests. TypeScript never loads on the main thread,
 * so heartbeat, interrupts and kernel_info stay responsive while a cell is type-checked.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createCellCompiler, type CellCompiler } from "./typescript-bridge";

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

/** How long the worker waits for a first request before warming the checker up on its own. */
const WARM_UP_DELAY_MS = 50;

/** Runs in the worker: builds the compiler, reports, then serves requests until terminated. */
export function serveCompiler(port: NonNullable<typeof parentPort>, data: CompilerWorkerData): void {
  const post = (message: CompilerMessage) => port.postMessage(message);
  let compiler: CellCompiler;
  try {
    compiler = createCellCompiler(data.projectRoot, data.modulesRoot);
  } catch (error) {
    post({ kind: "failed", message: (error as Error).message });
    return;
  }
  post({ kind: "ready", typescriptVersion: compiler.typescriptVersion });
  let served = false;
  port.on("message", (request: CompilerRequest) => {
    served = true;
    try {
      post({ kind: "result", id: request.id, value: answer(compiler, request) });
    } catch (error) {
      post({ kind: "error", id: request.id, message: (error as Error).stack ?? String(error) });
    }
  });
  // The first conversion compiles most of the checker: save the code cache after it, off the
  // critical path. A warm-up only while no cell waits: a cell already waiting warms it itself.
  setTimeout(() => {
    if (!served) compiler.convert("", "const warm: number = 1;");
    compiler.saveCodeCache();
  }, WARM_UP_DELAY_MS);
}

if (parentPort !== null && (workerData as { lepton?: unknown } | undefined)?.lepton === "compiler") {
  serveCompiler(parentPort, workerData as CompilerWorkerData);
}
