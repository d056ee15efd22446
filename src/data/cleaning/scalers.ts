/**
 * Normalization as fitted transformers (Seed 000 §3.1 normalize_data "into [0, 1]"): min-max and
 * z-score learn their parameters on one table, skip missing cells (danfo's scalers turn them into 0),
 * and apply the same parameters to new data; their state saves to JSON and loads back.
 */
import { readFileSync, writeFileSync } from "node:fs";
import pl from "nodejs-polars";
import { CleaningError, DatasetError } from "../errors";
import { asInputKind, dataColumns, isNumericDtype, requireNumeric, toPolars, type FrameInput } from "../frame";
import { stepReport, type Cleaned } from "./report";

/** Saved state of a min-max scaler: per column the minimum and maximum seen at fit time. */
export interface MinMaxState {
  readonly kind: "minmax";
  readonly columns: Readonly<Record<string, { readonly min: number; readonly max: number }>>;
}

/** Saved state of a z-score scaler: per column mean and standard deviation (with its ddof). */
export interface StandardState {
  readonly kind: "standard";
  readonly ddof: 0 | 1;
  readonly columns: Readonly<Record<string, { readonly mean: number; readonly std: number }>>;
}

/** Either scaler's saved state. */
export type ScalerState = MinMaxState | StandardState;

function numericColumns(frame: pl.DataFrame, columns: readonly string[] | undefined, step: string): string[] {
  const chosen = columns ?? dataColumns(frame).filter((c) => isNumericDtype(frame.getColumn(c).dtype));
  requireNumeric(frame, chosen, step);
  return [...chosen];
}

function present(frame: pl.DataFrame, column: string): pl.Series {
  return frame.select(pl.col(column).cast(pl.Float64).fillNan(pl.lit(null))).getColumn(column).dropNulls();
}

/** Min-max scaling to [0, 1]: x' = (x − min) / (max − min); a constant column maps to 0. */
export class MinMaxScaler {
  private constructor(readonly state: MinMaxState) {}

  /** Learns min and max of each column (all numeric columns by default), ignoring missing cells. */
  static fit(input: FrameInput, columns?: readonly string[]): MinMaxScaler {
    const frame = toPolars(input);
    const names = numericColumns(frame, columns, "MinMaxScaler.fit");
    const params: Record<string, { min: number; max: number }> = {};
    if (names.length > 0) {
      // one pass for all columns: minima then maxima, NaN counted as missing
      const x = pl.cols(names).cast(pl.Float64).fillNan(pl.lit(null));
      const stats = frame.select(x.min().suffix("__min"), x.max().suffix("__max")).toRecords()[0] as Record<string, number | null>;
      for (const c of names) {
        const min = stats[`${c}__min`];
        const max = stats[`${c}__max`];
        if (min === null || max === null || min === undefined || max === undefined) throw new CleaningError(`MinMaxScaler.fit: column "${c}" has no values`);
        params[c] = { min, max };
      }
    }
    return new MinMaxScaler({ kind: "minmax", columns: params });
  }

  /** Rebuilds a scaler from saved state. */
  static fromState(state: MinMaxState): MinMaxScaler {
    return new MinMaxScaler(state);
  }

  /** Scales the fitted columns of a (new) table with the fitted parameters; missing stays missing. */
  transform<F extends FrameInput>(input: F): Cleaned<F> {
    const before = toPolars(input);
    const names = Object.keys(this.state.columns);
    requireNumeric(before, names, "MinMaxScaler.transform");
    const exprs = names.map((c) => {
      const { min, max } = this.state.columns[c]!;
      const range = max - min;
      const x = pl.col(c).cast(pl.Float64).fillNan(pl.lit(null));
      return (range === 0 ? x.minus(pl.lit(min)) : x.minus(pl.lit(min)).div(pl.lit(range))).alias(c);
    });
    const after = before.withColumns(...exprs);
    return { frame: asInputKind(input, after), report: stepReport("minMax", before, after, `min-max on ${names.length} column(s)`) };
  }

  /** Maps scaled values back: x = x' · (max − min) + min. */
  inverseTransform<F extends FrameInput>(input: F): Cleaned<F> {
    const before = toPolars(input);
    const names = Object.keys(this.state.columns);
    requireNumeric(before, names, "MinMaxScaler.inverseTransform");
    const after = before.withColumns(
      ...names.map((c) => {
        const { min, max } = this.state.columns[c]!;
        return pl.col(c).cast(pl.Float64).mul(pl.lit(max - min)).plus(pl.lit(min)).alias(c);
      }),
    );
    return { frame: asInputKind(input, after), report: stepReport("minMaxInverse", before, after, `inverse min-max on ${names.length} column(s)`) };
  }

