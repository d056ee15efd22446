/**
 * Encoding (Seed 000 §3.1 encode_data "convert into numeric representation"): one-hot (pandas'
 * get_dummies) and label / ordinal codes, as fitted encoders that treat missing as missing — no
 * `_null` category (danfo makes one) — and can be saved and applied to new data.
 */
import pl from "nodejs-polars";
import { CleaningError, DatasetError } from "../errors";
import {
  asInputKind,
  dataColumns,
  isNumericDtype,
  requireColumns,
  ROW_LABEL,
  toPolars,
  type FrameInput,
} from "../frame";
import { readFittedState, saveFittedState } from "./fitted-state";
import { stepReport, type Cleaned, type ColumnCounts } from "./report";

/** A category value: text, or a number for numeric columns. */
export type Category = string | number;

/** Saved state of an encoder: per column its categories in code order. */
export interface EncoderState {
  readonly kind: "onehot" | "label";
  readonly columns: Readonly<Record<string, readonly Category[]>>;
  /** One-hot only: separator between column name and value (pandas' `prefix_sep`, "_"). */
  readonly separator: string;
}

function sortedCategories(frame: pl.DataFrame, column: string): Category[] {
  const series = frame.getColumn(column);
  const numeric = isNumericDtype(series.dtype);
  const values = frame
    .select(numeric ? pl.col(column).cast(pl.Float64).fillNan(pl.lit(null)) : pl.col(column).cast(pl.Utf8))
    .getColumn(column)
    .dropNulls()
    .unique()
    .toArray() as Category[];
  return numeric ? (values as number[]).sort((a, b) => a - b) : (values as string[]).sort();
}

function fitCategories(
  frame: pl.DataFrame,
  columns: readonly string[],
  order: Readonly<Record<string, readonly Category[]>>,
  step: string,
): Record<string, Category[]> {
  requireColumns(frame, columns, step);
  const result: Record<string, Category[]> = {};
  for (const c of columns) {
    const seen = sortedCategories(frame, c);
    const given = order[c];
    if (given !== undefined) {
      const unknown = seen.filter((v) => !given.includes(v));
      if (unknown.length > 0)
        throw new CleaningError(
          `${step}: column "${c}" has value(s) ${JSON.stringify(unknown)} missing from the given order`,
        );
      result[c] = [...given];
    } else {
      result[c] = seen;
    }
  }
  return result;
}

function valueExpr(frame: pl.DataFrame, column: string): pl.Expr {
  return isNumericDtype(frame.getColumn(column).dtype)
    ? pl.col(column).cast(pl.Float64).fillNan(pl.lit(null))
    : pl.col(column).cast(pl.Utf8);
}

function unknownCount(frame: pl.DataFrame, column: string, categories: readonly Category[]): number {
  const value = valueExpr(frame, column);
  return frame.filter(value.isNotNull().and(value.isIn([...categories]).not())).height;
}

/** Side-by-side frames; nodejs-polars' first `hstack` overload is typed `void`, the call returns the new frame. */
function hstack(left: pl.DataFrame, right: pl.DataFrame): pl.DataFrame {
  return left.hstack(right) as unknown as pl.DataFrame;
}

/** A transform's start: the table, its fitted columns (checked present) and the report's per-column tallies. */
function fittedInput(input: FrameInput, state: EncoderState, step: string) {
  const before = toPolars(input);
  const names = Object.keys(state.columns);
  requireColumns(before, names, step);
  return { before, names, counts: {} as Record<string, Partial<ColumnCounts>>, unknowns: [] as string[] };
}

/**
 * One-hot encoding with pandas' `get_dummies(df, columns=…)` layout: other columns first, then `col_value` 0/1 columns
 * in sorted category order; a missing cell gives all zeros, or all missing with `missing: "null"`.
 */
export class OneHotEncoder {
  private constructor(readonly state: EncoderState) {}

