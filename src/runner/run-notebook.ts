/**
 * Executes one notebook headless: starts the notebook's kernel in the
 * notebook's folder, runs code cells in order with a per-cell timeout, honours the tags
 * `skip-execution` (never run), `slow` and `gpu` (run only when asked for) and
 * `raises-exception` (an error is expected and the run goes on), stops at the first unexpected
 * error, and always writes the executed notebook — partial when a cell failed.
 */
import { basename, dirname, resolve } from "node:path";
import { KERNEL_FIGURES_MIME } from "../display/key-figures";
import { KernelDiedError, startKernel, type KernelClient } from "./kernel-client";
import {
  cellSource,
  cellTags,
  NotebookFormatError,
  readNotebook,
  writeNotebook,
  type CellOutput,
  type Notebook,
  type NotebookCell,
} from "./notebook";
import { OutputCollector } from "./outputs";

/** Tags that are skipped unless a run asks for them. */
export const OPT_IN_TAGS = ["slow", "gpu"] as const;
/** A tag that a run may opt into. */
export type OptInTag = (typeof OPT_IN_TAGS)[number];

/** How to run a notebook. */
export interface RunNotebookOptions {
  /** Where to write the executed notebook; nothing is written when absent. */
  readonly outPath?: string;
  /** Per-cell time limit (default 10 minutes). */
  readonly cellTimeoutMs?: number;
  /** Opt-in tags to run (`slow`, `gpu`); cells with other opt-in tags are skipped. */
  readonly includeTags?: readonly OptInTag[];
  /** Kernelspec to use instead of the notebook's own (`metadata.kernelspec.name`, default `lepton`). */
  readonly kernelName?: string;
  /** Extra environment for the kernel. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

/** Where and why a notebook failed. */
export interface CellFailure {
  readonly notebook: string;
  /** 0-based index of the cell in the notebook's `cells`. */
  readonly cellIndex: number;
  readonly cellId: string | undefined;
  readonly firstLine: string;
  readonly ename: string;
  readonly evalue: string;
  readonly traceback: readonly string[];
}

/** The outcome of one notebook run. */
export interface NotebookRunResult {
  readonly notebook: string;
  readonly outPath: string | undefined;
  readonly status: "ok" | "error";
  readonly seconds: number;
  /** CPU seconds the kernel used (Linux), close to the wall time the notebook takes on an idle machine. */
  readonly cpuSeconds?: number;
  readonly executedCells: number;
  readonly skippedCells: ReadonlyArray<{ readonly cellIndex: number; readonly reason: string }>;
  readonly failure: CellFailure | undefined;
  /** The backend named by the notebook's `backend: NAME` line (src/backends prints it). */
  readonly backend: string | undefined;
  /** Key figures the notebook reported with `keyFigures()` (src/display/key-figures). */
  readonly figures: Readonly<Record<string, string | number>>;
}

const BACKEND_LINE = /^backend: ([\w-]+)/m;

/** Why a cell is skipped, or undefined when it runs. */
function skipReason(cell: NotebookCell, include: readonly OptInTag[]): string | undefined {
  const tags = cellTags(cell);
  if (tags.includes("skip-execution")) return "tag skip-execution";
  const optIn = OPT_IN_TAGS.find((tag) => tags.includes(tag) && !include.includes(tag));
  return optIn === undefined ? undefined : `tag ${optIn} (run with --include ${optIn})`;
}

function firstLine(source: string): string {
  return (
    source
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? ""
  );
}

/** The error a failed execution reports, never empty: reply, then iopub error, then stderr. */
function describeError(
  reply: Record<string, unknown>,
  outputs: readonly CellOutput[],
): Pick<CellFailure, "ename" | "evalue" | "traceback"> {
  const published = outputs.find((o): o is Extract<CellOutput, { output_type: "error" }> => o.output_type === "error");
  const ename = String(reply.ename ?? published?.ename ?? "");
  const evalue = String(reply.evalue ?? published?.evalue ?? "");
  const traceback =
    Array.isArray(reply.traceback) && reply.traceback.length > 0
      ? reply.traceback.map(String)
      : (published?.traceback ?? []);
  if (ename !== "" || evalue !== "") return { ename: ename || "Error", evalue, traceback };
  const stderr = outputs.flatMap((o) => (o.output_type === "stream" && o.name === "stderr" ? [o.text] : [])).join("");
  return {
    ename: "KernelError",
    evalue: `the kernel replied status "${String(reply.status)}" without an error name or message`,
    traceback: stderr === "" ? [] : stderr.split("\n"),
  };
}

function noteKernelInfo(notebook: Notebook, info: Record<string, unknown>): void {
  const languageInfo = info.language_info;
  if (typeof languageInfo === "object" && languageInfo !== null) {
    notebook.metadata.language_info = languageInfo as Record<string, unknown>;
  }
}

function reportedFigures(cells: readonly NotebookCell[]): Record<string, string | number> {
  const figures: Record<string, string | number> = {};
  for (const output of cells.flatMap((cell) => cell.outputs ?? [])) {
    if (output.output_type !== "display_data" && output.output_type !== "execute_result") continue;
    const reported = output.data[KERNEL_FIGURES_MIME];
    if (typeof reported === "object" && reported !== null) Object.assign(figures, reported);
  }
  return figures;
}

function reportedBackend(cells: readonly NotebookCell[]): string | undefined {
  for (const output of cells.flatMap((cell) => cell.outputs ?? [])) {
    const text = output.output_type === "stream" ? output.text : undefined;
    const match = text === undefined ? null : BACKEND_LINE.exec(text);
    if (match) return match[1];
  }
  return undefined;
}

interface CellRun {
  readonly outputs: CellOutput[];
  readonly executionCount: number | null;
  readonly failed: boolean;
  readonly reply: Record<string, unknown>;
  readonly fatal: boolean;
}

async function runCell(
  kernel: KernelClient,
  source: string,
  cellId: string | undefined,
  collector: OutputCollector,
  timeoutMs: number,
): Promise<CellRun> {
  const outputs: CellOutput[] = [];
  try {
    const result = await kernel.execute(source, { timeoutMs, cellId });
    collector.collect(result.iopub, outputs);
    const count = typeof result.reply.execution_count === "number" ? result.reply.execution_count : null;
    if (result.timedOut) {
      const evalue = `the cell did not finish within ${Math.round(timeoutMs / 1000)} s and was interrupted`;
      outputs.push({ output_type: "error", ename: "CellTimeoutError", evalue, traceback: [] });
      return {
        outputs,
        executionCount: count,
        failed: true,
        reply: { ename: "CellTimeoutError", evalue },
        fatal: !kernel.alive,
      };
    }
    return { outputs, executionCount: count, failed: result.reply.status !== "ok", reply: result.reply, fatal: false };
  } catch (error) {
    if (!(error instanceof KernelDiedError)) throw error;
    outputs.push({ output_type: "error", ename: error.name, evalue: error.message, traceback: [] });
    return {
      outputs,
      executionCount: null,
      failed: true,
      reply: { ename: error.name, evalue: error.message },
      fatal: true,
    };
  }
}

/** Runs a notebook; resolves with its result (a failing cell is a result, not an exception). */
export async function runNotebook(path: string, options: RunNotebookOptions = {}): Promise<NotebookRunResult> {
  const started = performance.now();
  const notebookPath = resolve(path);
  let notebook: Notebook;
  try {
    notebook = await readNotebook(notebookPath);
  } catch (error) {
    if (!(error instanceof NotebookFormatError)) throw error;
    const failure = {
      notebook: path,
      cellIndex: -1,
      cellId: undefined,
      firstLine: "(reading the notebook)",
      ename: error.name,
      evalue: error.message,
      traceback: [],
    };
    return {
      notebook: path,
      outPath: undefined,
      status: "error",
      seconds: (performance.now() - started) / 1000,
      executedCells: 0,
      skippedCells: [],
      failure,
      backend: undefined,
      figures: {},
    };
  }
  const log = options.log ?? (() => undefined);
  const include = options.includeTags ?? [];
  const timeoutMs = options.cellTimeoutMs ?? 600_000;
  const collector = new OutputCollector();
  const skipped: { cellIndex: number; reason: string }[] = [];
  let executed = 0;
  let failure: CellFailure | undefined;
  let kernel: KernelClient | undefined;
  let cpuSeconds: number | undefined;
  try {
    kernel = await startKernel({
      kernelName: options.kernelName ?? notebook.metadata.kernelspec?.name ?? "lepton",
      cwd: dirname(notebookPath),
      env: options.env,
    });
    noteKernelInfo(notebook, (await kernel.request("shell", "kernel_info_request", {}, 30_000)).reply);
    for (const [cellIndex, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      cell.outputs = [];
      cell.execution_count = null;
      const reason = skipReason(cell, include);
      if (reason !== undefined) {
        skipped.push({ cellIndex, reason });
        continue;
      }
      const source = cellSource(cell);
      log(`  [${basename(path)}] cell ${cellIndex}: ${firstLine(source).slice(0, 70)}`);
      const run = await runCell(kernel, source, cell.id, collector, timeoutMs);
      cell.outputs = run.outputs;
      cell.execution_count = run.executionCount;
      executed += 1;
      const expected = cellTags(cell).includes("raises-exception");
      if (run.failed && !(expected && !run.fatal)) {
        failure = {
          notebook: path,
          cellIndex,
          cellId: cell.id,
          firstLine: firstLine(source),
          ...describeError(run.reply, run.outputs),
        };
        break;
      }
    }
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    failure = {
      notebook: path,
      cellIndex: -1,
      cellId: undefined,
      firstLine: "(kernel start)",
      ename: err.name,
      evalue: err.message,
      traceback: [],
    };
  } finally {
    cpuSeconds = kernel?.cpuSeconds();
    await kernel?.shutdown();
    if (options.outPath !== undefined) await writeNotebook(options.outPath, notebook);
  }
  return {
    notebook: path,
    outPath: options.outPath,
    status: failure === undefined ? "ok" : "error",
    seconds: (performance.now() - started) / 1000,
    ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
    executedCells: executed,
    skippedCells: skipped,
    failure,
    backend: reportedBackend(notebook.cells),
    figures: reportedFigures(notebook.cells),
  };
}

/** Terminal colour codes (SGR sequences), which tracebacks may carry. */
const ANSI = /\u001b\[[0-9;]*m/g;

/** A failure as the text printed to the terminal: notebook, cell index and first line, error, traceback. */
export function formatFailure(failure: CellFailure): string {
  const where =
    failure.cellIndex < 0
      ? `${failure.notebook}: failed before any cell ran ${failure.firstLine}`
      : `${failure.notebook}: cell ${failure.cellIndex}${failure.cellId ? ` (id ${failure.cellId})` : ""} failed: ${failure.firstLine}`;
  const traceback = failure.traceback
    .map((line) => line.replace(ANSI, ""))
    .join("\n")
    .trim();
  return [where, `${failure.ename}: ${failure.evalue}`, ...(traceback ? [traceback] : [])].join("\n");
}
