/** Group statistics (Seed 000 §2.2 data aggregation; seed 001 §3.3 pattern recognition): pandas' `groupby(by).agg(...)`, missing values skipped. */
import pl from "nodejs-polars";
import { CleaningError } from "../errors";
import { asInputKind, dataColumns, isNumericDtype, requireColumns, requireNumeric, toPolars, type FrameInput, type FrameOutput } from "../frame";

/** A per-group statistic; all skip missing cells (danfo's mean counts them in the divisor). */
export type Aggregation = "mean" | "sum" | "min" | "max" | "median" | "count" | "std";

function aggExpr(column: string, how: Aggregation): pl.Expr {
  const x = pl.col(column).cast(pl.Float64).fillNan(pl.lit(null));
  switch (how) {
    case "mean": return x.mean().alias(column);
    case "sum": return x.sum().alias(column);
    case "min": return x.min().alias(column);
    case "max": return x.max().alias(column);
    case "median": return x.median().alias(column);
    case "count": return x.count().alias(column);
    case "std": return x.std().alias(column);
  }
}

/**
 * Aggregates columns per group, as pandas' `df.groupby(by).agg({...})`: one row per key (rows with a
 * missing key dropped), sorted by key, keys as columns (Seed 000 §2.2).
 */
export function groupAggregate<F extends FrameInput>(input: F, by: string | readonly string[], aggregations: Readonly<Record<string, Aggregation>>): FrameOutput<F> {
  const frame = toPolars(input);
  const keys = typeof by === "string" ? [by] : [...by];
  requireColumns(frame, keys, "groupAggregate");
  const columns = Object.keys(aggregations);
  if (columns.length === 0) throw new CleaningError("groupAggregate: no column to aggregate");
  requireNumeric(frame, columns, "groupAggregate");
  const keyed = frame.filter(keys.map((k) => pl.col(k).isNotNull()).reduce((a, b) => a.and(b)));
  const grouped = keyed.groupBy(keys).agg(...columns.map((c) => aggExpr(c, aggregations[c]!))).sort(keys);
  return asInputKind(input, grouped);
}

/** Means of numeric columns (all but the keys by default) per group — pandas' `df.groupby(by).mean()` (Seed 000 §2.2). */
export function groupMeans<F extends FrameInput>(input: F, by: string | readonly string[], columns?: readonly string[]): FrameOutput<F> {
  const frame = toPolars(input);
  const keys = typeof by === "string" ? [by] : [...by];
  const chosen = columns ?? dataColumns(frame).filter((c) => !keys.includes(c) && isNumericDtype(frame.getColumn(c).dtype));
  return groupAggregate(input, keys, Object.fromEntries(chosen.map((c) => [c, "mean" as const])));
}