  /** Learns each column's categories (sorted, as pandas) or takes them from `order`. */
  static fit(
    input: FrameInput,
    columns: readonly string[],
    options: { readonly separator?: string; readonly order?: Readonly<Record<string, readonly Category[]>> } = {},
  ): OneHotEncoder {
    const frame = toPolars(input);
    return new OneHotEncoder({
      kind: "onehot",
      separator: options.separator ?? "_",
      columns: fitCategories(frame, columns, options.order ?? {}, "OneHotEncoder.fit"),
    });
  }

  /** Rebuilds an encoder from saved state. */
  static fromState(state: EncoderState): OneHotEncoder {
    if (state.kind !== "onehot") throw new CleaningError(`OneHotEncoder.fromState: state is a "${state.kind}" encoder`);
    return new OneHotEncoder(state);
  }

  /**
   * Replaces each fitted column by its 0/1 columns; values unseen at fit time give all zeros and are counted in the
   * report's detail.
   */
  transform<F extends FrameInput>(input: F, options: { readonly missing?: "zeros" | "null" } = {}): Cleaned<F> {
    const { before, names, counts, unknowns } = fittedInput(input, this.state, "OneHotEncoder.transform");
    const parts = names.map((c) => {
      const categories = this.state.columns[c]!;
      counts[c] = { encoded: categories.map((category) => `${c}${this.state.separator}${category}`) };
      const { frame, unknown } = this.dummies(before, c, options.missing ?? "zeros");
      if (unknown > 0) unknowns.push(`${c}: ${unknown} unseen value(s)`);
      return frame;
    });
    const kept = dataColumns(before).filter((c) => !names.includes(c));
    const hidden = before.columns.includes(ROW_LABEL) ? [ROW_LABEL] : [];
    const after = [...parts, before.select(...hidden)].reduce<pl.DataFrame>(
      (acc, part) => hstack(acc, part),
      before.select(...kept),
    );
    const detail = `one-hot ${names.join(", ")}${unknowns.length > 0 ? `; ${unknowns.join("; ")}` : ""}`;
    return { frame: asInputKind(input, after), report: stepReport("oneHot", before, after, detail, counts) };
  }

  /**
   * The 0/1 columns of one fitted column. nodejs-polars pays ~1–3 ms per expression object, so text
   * columns go through one toDummies pass and name-only selects (3M rows × 229 categories: 1 s instead
   * of 25 s); numbers compare per category.
   */
  private dummies(
    frame: pl.DataFrame,
    column: string,
    missing: "zeros" | "null",
  ): { frame: pl.DataFrame; unknown: number } {
    const categories = this.state.columns[column]!;
    const sep = this.state.separator;
    const names = categories.map((category) => `${column}${sep}${category}`);
    const isText = !isNumericDtype(frame.getColumn(column).dtype);
    let out: pl.DataFrame;
    let unknown: number;
    if (isText && !categories.includes("null")) {
      const made = frame.getColumn(column).cast(pl.Utf8).toDummies(sep);
      const known = new Set([...names, `${column}${sep}null`]);
      const unseen = made.columns.filter((name) => !known.has(name));
      unknown = unseen.reduce((sum, name) => sum + Number(made.getColumn(name).sum()), 0);
      const absent = names.filter((name) => !made.columns.includes(name));
      const filled =
        absent.length === 0 ? made : made.withColumns(...absent.map((name) => pl.lit(0).cast(pl.UInt8).alias(name)));
      out = filled.select(...names);
    } else {
      out = frame.select(
        ...categories.map((category, k) =>
          valueExpr(frame, column).eq(pl.lit(category)).fillNull(false).cast(pl.UInt8).alias(names[k]!),
        ),
      );
      unknown = unknownCount(frame, column, categories);
    }
    if (missing === "zeros") return { frame: out, unknown };
    const isMissing = valueExpr(frame, column).isNull().alias("__missing__");
    const flagged = hstack(out, frame.select(isMissing));
    return {
      frame: flagged.select(
        ...names.map((name) =>
          pl.when(pl.col("__missing__")).then(pl.lit(null)).otherwise(pl.col(name)).cast(pl.UInt8).alias(name),
        ),
      ),
      unknown,
    };
  }

