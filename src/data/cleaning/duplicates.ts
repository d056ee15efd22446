/**
 * Whole-row (or subset) deduplication with pandas' drop_duplicates semantics (Seed 000 §2.2 "remove duplicate data").
 */
import { asInputKind, dataColumns, requireColumns, toPolars, type FrameInput } from "../frame";
import { stepReport, type Cleaned } from "./report";

/** Options of dropDuplicates: which columns decide equality (all by default) and which copy stays. */
export interface DropDuplicatesOptions {
  readonly subset?: readonly string[];
  readonly keep?: "first" | "last";
}

/**
 * Drops repeated rows, keeping the first (or last) copy in original order, as pandas'
 * `drop_duplicates()`; missing cells compare equal to each other. Never mutates the input.
 */
export function dropDuplicates<F extends FrameInput>(input: F, options: DropDuplicatesOptions = {}): Cleaned<F> {
  const before = toPolars(input);
  const subset = options.subset ?? dataColumns(before);
  requireColumns(before, subset, "dropDuplicates");
  const keep = options.keep ?? "first";
  const after = before.unique({ subset: [...subset], keep, maintainOrder: true });
  const dropped = before.height - after.height;
  const report = stepReport(
    "dropDuplicates",
    before,
    after,
    `dropped ${dropped} duplicate row(s), kept the ${keep} copy`,
  );
  return { frame: asInputKind(input, after), report };
}
