/**
 * Tables (Seed 000 §2.2 looking at the data): the one renderer
 * behind arrays of records and danfojs frames — HTML with escaped cells, a dtype row when known,
 * head and tail of long tables, first and last columns of wide ones, and aligned plain text.
 */
import { displayable, type Displayable } from "./displayable";
import { escapeHtml } from "./escape";
import type { MimeBundle } from "./sink";

/** A row of a table: column name → value. */
export type TableRecord = Readonly<Record<string, unknown>>;

/** Rows shown at each end of a long table, columns at each side of a wide one. */
const EDGE_ROWS = 5;
const EDGE_COLUMNS = 10;

/** What a table shows, whatever it came from. */
export interface TableModel {
  readonly columns: readonly string[];
  readonly dtypes?: readonly string[];
  readonly rowLabels: readonly string[];
  /** Reads a cell of the whole table. */
  cell(row: number, column: number): unknown;
  /** "DataFrame", "Series", … shown before the shape. */
  readonly kind?: string;
  readonly caption?: string;
}

/** A cell as text: numbers to 6 significant digits, NaN, null and missing (empty) told apart. */
function formatCell(value: unknown): string {
  if (value === undefined) return "";
  if (value === null) return "null";
  if (typeof value === "number")
    return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value) ?? String(value);
  return String(value);
}

/** Indexes shown out of `count`, with `null` where the middle is left out. */
function edges(count: number, edge: number): (number | null)[] {
  if (count <= 2 * edge) return [...Array(count).keys()];
  return [...Array(edge).keys(), null, ...Array.from({ length: edge }, (_, i) => count - edge + i)];
}

interface Grid {
  readonly header: string[];
  readonly dtypes?: string[];
  readonly rows: { label: string; cells: string[] }[];
  readonly shape: string;
}

function grid(model: TableModel): Grid {
  const columnIndexes = edges(model.columns.length, EDGE_COLUMNS);
  const pick = (read: (column: number) => string) => columnIndexes.map((c) => (c === null ? "…" : read(c)));
  const rows = edges(model.rowLabels.length, EDGE_ROWS).map((r) =>
    r === null
      ? { label: "…", cells: pick(() => "…") }
      : { label: model.rowLabels[r]!, cells: pick((c) => formatCell(model.cell(r, c))) },
  );
  const shape = `${model.kind === undefined ? "" : `${model.kind} · `}${model.rowLabels.length} rows × ${model.columns.length} columns`;
  return {
    header: pick((c) => model.columns[c]!),
    dtypes: model.dtypes === undefined ? undefined : pick((c) => model.dtypes![c] ?? ""),
    rows,
    shape: model.caption === undefined ? shape : `${model.caption} · ${shape}`,
  };
}

function gridHtml(table: Grid): string {
  const th = (text: string) => `<th>${escapeHtml(text)}</th>`;
  const td = (text: string) => `<td>${escapeHtml(text)}</td>`;
  const header = `<tr><th></th>${table.header.map(th).join("")}</tr>`;
  const dtypes =
    table.dtypes === undefined
      ? ""
      : `<tr class="lepton-dtypes"><th><i>dtype</i></th>${table.dtypes.map((d) => `<td><i>${escapeHtml(d)}</i></td>`).join("")}</tr>`;
  const body = table.rows.map((row) => `<tr>${th(row.label)}${row.cells.map(td).join("")}</tr>`).join("");
  return (
    `<table class="lepton-table"><caption style="caption-side:bottom;text-align:left">${escapeHtml(table.shape)}</caption>` +
    `<thead>${header}${dtypes}</thead><tbody>${body}</tbody></table>`
  );
}

function gridText(table: Grid): string {
  const lines = [
    ["", ...table.header],
    ...(table.dtypes === undefined ? [] : [["dtype", ...table.dtypes]]),
    ...table.rows.map((row) => [row.label, ...row.cells]),
  ];
  return [...alignedColumns(lines, "right"), `[${table.shape}]`].join("\n");
}

/** Rows of text cells as lines, each column padded to its widest cell and columns two spaces apart. */
export function alignedColumns(rows: readonly (readonly string[])[], align: "left" | "right"): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const pad = (cell: string, column: number) =>
    align === "right" ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!);
  return rows.map((row) => row.map(pad).join("  ").trimEnd());
}

/** The bundle of any table model: text/html and text/plain. */
export function tableBundle(model: TableModel): MimeBundle {
  const table = grid(model);
  return { "text/html": gridHtml(table), "text/plain": gridText(table) };
}

function isRecord(value: unknown): value is TableRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Whether `value` is a non-empty array of plain objects, i.e. the rows of a table. */
export function isRecordArray(value: unknown): value is readonly TableRecord[] {
  return Array.isArray(value) && value.length > 0 && value.every(isRecord);
}

/** The table model of records: columns in first-seen order, row numbers as labels. */
function recordsModel(records: readonly TableRecord[], caption?: string): TableModel {
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
  return {
    columns,
    rowLabels: records.map((_, i) => String(i)),
    cell: (row, column) => records[row]![columns[column]!],
    caption,
  };
}

/** The bundle of an array of records. */
export function recordsBundle(records: readonly TableRecord[], caption?: string): MimeBundle {
  return tableBundle(recordsModel(records, caption));
}

/** A table of records to show. */
export function table(records: readonly TableRecord[], options: { readonly caption?: string } = {}): Displayable {
  return displayable(() => recordsBundle(records, options.caption), `[table: ${records.length} rows]`);
}