  /** Saves the fitted categories as JSON. */
  save(path: string): void {
    saveFittedState(path, this.state);
  }
}

/**
 * Label / ordinal codes: each category becomes its position (sorted as pandas' `astype("category").cat.codes`, or a
 * given order); missing and unseen values stay missing (pandas writes −1).
 */
export class LabelEncoder {
  private constructor(readonly state: EncoderState) {}

  /** Learns each column's categories (sorted) or takes the ordinal order from `order`. */
  static fit(
    input: FrameInput,
    columns: readonly string[],
    options: { readonly order?: Readonly<Record<string, readonly Category[]>> } = {},
  ): LabelEncoder {
    const frame = toPolars(input);
    return new LabelEncoder({
      kind: "label",
      separator: "_",
      columns: fitCategories(frame, columns, options.order ?? {}, "LabelEncoder.fit"),
    });
  }

  /** Rebuilds an encoder from saved state. */
  static fromState(state: EncoderState): LabelEncoder {
    if (state.kind !== "label") throw new CleaningError(`LabelEncoder.fromState: state is a "${state.kind}" encoder`);
    return new LabelEncoder(state);
  }

  /** Replaces each fitted column by its integer codes (nullable Int32). */
  transform<F extends FrameInput>(input: F): Cleaned<F> {
    const { before, names, counts, unknowns } = fittedInput(input, this.state, "LabelEncoder.transform");
    const exprs = names.map((c) => {
      const categories = this.state.columns[c]!;
      counts[c] = { encoded: [c] };
      const unknown = unknownCount(before, c, categories);
      if (unknown > 0) unknowns.push(`${c}: ${unknown} unseen value(s) left missing`);
      const value = valueExpr(before, c);
      if (categories.length === 0) return pl.lit(null).cast(pl.Int32).alias(c);
      // replaceStrict's object form ignores its mapping in nodejs-polars 0.24.1; the positional form works.
      return value
        .replaceStrict(
          [...categories] as (number | string)[],
          categories.map((_, k) => k),
          pl.lit(null),
          pl.Int32,
        )
        .alias(c);
    });
    const after = before.withColumns(...exprs);
    const detail = `codes for ${names.join(", ")}${unknowns.length > 0 ? `; ${unknowns.join("; ")}` : ""}`;
    return { frame: asInputKind(input, after), report: stepReport("labelEncode", before, after, detail, counts) };
  }

  /** Category of each code (inverse mapping) for one column. */
  categoriesOf(column: string): readonly Category[] {
    const categories = this.state.columns[column];
    if (categories === undefined) throw new CleaningError(`LabelEncoder: column "${column}" was not fitted`);
    return categories;
  }

  /** Saves the fitted categories as JSON. */
  save(path: string): void {
    saveFittedState(path, this.state);
  }
}

/** One-hot encodes columns in one call: `OneHotEncoder.fit(input, columns).transform(input)` (pandas' get_dummies). */
export function oneHotEncode<F extends FrameInput>(input: F, columns: readonly string[]): Cleaned<F> {
  return OneHotEncoder.fit(input, columns).transform(input);
}

/** Loads an encoder saved with `save()`; DatasetError names the file when its content is not an encoder state. */
export function loadEncoder(path: string): OneHotEncoder | LabelEncoder {
  const state = readFittedState(path, "encoder");
  const s = state as Partial<EncoderState>;
  const valid =
    (s.kind === "onehot" || s.kind === "label") &&
    typeof s.separator === "string" &&
    typeof s.columns === "object" &&
    s.columns !== null &&
    Object.values(s.columns).every(
      (v) => Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number"),
    );
  if (!valid)
    throw new DatasetError(
      path,
      'expected {"kind": "onehot"|"label", "separator": "_", "columns": {column: [categories]}}',
    );
  return s.kind === "onehot"
    ? OneHotEncoder.fromState(state as EncoderState)
    : LabelEncoder.fromState(state as EncoderState);
}
