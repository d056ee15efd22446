/**
 * Tables (DESIGN.md "src/display: tables"): arrays of records and danfojs DataFrames / Series as
 * HTML (escaped cells; shape, dtypes, head and tail for long frames) and as aligned plain text.
 */
import { displayable, escapeHtml, type Displayable } from "./displayable";
import type { MimeBundle } from "./sink";

/** A cell value in a table. */
export type TableCell = string | number | boolean | null | undefined | bigint | Date;
/** A row of a table: column name → value. */
export type TableRecord = Readonly<Record<string, unknown>>;

/** How many rows show at each end of a long table. */
const EDGE_ROWS = 5;

function formatCell(value: unknown): string {
  if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) return "NaN";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

interface TableModel {
  readonly columns: readonly string[];
  /** Row labels and cells for the rows shown; `null` marks the elided middle. */
  readonly rows: ReadonlyArray<{ label: string; cells: readonly unknown[] } | null>;
  readonly shape: readonly [number, number];
  readonly dtypes?: readonly string[];
  readonly caption?: string;
}

function edgeRows(count: number): { indexes: number[]; elided: boolean } {
  if (count <= 2 * EDGE_ROWS) return { indexes: [...Array(count).keys()], elided: false };
  return { indexes: [...Array(EDGE_ROWS).keys(), ...Array.from({ length: EDGE_ROWS }, (_, i) => count - EDGE_ROWS + i)], elided: true };
}

function modelHtml(model: TableModel): string {
  const head = `<tr><th></th>${model.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
  const dtypes = model.dtypes
    ? `<tr><th><i>dtype</i></th>${model.dtypes.map((d) => `<td><i>${escapeHtml(d)}</i></td>`).join("")}</tr>`
    : "";
  const body = model.rows
    .map((row) =>
      row === null
        ? `<tr><th>…</th>${model.columns.map(() => "<td>…</td>").join("")}</tr>`
        : `<tr><th>${escapeHtml(row.label)}</th>${row.cells.map((c) => `<td>${escapeHtml(formatCell(c))}</td>`).join("")}</tr>`,
    )
    .join("");
  const caption = `${model.caption ? `${escapeHtml(model.caption)} · ` : ""}${model.shape[0]} rows × ${model.shape[1]} columns`;
  return `<table class="lepton-table"><caption style="caption-side:bottom;text-align:left">${caption}</caption><thead>${head}${dtypes}</thead><tbody>${body}</tbody></table>`;
}

function modelText(model: TableModel): string {
  const header = ["", ...model.columns];
  const lines: string[][] = model.rows.map((row) => (row === null ? ["…", ...model.columns.map(() => "…")] : [row.label, ...row.cells.map(formatCell)]));
  if (model.dtypes) lines.unshift(["dtype", ...model.dtypes]);
  const all = [header, ...lines];
  const widths = header.map((_, col) => Math.max(...all.map((line) => (line[col] ?? "").length)));
  const render = (line: string[]) => line.map((cell, col) => cell.padStart(widths[col]!)).join("  ").trimEnd();
  return [...all.map(render), `[${model.shape[0]} rows × ${model.shape[1]} columns]`].join("\n");
}

function modelBundle(model: TableModel): MimeBundle {
  return { "text/html": modelHtml(model), "text/plain": modelText(model) };
}

function recordsModel(records: readonly TableRecord[], caption?: string): TableModel {
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
  const { indexes, elided } = edgeRows(records.length);
  const shown = indexes.map((i) => ({ label: String(i), cells: columns.map((c) => records[i]![c]) }));
  const rows = elided ? [...shown.slice(0, EDGE_ROWS), null, ...shown.slice(EDGE_ROWS)] : shown;
  return { columns, rows, shape: [records.length, columns.length], caption };
}

/** Whether `value` is a non-empty array of plain objects (rows of a table). */
export function isRecordArray(value: unknown): value is TableRecord[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((row) => typeof row === "object" && row !== null && !Array.isArray(row) && Object.getPrototypeOf(row) === Object.prototype)
  );
}

/** The bundle of an array of records. */
export function recordsBundle(records: readonly TableRecord[], caption?: string): MimeBundle {
  return modelBundle(recordsModel(records, caption));
}

/** A table of records to show (Seed 000 §2.2 data processing: looking at the data). */
export function table(records: readonly TableRecord[], options: { caption?: string } = {}): Displayable {
  return displayable(() => recordsBundle(records, options.caption), `[table: ${records.length} rows]`);
}

/** The parts of danfojs' DataFrame and Series read here (duck-typed: danfo ships no usable types). */
interface DanfoLike {
  readonly shape: readonly number[];
  readonly values: readonly unknown[];
  readonly index: readonly (string | number)[];
  readonly dtypes: readonly string[] | string;
  readonly columns?: readonly string[];
  readonly $isSeries?: boolean;
}

/** Whether `value` looks like a danfojs DataFrame or Series. */
export function isDanfoFrame(value: unknown): value is DanfoLike {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<DanfoLike> & { constructor?: { name?: string } };
  const name = v.constructor?.name;
  return (name === "DataFrame" || name === "Series") && Array.isArray(v.shape) && Array.isArray(v.values) && Array.isArray(v.index);
}

/** The bundle of a danfojs DataFrame or Series: shape, dtypes, head and tail. */
export function danfoBundle(frame: DanfoLike): MimeBundle {
  const isSeries = frame.columns === undefined || frame.$isSeries === true || frame.shape.length === 1;
  const rowCount = frame.shape[0] ?? 0;
  const columns = isSeries ? [String((frame as { name?: string }).name ?? "0")] : [...frame.columns!];
  const dtypes = Array.isArray(frame.dtypes) ? frame.dtypes.map(String) : [String(frame.dtypes)];
  const { indexes, elided } = edgeRows(rowCount);
  const shown = indexes.map((i) => ({
    label: String(frame.index[i]),
    cells: isSeries ? [frame.values[i]] : (frame.values[i] as readonly unknown[]),
  }));
  const rows = elided ? [...shown.slice(0, EDGE_ROWS), null, ...shown.slice(EDGE_ROWS)] : shown;
  return modelBundle({ columns, rows, shape: [rowCount, columns.length], dtypes, caption: isSeries ? "Series" : "DataFrame" });
}
