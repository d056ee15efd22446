/**
 * Data aggregation (Seed 000 §2.2 step 4 "integrate data from several sources"): merge on keys with
 * pandas' `merge` semantics, and stack tables with pandas' `concat(ignore_index=True)`.
 */
import pl from "nodejs-polars";
import { CleaningError } from "../errors";
import {
  asInputKind,
  dataColumns,
  requireColumns,
  ROW_LABEL,
  toPolars,
  type FrameInput,
  type FrameOutput,
} from "../frame";
import { stepReport, type Cleaned } from "./report";

/** Options of mergeFrames: key column(s), join kind, suffixes for clashing non-key columns (pandas: "_x", "_y"). */
export interface MergeOptions {
  readonly on: string | readonly string[];
  readonly how?: "inner" | "left" | "right" | "outer";
  readonly suffixes?: readonly [string, string];
}

function withoutLabels(frame: pl.DataFrame): pl.DataFrame {
  return frame.columns.includes(ROW_LABEL) ? frame.drop(ROW_LABEL) : frame;
}

/**
 * Joins two tables on key columns as pandas' `merge`: inner and left keep the left table's row order,
 * right keeps the right's, outer is the left join followed by the unmatched right rows; clashing columns get suffixes.
 * Missing keys never match. The result is the kind of the left input.
 */
export function mergeFrames<L extends FrameInput>(left: L, right: FrameInput, options: MergeOptions): Cleaned<L> {
  const keys = typeof options.on === "string" ? [options.on] : [...options.on];
  if (keys.length === 0) throw new CleaningError("mergeFrames: `on` needs at least one key column");
  const a = withoutLabels(toPolars(left));
  const b = withoutLabels(toPolars(right));
  requireColumns(a, keys, "mergeFrames (left)");
  requireColumns(b, keys, "mergeFrames (right)");
  const [sx, sy] = options.suffixes ?? ["_x", "_y"];
  const clash = dataColumns(a).filter((c) => !keys.includes(c) && dataColumns(b).includes(c));
  const renamed = (frame: pl.DataFrame, suffix: string) =>
    frame.rename(Object.fromEntries(clash.map((c) => [c, `${c}${suffix}`])));
  const l = renamed(a, sx);
  const r = renamed(b, sy);
  const how = options.how ?? "inner";
  const order = [...l.columns, ...r.columns.filter((c) => !keys.includes(c))];
  let joined: pl.DataFrame;
  if (how === "right") joined = r.join(l, { on: keys, how: "left" });
  else if (how === "outer")
    joined = pl.concat([l.join(r, { on: keys, how: "left" }), r.join(l, { on: keys, how: "anti" })], {
      how: "diagonalRelaxed",
    });
  else joined = l.join(r, { on: keys, how });
  const after = joined.select(...order);
  const report = stepReport("merge", a, after, `${how} merge on ${keys.join(", ")} with ${b.height} right row(s)`);
  return { frame: asInputKind(left, after), report };
}

/** Stacks tables row-wise, as pandas' `concat(frames, ignore_index=True)`: columns united, absent cells missing. */
export function concatFrames<F extends FrameInput>(frames: readonly [F, ...FrameInput[]]): FrameOutput<F> {
  const parts = frames.map((f) => withoutLabels(toPolars(f)));
  return asInputKind(frames[0], pl.concat(parts, { how: "diagonalRelaxed" }));
}
