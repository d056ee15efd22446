/**
 * The error a failed cell reports: a name, a message and a traceback,
 * never empty — for thrown errors (with frames in the cell mapped to its TypeScript lines), for
 * thrown non-errors, for rejected promises and for TypeScript diagnostics.
 */
import type { CellDiagnostic } from "../compiler";
import type { CellSourceMap } from "./source-map";

/** A failed cell as Jupyter's `error` message carries it. */
export interface CellError {
  readonly ename: string;
  readonly evalue: string;
  readonly traceback: readonly string[];
}

/** Frames from the kernel's own code and Node's internals, hidden from tracebacks. */
const INTERNAL_FRAME = /\(node:vm|at node:vm|src\/kernel\/|node:internal\/|runInThisContext/;

/** The error for TypeScript diagnostics of cell `count`. */
export function diagnosticsError(diagnostics: readonly CellDiagnostic[], count: number): CellError {
  const lines = diagnostics.map((d) => {
    const where = d.fileName ?? `cell[${count}]`;
    return `${where}:${d.start.line + 1}:${d.start.character + 1} - error TS${d.code}: ${d.messageText}`;
  });
  const first = diagnostics[0];
  const evalue =
    first === undefined
      ? "the cell does not compile"
      : `${first.fileName ?? "line"} ${first.start.line + 1}: ${first.messageText}` +
        (diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "");
  return {
    ename: "TypeScriptError",
    evalue,
    traceback: [`TypeScriptError: ${diagnostics.length} error(s) in cell[${count}]`, ...lines],
  };
}

function describeThrown(thrown: unknown): { ename: string; evalue: string; stack: string | undefined } {
  if (thrown instanceof Error || (typeof thrown === "object" && thrown !== null && "message" in thrown)) {
    const error = thrown as Error;
    const ename = error.name || error.constructor?.name || "Error";
    return {
      ename,
      evalue: String(error.message ?? ""),
      stack: typeof error.stack === "string" ? error.stack : undefined,
    };
  }
  return { ename: "Uncaught", evalue: typeof thrown === "string" ? thrown : String(thrown), stack: undefined };
}

/** The error for a value thrown (or a promise rejected) while cell `count` ran. */
export function runtimeError(thrown: unknown, cell: RunningCell): CellError {
  const { ename, evalue, stack } = describeThrown(thrown);
  const frames = (stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .filter((line) => !INTERNAL_FRAME.test(line))
    .flatMap((line) => mapFrame(line, cell));
  return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
}

/** The cell a runtime error came from: its number, the file name it ran under, its maps and length. */
export interface RunningCell {
  readonly count: number;
  readonly file: string;
  readonly map: CellSourceMap | undefined;
  readonly lineCount: number;
}

/** A stack frame with the cell's position in TypeScript; frames of the code tslab appends to a cell are dropped. */
function mapFrame(line: string, cell: RunningCell): string[] {
  const escaped = cell.file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(line);
  if (match === null) return [line];
  const position = cell.map?.find(Number(match[1]), Number(match[2]));
  if (position !== undefined && position.line > cell.lineCount) return [];
  const where =
    position === undefined
      ? `cell[${cell.count}] (compiled line ${match[1]})`
      : `cell[${cell.count}]:${position.line}:${position.column}`;
  return [line.replace(match[0], where)];
}
