/**
 * The table layer under src/data's cleaning (Seed 000 §2.2, §3.1 data preprocessing): notebooks hold
 * danfo DataFrames, the work is done by polars (nodejs-polars), and results come back as the kind of
 * frame that went in. danfo's row labels travel through as a hidden column so dedupe, dropna and
 * rejects keep pandas' row labels. Missing is one thing: null, undefined and NaN all become null.
 */
import { existsSync } from "node:fs";
import { DataFrame } from "danfojs-node";
import pl, { type DataType } from "nodejs-polars";
import { CleaningError, DatasetError } from "./errors";

/** One cell of a table as JavaScript sees it; `null` is missing. */
export type Cell = number | string | boolean | null;

/** A row record: column name → cell. */
export type TableRecord = Readonly<Record<string, Cell>>;

/** Hidden column carrying danfo's row labels through polars. */
export const ROW_LABEL = "__lepton_row__";

/**
 * A table held by polars, for inputs too large for danfo: the same cleaning
 * functions accept it and return it; `toDanfo({ limit })` hands a display-sized part to danfo.
 */
export class PolarsFrame {
  /** Wraps a polars DataFrame. */
  constructor(readonly polars: pl.DataFrame) {}
  /** Number of rows. */
  get height(): number {
    return this.polars.height;
  }
  /** Column names, hidden row labels excluded. */
  get columns(): string[] {
    return this.polars.columns.filter((name) => name !== ROW_LABEL);
  }
  /** The first `limit` rows (all by default) as a danfo DataFrame. */
  toDanfo(options: { readonly limit?: number } = {}): DataFrame {
    const part = options.limit === undefined ? this.polars : this.polars.head(options.limit);
    return polarsToDanfo(part);
  }
  /** Rows as records (nulls for missing). */
  toRecords(): Record<string, Cell>[] {
    return this.polars.select(...this.columns).toRecords() as Record<string, Cell>[];
  }
}

/** Anything the cleaning functions accept: a danfo DataFrame, a polars-backed frame, or row records. */
export type FrameInput = DataFrame | PolarsFrame | readonly TableRecord[];

/** What a cleaning function returns for an input kind: danfo stays danfo, polars stays polars, records become danfo. */
export type FrameOutput<F extends FrameInput> = F extends PolarsFrame ? PolarsFrame : DataFrame;

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "number" && Number.isNaN(value));
}

function seriesFromValues(name: string, values: readonly unknown[], danfoType: string | undefined): pl.Series {
  const present = values.filter((v) => !isMissing(v));
  const kind =
    danfoType === "string" || present.some((v) => typeof v === "string")
      ? "string"
      : danfoType === "boolean" || (present.length > 0 && present.every((v) => typeof v === "boolean"))
        ? "boolean"
        : "number";
  if (kind === "string") {
    return pl.Series(
      name,
      values.map((v) => (isMissing(v) ? null : String(v))),
      pl.Utf8,
    );
  }
  if (kind === "boolean")
    return pl.Series(
      name,
      values.map((v) => (isMissing(v) ? null : Boolean(v))),
      pl.Bool,
    );
  const numbers = values.map((v) => (isMissing(v) ? null : Number(v)));
  const integral = numbers.length > 0 && numbers.every((v) => v !== null && Number.isSafeInteger(v));
  return pl.Series(name, numbers, integral ? pl.Int64 : pl.Float64);
}

/** A danfo DataFrame as a polars DataFrame, row labels in the hidden ROW_LABEL column. */
export function danfoToPolars(frame: DataFrame): pl.DataFrame {
  const columns = frame.columns;
  const dtypes = frame.dtypes;
  const series = columns.map((name, k) => seriesFromValues(name, frame.column(name).values as unknown[], dtypes[k]));
  const labels = frame.index.map((label) => String(label));
  return pl.DataFrame([...series, pl.Series(ROW_LABEL, labels, pl.Utf8)]);
}

/** Row records as a polars DataFrame (columns in first-seen order). */
export function recordsToPolars(records: readonly TableRecord[]): pl.DataFrame {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    for (const name of Object.keys(record)) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  const series = names.map((name) =>
    seriesFromValues(
      name,
      records.map((r) => r[name] ?? null),
      undefined,
    ),
  );
  return pl.DataFrame([
    ...series,
    pl.Series(
      ROW_LABEL,
      records.map((_, i) => String(i)),
      pl.Utf8,
    ),
  ]);
}

/** danfo returns frames of its base class from head(), loc() and friends, so `instanceof` is not enough. */
function isDanfo(input: unknown): input is DataFrame {
  if (input instanceof DataFrame) return true;
  const f = input as { columns?: unknown; index?: unknown; dtypes?: unknown; column?: unknown };
  return (
    typeof input === "object" &&
    input !== null &&
    Array.isArray(f.columns) &&
    Array.isArray(f.index) &&
    Array.isArray(f.dtypes) &&
    typeof f.column === "function"
  );
}