  /** Saves the fitted state as JSON. */
  save(path: string): void {
    writeFileSync(path, JSON.stringify(this.state, null, 2));
  }
}

/**
 * z-score scaling: x' = (x − mean) / std, with std's ddof 0 (scikit-learn's StandardScaler, the
 * default) or 1 (pandas' `df.std()`); a constant column maps to 0.
 */
export class StandardScaler {
  private constructor(readonly state: StandardState) {}

  /** Learns mean and standard deviation of each column (all numeric by default), ignoring missing cells. */
  static fit(input: FrameInput, columns?: readonly string[], options: { readonly ddof?: 0 | 1 } = {}): StandardScaler {
    const frame = toPolars(input);
    const ddof = options.ddof ?? 0;
    const params: Record<string, { mean: number; std: number }> = {};
    for (const c of numericColumns(frame, columns, "StandardScaler.fit")) {
      const values = present(frame, c).toArray() as number[];
      if (values.length <= ddof) throw new CleaningError(`StandardScaler.fit: column "${c}" has ${values.length} value(s), needs more than ${ddof}`);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const squares = values.reduce((s, v) => s + (v - mean) * (v - mean), 0);
      params[c] = { mean, std: Math.sqrt(squares / (values.length - ddof)) };
    }
    return new StandardScaler({ kind: "standard", ddof, columns: params });
  }

  /** Rebuilds a scaler from saved state. */
  static fromState(state: StandardState): StandardScaler {
    return new StandardScaler(state);
  }

  /** Standardizes the fitted columns of a (new) table; missing stays missing. */
  transform<F extends FrameInput>(input: F): Cleaned<F> {
    const before = toPolars(input);
    const names = Object.keys(this.state.columns);
    requireNumeric(before, names, "StandardScaler.transform");
    const after = before.withColumns(
      ...names.map((c) => {
        const { mean, std } = this.state.columns[c]!;
        const centred = pl.col(c).cast(pl.Float64).fillNan(pl.lit(null)).minus(pl.lit(mean));
        return (std === 0 ? centred : centred.div(pl.lit(std))).alias(c);
      }),
    );
    return { frame: asInputKind(input, after), report: stepReport("zScore", before, after, `z-score (ddof ${this.state.ddof}) on ${names.length} column(s)`) };
  }

  /** Maps standardized values back: x = x' · std + mean. */
  inverseTransform<F extends FrameInput>(input: F): Cleaned<F> {
    const before = toPolars(input);
    const names = Object.keys(this.state.columns);
    requireNumeric(before, names, "StandardScaler.inverseTransform");
    const after = before.withColumns(
      ...names.map((c) => {
        const { mean, std } = this.state.columns[c]!;
        return pl.col(c).cast(pl.Float64).mul(pl.lit(std)).plus(pl.lit(mean)).alias(c);
      }),
    );
    return { frame: asInputKind(input, after), report: stepReport("zScoreInverse", before, after, `inverse z-score on ${names.length} column(s)`) };
  }

  /** Saves the fitted state as JSON. */
  save(path: string): void {
    writeFileSync(path, JSON.stringify(this.state, null, 2));
  }
}

function isParams(value: unknown, keys: readonly string[]): boolean {
  return typeof value === "object" && value !== null && keys.every((k) => typeof (value as Record<string, unknown>)[k] === "number");
}

/** Loads a scaler saved with `save()`; DatasetError names the file when its content is not a scaler state. */
export function loadScaler(path: string): MinMaxScaler | StandardScaler {
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new DatasetError(path, `not a saved scaler (${(error as Error).message})`);
  }
  const s = state as { kind?: unknown; columns?: unknown; ddof?: unknown };
  const columns = typeof s.columns === "object" && s.columns !== null ? Object.values(s.columns) : null;
  if (s.kind === "minmax" && columns !== null && columns.every((p) => isParams(p, ["min", "max"]))) {
    return MinMaxScaler.fromState(state as MinMaxState);
  }
  if (s.kind === "standard" && (s.ddof === 0 || s.ddof === 1) && columns !== null && columns.every((p) => isParams(p, ["mean", "std"]))) {
    return StandardScaler.fromState(state as StandardState);
  }
  throw new DatasetError(path, 'expected {"kind": "minmax"|"standard", "columns": {...}} with numeric parameters');
}
