/**
 * Group statistics (Seed 000 §2.2 data aggregation; seed 001 §3.3 pattern recognition): pandas' `groupby(by).agg(...)`,
 * missing values skipped.
 */
import pl from "nodejs-polars";
import { CleaningError } from "../errors";
import {
  asInputKind,
  dataColumns,
  dtypesOf,
  isNumericDtype,
  requireColumns,
  requireNumeric,
  toPolars,
  type FrameInput,
  type FrameOutput,
} from "../frame";

/** The per-group statistics; all skip missing cells (danfo's mean counts them in the divisor). */
export const AGGREGATIONS = ["mean", "sum", "min", "max", "median", "count", "std"] as const;
/** How a column is aggregated per group. */
export type Aggregation = (typeof AGGREGATIONS)[number];

/** One expression for many columns (nodejs-polars pays per expression object, not per column). */
function aggExpr(columns: readonly string[], how: Aggregation, isFloat: boolean): pl.Expr {
  const x = isFloat ? pl.cols([...columns]).fillNan(pl.lit(null)) : pl.cols([...columns]);
  // Every aggregation is a polars expression method of the same name, taking no argument here.
  return x[how]();
}

/**
 * Aggregates columns per group, as pandas' `df.groupby(by).agg({...})`: one row per key (rows with a
 * missing key dropped), sorted by key, keys as columns.
 */
export function groupAggregate<F extends FrameInput>(
  input: F,
  by: string | readonly string[],
  aggregations: Readonly<Record<string, Aggregation>>,
): FrameOutput<F> {
  const frame = toPolars(input);
  const keys = typeof by === "string" ? [by] : [...by];
  requireColumns(frame, keys, "groupAggregate");
  const columns = Object.keys(aggregations);
  if (columns.length === 0) throw new CleaningError("groupAggregate: no column to aggregate");
  requireNumeric(frame, columns, "groupAggregate");
  const types = dtypesOf(frame);
  const buckets = new Map<string, { how: Aggregation; isFloat: boolean; columns: string[] }>();
  for (const c of columns) {
    const how = aggregations[c]!;
    if (!AGGREGATIONS.includes(how))
      throw new CleaningError(`groupAggregate: column "${c}" asks for "${how}", not one of ${AGGREGATIONS.join(", ")}`);
    const isFloat = types.get(c)!.variant.startsWith("Float");
    const key = `${how}/${isFloat}`;
    const bucket = buckets.get(key) ?? { how, isFloat, columns: [] };
    bucket.columns.push(c);
    buckets.set(key, bucket);
  }
  const exprs = [...buckets.values()].map((b) => aggExpr(b.columns, b.how, b.isFloat));
  // the lazy plan runs the grouped aggregation in parallel: 3M rows × 232 columns in ~2 s instead of ~4 s eagerly
  const grouped = frame
    .lazy()
    .filter(keys.map((k) => pl.col(k).isNotNull()).reduce((a, b) => a.and(b)))
    .groupBy(keys)
    .agg(...exprs)
    .sort(keys)
    .select(...keys, ...columns)
    .collectSync();
  return asInputKind(input, grouped);
}

/** Means of numeric columns (all but the keys by default) per group — pandas' `df.groupby(by).mean()`. */
export function groupMeans<F extends FrameInput>(
  input: F,
  by: string | readonly string[],
  columns?: readonly string[],
): FrameOutput<F> {
  const frame = toPolars(input);
  const keys = typeof by === "string" ? [by] : [...by];
  const types = dtypesOf(frame);
  const chosen = columns ?? dataColumns(frame).filter((c) => !keys.includes(c) && isNumericDtype(types.get(c)!));
  return groupAggregate(input, keys, Object.fromEntries(chosen.map((c) => [c, "mean" as const])));
}
