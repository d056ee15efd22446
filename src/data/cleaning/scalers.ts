/**
 * Normalization as fitted transformers (Seed 000 §3.1 normalize_data "into [0, 1]"): min-max and
 * z-score learn their parameters on one table, skip missing cells (danfo's scalers turn them into 0),
 * and apply the same parameters to new data; their state saves to JSON and loads back.
 */
import pl from "nodejs-polars";
import { CleaningError, DatasetError } from "../errors";
import { asInputKind, dataColumns, isNumericDtype, requireNumeric, toPolars, type FrameInput } from "../frame";
import { readFittedState, saveFittedState } from "./fitted-state";
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
  return frame
    .select(pl.col(column).cast(pl.Float64).fillNan(pl.lit(null)))
    .getColumn(column)
    .dropNulls();
}

/** How a scaler names itself in errors and cleaning reports. */
interface ScalerNames {
  readonly scaler: string;
  readonly step: string;
  readonly inverseStep: string;
  readonly describe: string;
  readonly describeInverse: string;
}

/**
 * A per-column affine scaling x' = (x − offset) / scale, fitted elsewhere; a column whose scale is
 * 0 (constant at fit time) maps to x − offset, that is 0.
 */
abstract class AffineScaler<S extends ScalerState> {
  protected constructor(
    readonly state: S,
    private readonly names: ScalerNames,
  ) {}

  /** The offset and scale of one fitted column. */
  protected abstract affine(column: string): { readonly offset: number; readonly scale: number };

  private apply<F extends FrameInput>(input: F, inverse: boolean): Cleaned<F> {
    const before = toPolars(input);
    const columns = Object.keys(this.state.columns);
    const { scaler, step, inverseStep, describe, describeInverse } = this.names;
    requireNumeric(before, columns, `${scaler}.${inverse ? "inverseTransform" : "transform"}`);
    const after = before.withColumns(
      ...columns.map((c) => {
        const { offset, scale } = this.affine(c);
        const x = pl.col(c).cast(pl.Float64);
        if (inverse) return x.mul(pl.lit(scale)).plus(pl.lit(offset)).alias(c);
        const centred = x.fillNan(pl.lit(null)).minus(pl.lit(offset));
        return (scale === 0 ? centred : centred.div(pl.lit(scale))).alias(c);
      }),
    );
    const detail = `${inverse ? describeInverse : describe} on ${columns.length} column(s)`;
    return {
      frame: asInputKind(input, after),
      report: stepReport(inverse ? inverseStep : step, before, after, detail),
    };
  }

  /** Scales the fitted columns of a (new) table with the fitted parameters; missing stays missing. */
  transform<F extends FrameInput>(input: F): Cleaned<F> {
    return this.apply(input, false);
  }

  /** Maps scaled values back: x = x' · scale + offset. */
  inverseTransform<F extends FrameInput>(input: F): Cleaned<F> {
    return this.apply(input, true);
  }

  /** Saves the fitted state as JSON. */
  save(path: string): void {
    saveFittedState(path, this.state);
  }
}

/** Min-max scaling to [0, 1]: x' = (x − min) / (max − min); a constant column maps to 0. */
export class MinMaxScaler extends AffineScaler<MinMaxState> {
  private constructor(state: MinMaxState) {
    super(state, {
      scaler: "MinMaxScaler",
      step: "minMax",
      inverseStep: "minMaxInverse",
      describe: "min-max",
      describeInverse: "inverse min-max",
    });
  }

  /** Learns min and max of each column (all numeric columns by default), ignoring missing cells. */
  static fit(input: FrameInput, columns?: readonly string[]): MinMaxScaler {
    const frame = toPolars(input);
    const names = numericColumns(frame, columns, "MinMaxScaler.fit");
    const params: Record<string, { min: number; max: number }> = {};
    if (names.length > 0) {
      // one pass for all columns: minima then maxima, NaN counted as missing
      const x = pl.cols(names).cast(pl.Float64).fillNan(pl.lit(null));
      const stats = frame.select(x.min().suffix("__min"), x.max().suffix("__max")).toRecords()[0] as Record<
        string,
        number | null
      >;
      for (const c of names) {
        const min = stats[`${c}__min`];
        const max = stats[`${c}__max`];
        if (min === null || max === null || min === undefined || max === undefined)
          throw new CleaningError(`MinMaxScaler.fit: column "${c}" has no values`);
        params[c] = { min, max };
      }
    }
    return new MinMaxScaler({ kind: "minmax", columns: params });
  }

  /** Rebuilds a scaler from saved state. */
  static fromState(state: MinMaxState): MinMaxScaler {
    return new MinMaxScaler(state);
  }

  protected affine(column: string): { offset: number; scale: number } {
    const { min, max } = this.state.columns[column]!;
    return { offset: min, scale: max - min };
  }
}

/**
 * z-score scaling: x' = (x − mean) / std, with std's ddof 0 (scikit-learn's StandardScaler, the
 * default) or 1 (pandas' `df.std()`); a constant column maps to 0.
 */
export class StandardScaler extends AffineScaler<StandardState> {
  private constructor(state: StandardState) {
    super(state, {
      scaler: "StandardScaler",
      step: "zScore",
      inverseStep: "zScoreInverse",
      describe: `z-score (ddof ${state.ddof})`,
      describeInverse: "inverse z-score",
    });
  }

  /** Learns mean and standard deviation of each column (all numeric by default), ignoring missing cells. */
  static fit(input: FrameInput, columns?: readonly string[], options: { readonly ddof?: 0 | 1 } = {}): StandardScaler {
    const frame = toPolars(input);
    const ddof = options.ddof ?? 0;
    const params: Record<string, { mean: number; std: number }> = {};
    for (const c of numericColumns(frame, columns, "StandardScaler.fit")) {
      const values = present(frame, c).toArray() as number[];
      if (values.length <= ddof)
        throw new CleaningError(
          `StandardScaler.fit: column "${c}" has ${values.length} value(s), needs more than ${ddof}`,
        );
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

  protected affine(column: string): { offset: number; scale: number } {
    const { mean, std } = this.state.columns[column]!;
    return { offset: mean, scale: std };
  }
}

function isParams(value: unknown, keys: readonly string[]): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    keys.every((k) => typeof (value as Record<string, unknown>)[k] === "number")
  );
}

/** Loads a scaler saved with `save()`; DatasetError names the file when its content is not a scaler state. */
export function loadScaler(path: string): MinMaxScaler | StandardScaler {
  const state = readFittedState(path, "scaler");
  const s = state as { kind?: unknown; columns?: unknown; ddof?: unknown };
  const columns = typeof s.columns === "object" && s.columns !== null ? Object.values(s.columns) : null;
  if (s.kind === "minmax" && columns !== null && columns.every((p) => isParams(p, ["min", "max"]))) {
    return MinMaxScaler.fromState(state as MinMaxState);
  }
  if (
    s.kind === "standard" &&
    (s.ddof === 0 || s.ddof === 1) &&
    columns !== null &&
    columns.every((p) => isParams(p, ["mean", "std"]))
  ) {
    return StandardScaler.fromState(state as StandardState);
  }
  throw new DatasetError(path, 'expected {"kind": "minmax"|"standard", "columns": {...}} with numeric parameters');
}
