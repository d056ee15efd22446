/**
 * Missing values (Seed 000 §2.2 "handle missing values"; §3.1 clean_data): per-column report, drop
 * rows, or fill with mean / median / mode / constant / forward or backward fill — pandas' results.
 */
import pl from "nodejs-polars";
import { CleaningError } from "../errors";
import {
  asInputKind,
  dataColumns,
  isNumericDtype,
  requireColumns,
  toPolars,
  type Cell,
  type FrameInput,
} from "../frame";
import { stepReport, type Cleaned, type ColumnCounts } from "./report";

/**
 * Missing cells of one column (pandas `isna().sum()` and its percentage); a type alias so it fits `table()`'s records.
 */
export type MissingSummary = {
  readonly column: string;
  readonly dtype: string;
  readonly missing: number;
  readonly percent: number;
};

/** Per-column count of missing cells (null, undefined or NaN), as pandas' `df.isna().sum()`. */
export function missingReport(input: FrameInput): MissingSummary[] {
  const frame = toPolars(input);
  return dataColumns(frame).map((column) => {
    const series = frame.getColumn(column);
    const missing = countMissing(frame, column);
    return {
      column,
      dtype: series.dtype.variant,
      missing,
      percent: frame.height === 0 ? 0 : (100 * missing) / frame.height,
    };
  });
}

// Missing cells (null, or NaN in a float column) of one column.
function countMissing(frame: pl.DataFrame, column: string): number {
  return Number(frame.select(missingExpr(frame, column).cast(pl.UInt32).sum().alias("n")).getColumn("n").get(0));
}

/** Options of dropMissing: which columns are looked at, and whether any or all of them must be missing. */
export interface DropMissingOptions {
  readonly subset?: readonly string[];
  readonly how?: "any" | "all";
}

function missingExpr(frame: pl.DataFrame, column: string): pl.Expr {
  const col = pl.col(column);
  const dtype = frame.getColumn(column).dtype;
  return dtype.variant.startsWith("Float") ? col.isNull().or(col.isNan()) : col.isNull();
}

/** Drops rows with a missing cell (any, or all, of `subset`), as pandas' `dropna()`. */
export function dropMissing<F extends FrameInput>(input: F, options: DropMissingOptions = {}): Cleaned<F> {
  const before = toPolars(input);
  const subset = options.subset ?? dataColumns(before);
  requireColumns(before, subset, "dropMissing");
  const how = options.how ?? "any";
  let after = before;
  if (subset.length > 0) {
    const flags = subset.map((c) => missingExpr(before, c));
    const drop = flags.reduce((acc, flag) => (how === "any" ? acc.or(flag) : acc.and(flag)));
    after = before.filter(drop.not());
  }
  const report = stepReport(
    "dropMissing",
    before,
    after,
    `dropped ${before.height - after.height} row(s) with ${how} missing in ${subset.length} column(s)`,
  );
  return { frame: asInputKind(input, after), report };
}

/** How one column's missing cells are filled (pandas: fillna(mean|median|mode()[0]|value), ffill, bfill). */
export type FillStrategy = "mean" | "median" | "mode" | "ffill" | "bfill" | { readonly constant: Cell };

function modeOf(series: pl.Series): Cell {
  const counts = series.dropNulls().valueCounts();
  if (counts.height === 0) return null;
  const name = series.name;
  const countColumn = counts.columns.find((c) => c !== name) ?? "count";
  const top = counts.getColumn(countColumn).max() as number;
  const candidates = counts
    .filter(pl.col(countColumn).eq(pl.lit(top)))
    .getColumn(name)
    .sort();
  return candidates.get(0) as Cell;
}

function fillValue(frame: pl.DataFrame, column: string, strategy: FillStrategy): Cell {
  const series = frame.getColumn(column);
  if (typeof strategy === "object") return strategy.constant;
  const numeric = isNumericDtype(series.dtype);
  if ((strategy === "mean" || strategy === "median") && !numeric) {
    throw new CleaningError(`fillMissing: column "${column}" is ${series.dtype.variant}, ${strategy} needs numbers`);
  }
  const clean = numeric
    ? frame
        .select(pl.col(column).cast(pl.Float64).fillNan(pl.lit(null)))
        .getColumn(column)
        .dropNulls()
    : series.dropNulls();
  if (strategy === "mean") return clean.len() === 0 ? null : (clean.mean() as number);
  if (strategy === "median") return clean.len() === 0 ? null : (clean.median() as number);
  return modeOf(clean);
}

function fillExpr(frame: pl.DataFrame, column: string, strategy: FillStrategy): pl.Expr {
  const dtype = frame.getColumn(column).dtype;
  const base = dtype.variant.startsWith("Float") ? pl.col(column).fillNan(pl.lit(null)) : pl.col(column);
  if (strategy === "ffill") return base.forwardFill().alias(column);
  if (strategy === "bfill") return base.backwardFill().alias(column);
  const value = fillValue(frame, column, strategy);
  if (value === null) return base.alias(column);
  if (typeof value === "number" && isNumericDtype(dtype) && !Number.isInteger(value)) {
    return base.cast(pl.Float64).fillNull(pl.lit(value)).alias(column);
  }
  if (typeof value === "string" && isNumericDtype(dtype)) {
    throw new CleaningError(
      `fillMissing: column "${column}" is numeric, cannot fill it with text ${JSON.stringify(value)}`,
    );
  }
  return base.fillNull(pl.lit(value)).alias(column);
}

/**
 * Fills missing cells column by column — mean, median, mode (smallest of ties, as pandas' `mode()[0]`),
 * a constant, forward or backward fill — computed from the non-missing cells; returns a new frame and
 * the number filled per column. Never mutates the input (danfo's fillNa does).
 */
export function fillMissing<F extends FrameInput>(
  input: F,
  strategies: Readonly<Record<string, FillStrategy>>,
): Cleaned<F> {
  const before = toPolars(input);
  const columns = Object.keys(strategies);
  requireColumns(before, columns, "fillMissing");
  const exprs = columns.map((c) => fillExpr(before, c, strategies[c] as FillStrategy));
  const after = exprs.length === 0 ? before : before.withColumns(...exprs);
  const counts: Record<string, Partial<ColumnCounts>> = {};
  for (const c of columns) counts[c] = { filled: countMissing(before, c) - countMissing(after, c) };
  const detail = columns.map((c) => `${c}: ${describeStrategy(strategies[c] as FillStrategy)}`).join("; ");
  return { frame: asInputKind(input, after), report: stepReport("fillMissing", before, after, detail, counts) };
}

function describeStrategy(strategy: FillStrategy): string {
  return typeof strategy === "object" ? `constant ${JSON.stringify(strategy.constant)}` : strategy;
}
