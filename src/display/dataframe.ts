/**
 * danfojs DataFrames and Series (Seed 000 §3.1 data preprocessing): duck-typed on danfojs-node's public getters
 * (`shape`, `columns`, `index`, `dtypes`, `values`, `$isSeries`, `print`) rather than class identity, so any copy of
 * danfo works. Shown as a table with shape, dtypes, head and tail.
 */
import type { MimeBundle } from "./sink";
import { tableBundle } from "./table";

/** The parts of a danfojs DataFrame or Series read here. */
export interface DanfoFrameLike {
  readonly shape: readonly number[];
  readonly columns: readonly string[];
  readonly index: readonly (string | number)[];
  readonly dtypes: readonly string[];
  /** Rows (a DataFrame) or values (a Series). */
  readonly values: readonly unknown[];
  readonly $isSeries: boolean;
  print(): void;
}

/** Whether `value` looks like a danfojs DataFrame or Series. */
export function isDanfoFrame(value: unknown): value is DanfoFrameLike {
  if (typeof value !== "object" || value === null) return false;
  const frame = value as Partial<DanfoFrameLike>;
  return (
    typeof frame.$isSeries === "boolean" &&
    typeof frame.print === "function" &&
    Array.isArray(frame.shape) &&
    Array.isArray(frame.columns) &&
    Array.isArray(frame.index) &&
    Array.isArray(frame.dtypes) &&
    Array.isArray(frame.values)
  );
}

/** The bundle of a danfojs DataFrame or Series: shape, dtypes, head and tail, escaped cells. */
export function danfoBundle(frame: DanfoFrameLike): MimeBundle {
  const values = frame.values;
  const cell = frame.$isSeries
    ? (row: number) => values[row]
    : (row: number, column: number) => (values[row] as readonly unknown[])[column];
  return tableBundle({
    kind: frame.$isSeries ? "Series" : "DataFrame",
    columns: frame.columns.map(String),
    dtypes: frame.dtypes.map(String),
    rowLabels: frame.index.map(String),
    cell,
  });
}
