/**
 * Wrong values (Seed 000 §2.2 "correct erroneous data"): per-column rules — type, range, allowed
 * set, pattern. A cell that breaks its rule becomes missing and is counted; its row, with the original
 * value and the reason, goes to a rejects table, so nothing is silently lost.
 */
import pl from "nodejs-polars";
import { CleaningError } from "../errors";
import {
  asInputKind,
  dataColumns,
  isNumericDtype,
  requireColumns,
  ROW_LABEL,
  toPolars,
  type FrameInput,
  type FrameOutput,
} from "../frame";
import { stepReport, type Cleaned, type ColumnCounts } from "./report";

/** A rule for one column; every given check must hold for a non-missing cell. */
export interface ColumnRule {
  /** `number` parses text as numbers; `integer` also needs whole numbers. */
  readonly type?: "number" | "integer";
  readonly min?: number;
  readonly max?: number;
  /** The only values allowed (categories). */
  readonly allowed?: readonly (string | number)[];
  /** A regular expression (Rust regex syntax) text cells must match. */
  readonly pattern?: string;
}

/**
 * A validated frame, its report, and the rejects table: `row` label, `field` (the column), original `value`, `reason`,
 * then the original row.
 */
export interface Validated<F extends FrameInput> extends Cleaned<F> {
  readonly rejects: FrameOutput<F>;
}

const POSITION = "__lepton_pos__";

interface ColumnCheck {
  readonly column: string;
  readonly value: pl.Expr;
  readonly reason: pl.Expr;
}

function checkFor(frame: pl.DataFrame, column: string, rule: ColumnRule): ColumnCheck {
  const raw = pl.col(column);
  const dtype = frame.getColumn(column).dtype;
  const numeric = isNumericDtype(dtype);
  const wantsNumber = rule.type !== undefined || rule.min !== undefined || rule.max !== undefined;
  if (!numeric && wantsNumber && dtype.variant !== "String") {
    throw new CleaningError(`validate: column "${column}" is ${dtype.variant}; number rules need numbers or text`);
  }
  if (rule.pattern !== undefined && numeric)
    throw new CleaningError(`validate: column "${column}" is numeric; pattern needs text`);
  const present = dtype.variant.startsWith("Float") ? raw.isNotNull().and(raw.isNan().not()) : raw.isNotNull();
  const parsed = wantsNumber ? (numeric ? raw.cast(pl.Float64) : raw.str.strip().cast(pl.Float64, false)) : raw;
  const failures: [pl.Expr, string][] = [];
  if (wantsNumber && !numeric) failures.push([present.and(parsed.isNull()), "not a number"]);
  if (rule.type === "integer") failures.push([parsed.isNotNull().and(parsed.floor().neq(parsed)), "not an integer"]);
  if (rule.min !== undefined) failures.push([parsed.lt(pl.lit(rule.min)), `below minimum ${rule.min}`]);
  if (rule.max !== undefined) failures.push([parsed.gt(pl.lit(rule.max)), `above maximum ${rule.max}`]);
  if (rule.allowed !== undefined) {
    const allowed = rule.allowed
      .filter((v) => (numeric ? typeof v === "number" : true))
      .map((v) => (numeric ? v : String(v)));
    failures.push([present.and(parsed.isIn(allowed).not()), `not one of ${JSON.stringify(rule.allowed)}`]);
  }
  if (rule.pattern !== undefined)
    failures.push([present.and(raw.str.contains(rule.pattern).not()), `does not match /${rule.pattern}/`]);
  if (failures.length === 0) return { column, value: raw, reason: pl.lit(null).cast(pl.Utf8) };
  let reason = pl.when(failures[0]![0].fillNull(false)).then(pl.lit(failures[0]![1]));
  for (const [flag, text] of failures.slice(1)) reason = reason.when(flag.fillNull(false)).then(pl.lit(text));
  const reasonExpr = reason.otherwise(pl.lit(null).cast(pl.Utf8));
  return { column, value: parsed, reason: reasonExpr };
}

/**
 * Checks cells against per-column rules; a broken cell becomes missing (counted as `rejected`), its
 * row stays in the frame and a copy goes to `rejects` with the original value and the reason.
 * Never mutates the input.
 */
export function validate<F extends FrameInput>(input: F, rules: Readonly<Record<string, ColumnRule>>): Validated<F> {
  const before = toPolars(input);
  const columns = Object.keys(rules);
  requireColumns(before, columns, "validate");
  const hasLabels = before.columns.includes(ROW_LABEL);
  const indexed = before.withRowIndex(POSITION);
  const checks = columns.map((c) => checkFor(before, c, rules[c] as ColumnRule));
  const reasons = indexed.withColumns(...checks.map((ch) => ch.reason.alias(`__reason__${ch.column}`)));
  const originals = dataColumns(before);
  const rejectParts = checks.map((ch) =>
    reasons
      .filter(pl.col(`__reason__${ch.column}`).isNotNull())
      .select(
        pl.col(POSITION),
        (hasLabels ? pl.col(ROW_LABEL) : pl.col(POSITION).cast(pl.Utf8)).alias("row"),
        pl.lit(ch.column).alias("field"),
        pl.col(ch.column).cast(pl.Utf8).alias("value"),
        pl.col(`__reason__${ch.column}`).alias("reason"),
        ...originals.map((c) => pl.col(c)),
      ),
  );
  const stacked =
    rejectParts.length === 0 ? indexed.head(0).select(pl.col(POSITION)) : pl.concat(rejectParts, { how: "vertical" });
  const rejects = stacked.sort(POSITION).drop(POSITION);
  const cleaned = reasons.withColumns(
    ...checks.map((ch) =>
      pl
        .when(pl.col(`__reason__${ch.column}`).isNotNull())
        .then(pl.lit(null))
        .otherwise(ch.value)
        .alias(ch.column),
    ),
  );
  const after = cleaned.select(...before.columns);
  const counts: Record<string, Partial<ColumnCounts>> = {};
  for (const ch of checks)
    counts[ch.column] = { rejected: reasons.filter(pl.col(`__reason__${ch.column}`).isNotNull()).height };
  const total = Object.values(counts).reduce((s, c) => s + (c.rejected ?? 0), 0);
  const report = stepReport(
    "validate",
    before,
    after,
    `${total} cell(s) broke a rule and became missing; rows kept`,
    counts,
  );
  return { frame: asInputKind(input, after), rejects: asInputKind(input, rejects), report };
}