/** Any accepted input as a polars DataFrame. */
export function toPolars(input: FrameInput): pl.DataFrame {
  if (input instanceof PolarsFrame) return input.polars;
  if (isDanfo(input)) return danfoToPolars(input);
  if (Array.isArray(input)) return recordsToPolars(input as readonly TableRecord[]);
  throw new CleaningError("expected a danfo DataFrame, a PolarsFrame or an array of row records");
}

/** A polars DataFrame as danfo: numbers keep NaN for missing (as pandas shows), text keeps null. */
export function polarsToDanfo(frame: pl.DataFrame): DataFrame {
  const columns = frame.columns.filter((name) => name !== ROW_LABEL);
  const labels = frame.columns.includes(ROW_LABEL)
    ? (frame.getColumn(ROW_LABEL).toArray() as (string | null)[]).map((label, i) => {
        const n = Number(label);
        return label === null ? i : Number.isSafeInteger(n) ? n : label;
      })
    : undefined;
  if (frame.height === 0) return new DataFrame([], { columns });
  const data: Record<string, unknown[]> = {};
  for (const name of columns) {
    const series = frame.getColumn(name);
    const dtype = series.dtype;
    if (isNumericDtype(dtype)) {
      data[name] = (series.cast(pl.Float64).toArray() as (number | null)[]).map((v) => (v === null ? NaN : v));
    } else if (dtype.equals(pl.Bool) || dtype.equals(pl.Utf8)) {
      data[name] = series.toArray() as unknown[];
    } else {
      data[name] = series.cast(pl.Utf8).toArray() as unknown[];
    }
  }
  return new DataFrame(data, { columns, ...(labels === undefined ? {} : { index: labels }) });
}

const NUMERIC_VARIANTS = new Set([
  "Int8",
  "Int16",
  "Int32",
  "Int64",
  "UInt8",
  "UInt16",
  "UInt32",
  "UInt64",
  "Float32",
  "Float64",
]);

/** Whether a polars dtype holds numbers (the typings' `isNumeric` is absent at run time in 0.24.1). */
export function isNumericDtype(dtype: DataType): boolean {
  return NUMERIC_VARIANTS.has(dtype.variant);
}

/** Returns a polars result as the same kind of frame as the input. */
export function asInputKind<F extends FrameInput>(input: F, result: pl.DataFrame): FrameOutput<F> {
  return (input instanceof PolarsFrame ? new PolarsFrame(result) : polarsToDanfo(result)) as FrameOutput<F>;
}

/** Column names of a polars frame, hidden row labels excluded. */
export function dataColumns(frame: pl.DataFrame): string[] {
  return frame.columns.filter((name) => name !== ROW_LABEL);
}

/** Throws CleaningError naming each requested column the frame lacks. */
export function requireColumns(frame: pl.DataFrame, columns: readonly string[], step: string): void {
  const available = dataColumns(frame);
  const unknown = columns.filter((c) => !available.includes(c));
  if (unknown.length > 0) {
    throw new CleaningError(
      `${step}: unknown column(s) ${unknown.map((c) => `"${c}"`).join(", ")}; the table has ${available.map((c) => `"${c}"`).join(", ")}`,
    );
  }
}

/** Column name → dtype, read once (getColumn per column costs ~1 ms on wide frames). */
export function dtypesOf(frame: pl.DataFrame): Map<string, DataType> {
  const dtypes = frame.dtypes;
  return new Map(frame.columns.map((name, k) => [name, dtypes[k]!]));
}

/** Throws CleaningError naming each requested column that is not numeric. */
export function requireNumeric(frame: pl.DataFrame, columns: readonly string[], step: string): void {
  requireColumns(frame, columns, step);
  const types = dtypesOf(frame);
  const bad = columns.filter((c) => !isNumericDtype(types.get(c)!));
  if (bad.length > 0)
    throw new CleaningError(`${step}: column(s) ${bad.map((c) => `"${c}"`).join(", ")} are not numeric`);
}

/** Reads a CSV file into a polars-backed frame; DatasetError names the file. */
export function readCsvFrame(path: string): PolarsFrame {
  if (!existsSync(path)) throw new DatasetError(path, "file not found");
  try {
    return new PolarsFrame(pl.readCSV(path, { inferSchemaLength: 10_000 }));
  } catch (error) {
    throw new DatasetError(path, `not a readable CSV (${(error as Error).message})`);
  }
}

/** Reads a CSV file into a danfo DataFrame, types inferred as pandas' read_csv would. */
export function readCsv(path: string): DataFrame {
  return readCsvFrame(path).toDanfo();
}
