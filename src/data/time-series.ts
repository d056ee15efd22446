/**
 * Time-series forecasting data (Seed 001 §6.3: "RNN models can predict traffic flow over time
 * series"; §3.1 steps 1 and 4, preprocessing and evaluation): a daily series from the shipped
 * Seattle weather table, sliding windows of length L → the next H values, a chronological
 * train/validation/test split by target time (nothing of the future in the past's windows),
 * standard scaling fitted on the training time range only, the naive and seasonal-naive
 * baselines, and MAE / RMSE. Every bad argument raises TimeSeriesError naming it.
 */
import * as tf from "@tensorflow/tfjs";
import { DatasetError } from "./errors";
import { seattleWeatherRecords, type SeattleWeatherRecord } from "./vega";
import { NamedError } from "../errors";

/** An argument a time-series helper cannot use; `subject` names it and the message says why. */
export class TimeSeriesError extends NamedError {}

/** A series of T time steps: plain numbers (one feature) or rows of F features, `rows[t][f]`. */
export type SeriesInput = readonly number[] | readonly (readonly number[])[];

/** One daily column of a table, oldest first. */
export interface DailySeries {
  readonly name: string;
  /** ISO dates "YYYY-MM-DD", one per day with no gap. */
  readonly dates: readonly string[];
  readonly values: readonly number[];
}

/** The numeric columns of seattle-weather.csv. */
export type SeattleWeatherColumn = "temp_max" | "temp_min" | "precipitation" | "wind";

const SEATTLE_FILE = "seattle-weather.csv";
const DAY_MS = 86_400_000;

/**
 * Daily Seattle weather 2012–2015 (vega-datasets, 1461 days) as one series per requested
 * column; DatasetError naming the row if a day is missing or
 * out of order, since windows assume one step per day.
 */
export function seattleDailySeries(columns: readonly SeattleWeatherColumn[]): DailySeries[] {
  if (columns.length === 0) throw new TimeSeriesError("columns", "name at least one column");
  const records: SeattleWeatherRecord[] = seattleWeatherRecords();
  const dates = records.map((record) => record.date);
  dates.forEach((date, row) => {
    if (row === 0) return;
    const gap = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${dates[row - 1]}T00:00:00Z`)) / DAY_MS;
    if (gap !== 1)
      throw new DatasetError(SEATTLE_FILE, `row ${row + 1} (${date}) follows ${dates[row - 1]}: expected the next day`);
  });
  return columns.map((column) => ({ name: column, dates, values: records.map((record) => record[column]) }));
}

/**
 * Rows `[t][f]` from a series of plain numbers or of feature rows; checks every row has the same width and finite
 * values.
 */
function toRows(series: SeriesInput, argument: string): number[][] {
  if (series.length === 0) throw new TimeSeriesError(argument, "the series is empty");
  const rows = series.map((step) => (typeof step === "number" ? [step] : [...step]));
  const features = rows[0]!.length;
  if (features === 0) throw new TimeSeriesError(argument, "step 0 has no features");
  rows.forEach((row, t) => {
    if (row.length !== features)
      throw new TimeSeriesError(argument, `step ${t} has ${row.length} features, step 0 has ${features}`);
    row.forEach((value, f) => {
      if (!Number.isFinite(value))
        throw new TimeSeriesError(argument, `step ${t}, feature ${f} is not a finite number (${value})`);
    });
  });
  return rows;
}

function checkCount(value: number, argument: string, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum)
    throw new TimeSeriesError(argument, `must be an integer ≥ ${minimum}, got ${value}`);
}

/** Options of {@link slidingWindows}. */
export interface WindowOptions {
  /** L: time steps each input window holds. */
  readonly window: number;
  /** H: how many next values of the target each window predicts; default 1 (next step). */
  readonly horizon?: number;
  /** Index of the target feature; default 0. */
  readonly target?: number;
}

/**
 * Sliding windows over a series: inputs `[n][L][F]` → targets `[n][H]`, with the time of each window's first target.
 */
export interface Windows {
  readonly inputs: readonly (readonly (readonly number[])[])[];
  readonly targets: readonly (readonly number[])[];
  /**
   * `targetStart[i]`: time index of window i's first target; its inputs are steps `targetStart[i] − L … targetStart[i]
   * − 1`.
   */
  readonly targetStart: readonly number[];
  readonly window: number;
  readonly horizon: number;
  readonly features: number;
  readonly target: number;
}

/**
 * Every window of L consecutive steps and the H values of the target feature that follow it:
 * window i holds steps i … i+L−1 and predicts steps
 * i+L … i+L+H−1, so a series of T steps gives T − L − H + 1 windows.
 */
export function slidingWindows(series: SeriesInput, options: WindowOptions): Windows {
  const rows = toRows(series, "series");
  const horizon = options.horizon ?? 1;
  const target = options.target ?? 0;
  checkCount(options.window, "window", 1);
  checkCount(horizon, "horizon", 1);
  const features = rows[0]!.length;
  if (!Number.isInteger(target) || target < 0 || target >= features) {
    throw new TimeSeriesError("target", `feature index ${target} is outside 0..${features - 1}`);
  }
  const count = rows.length - options.window - horizon + 1;
  if (count < 1) {
    throw new TimeSeriesError(
      "window",
      `window ${options.window} + horizon ${horizon} needs at least ${options.window + horizon} steps, the series has ${rows.length}`,
    );
  }
  const inputs: number[][][] = [];
  const targets: number[][] = [];
  const targetStart: number[] = [];
  for (let i = 0; i < count; i++) {
    inputs.push(rows.slice(i, i + options.window));
    targets.push(rows.slice(i + options.window, i + options.window + horizon).map((row) => row[target]!));
    targetStart.push(i + options.window);
  }
  return { inputs, targets, targetStart, window: options.window, horizon, features, target };
}

/** Half-open range of time indices `[start, end)`. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** Fractions of the time axis; `test` defaults to what train and validation leave (0 for none). */
export interface SplitFractions {
  readonly train: number;
  readonly validation: number;
  readonly test?: number;
}

/** Consecutive time ranges, oldest first: train, then validation, then test when it has steps. */
export interface ChronologicalSplit {
  readonly train: TimeRange;
  readonly validation: TimeRange;
  readonly test?: TimeRange;
}

/**
 * Splits T time steps into consecutive train / validation (/ test) ranges by time, never by
 * shuffling (Seed 001 §3.1 step 4, §6.3): the model is validated on a future it has not seen.
 * Boundaries are `floor(T·train)` and `floor(T·(train + validation))`.
 */
export function chronologicalSplit(length: number, fractions: SplitFractions): ChronologicalSplit {
  checkCount(length, "length", 2);
  const test = fractions.test ?? Math.max(0, 1 - fractions.train - fractions.validation);
  for (const [name, value] of [
    ["train", fractions.train],
    ["validation", fractions.validation],
    ["test", test],
  ] as const) {
    if (!Number.isFinite(value) || value < 0 || value > 1)
      throw new TimeSeriesError(`fractions.${name}`, `must be in [0, 1], got ${value}`);
  }
  const total = fractions.train + fractions.validation + test;
  if (total > 1 + 1e-9) throw new TimeSeriesError("fractions", `train + validation + test = ${total}, more than 1`);
  const trainEnd = Math.floor(length * fractions.train);
  const validationEnd = Math.floor(length * (fractions.train + fractions.validation));
  const testEnd = Math.min(length, Math.floor(length * total + 1e-9));
  if (trainEnd < 1)
    throw new TimeSeriesError("fractions.train", `${fractions.train} of ${length} steps leaves no training step`);
  if (validationEnd <= trainEnd)
    throw new TimeSeriesError(
      "fractions.validation",
      `${fractions.validation} of ${length} steps leaves no validation step`,
    );
  const split = { train: { start: 0, end: trainEnd }, validation: { start: trainEnd, end: validationEnd } };
  return testEnd > validationEnd ? { ...split, test: { start: validationEnd, end: testEnd } } : split;
}

/**
 * The windows whose targets all lie in `range`: a window belongs to the split its
 * predicted steps fall in, so no training target comes from the validation time range; a window
 * whose H targets straddle a boundary is dropped. Inputs may reach back before `range` — the past
 * is known at forecast time.
 */
export function windowsIn(windows: Windows, range: TimeRange): Windows {
  const keep = windows.targetStart
    .map((start, i) => [start, i] as const)
    .filter(([start]) => start >= range.start && start + windows.horizon <= range.end);
  if (keep.length === 0)
    throw new TimeSeriesError(
      "range",
      `no window has all ${windows.horizon} target step(s) inside [${range.start}, ${range.end})`,
    );
  return {
    ...windows,
    inputs: keep.map(([, i]) => windows.inputs[i]!),
    targets: keep.map(([, i]) => windows.targets[i]!),
    targetStart: keep.map(([start]) => start),
  };
}

/**
 * Per-feature standardisation `(x − mean) / std` of a series, fitted on one time range only (the table-wide z-score is
 * src/data/cleaning's StandardScaler).
 */
export class SeriesScaler {
  private constructor(
    readonly mean: readonly number[],
    readonly std: readonly number[],
    /** The time range the statistics come from. */
    readonly fittedOn: TimeRange,
  ) {}

  /**
   * Mean and (population) standard deviation of each feature over `range` — the training range,
   * so that no validation or test value leaks into the scaling.
   */
  static fit(series: SeriesInput, range: TimeRange): SeriesScaler {
    const rows = toRows(series, "series");
    if (
      !Number.isInteger(range.start) ||
      !Number.isInteger(range.end) ||
      range.start < 0 ||
      range.end > rows.length ||
      range.end - range.start < 2
    ) {
      throw new TimeSeriesError(
        "range",
        `[${range.start}, ${range.end}) must hold at least 2 steps inside the series' ${rows.length}`,
      );
    }
    const fitted = rows.slice(range.start, range.end);
    const features = rows[0]!.length;
    const mean = Array.from(
      { length: features },
      (_, f) => fitted.reduce((sum, row) => sum + row[f]!, 0) / fitted.length,
    );
    const std = mean.map((m, f) => Math.sqrt(fitted.reduce((sum, row) => sum + (row[f]! - m) ** 2, 0) / fitted.length));
    std.forEach((s, f) => {
      if (!(s > 0))
        throw new TimeSeriesError(
          "series",
          `feature ${f} is constant over [${range.start}, ${range.end}): it cannot be standardised`,
        );
    });
    return new SeriesScaler(mean, std, { start: range.start, end: range.end });
  }

  /** The series standardised, as rows `[t][f]`. */
  transform(series: SeriesInput): number[][] {
    const rows = toRows(series, "series");
    if (rows[0]!.length !== this.mean.length)
      throw new TimeSeriesError(
        "series",
        `has ${rows[0]!.length} features, the scaler was fitted on ${this.mean.length}`,
      );
    return rows.map((row) => row.map((value, f) => (value - this.mean[f]!) / this.std[f]!));
  }

  /** Scaled values of feature `feature` back in the original units. */
  inverse(values: readonly number[], feature = 0): number[] {
    if (!Number.isInteger(feature) || feature < 0 || feature >= this.mean.length) {
      throw new TimeSeriesError("feature", `index ${feature} is outside 0..${this.mean.length - 1}`);
    }
    return values.map((value) => value * this.std[feature]! + this.mean[feature]!);
  }
}

/** Options of {@link prepareForecastData}. */
export interface ForecastDataOptions extends WindowOptions {
  readonly fractions: SplitFractions;
}

/** A series split by time, scaled with training statistics and windowed per split. */
export interface ForecastData {
  readonly split: ChronologicalSplit;
  readonly scaler: SeriesScaler;
  /** The whole series scaled with the training range's statistics, `[t][f]`. */
  readonly scaled: readonly (readonly number[])[];
  readonly train: Windows;
  readonly validation: Windows;
  readonly test?: Windows;
}

/**
 * Seed 001 §3.1 step 1 and §6.3 in the order that leaks nothing: split the time axis, fit the
 * scaler on the training range alone, scale the whole series with it, window it, and give each
 * window to the split its targets fall in.
 */
export function prepareForecastData(series: SeriesInput, options: ForecastDataOptions): ForecastData {
  const rows = toRows(series, "series");
  const split = chronologicalSplit(rows.length, options.fractions);
  const scaler = SeriesScaler.fit(rows, split.train);
  const scaled = scaler.transform(rows);
  const windows = slidingWindows(scaled, options);
  const data = {
    split,
    scaler,
    scaled,
    train: windowsIn(windows, split.train),
    validation: windowsIn(windows, split.validation),
  };
  return split.test === undefined ? data : { ...data, test: windowsIn(windows, split.test) };
}

/** Windows as tensors: x `[n, L, F]` (float32) and y `[n, H]`. The caller disposes them. */
export function windowTensors(windows: Windows): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const n = windows.inputs.length;
  const x = new Float32Array(n * windows.window * windows.features);
  windows.inputs.forEach((window, i) =>
    window.forEach((row, t) => x.set(row, (i * windows.window + t) * windows.features)),
  );
  const y = Float32Array.from(windows.targets.flat());
  return { x: tf.tensor3d(x, [n, windows.window, windows.features]), y: tf.tensor2d(y, [n, windows.horizon]) };
}

/** Naive forecast: every one of the H next values equals the target's last observed value in the window. */
export function naiveLastValue(windows: Windows): number[][] {
  return windows.inputs.map((input) =>
    new Array<number>(windows.horizon).fill(input[input.length - 1]![windows.target]!),
  );
}

/**
 * Seasonal-naive forecast with season m: the value one season before
 * each target step, `ŷ(t) = y(t − m·(⌊h/m⌋ + 1))` for the h-th (0-based) step of the horizon, so it
 * only uses steps before the window's first target. `series` holds the target in the windows' units.
 */
export function seasonalNaive(series: readonly number[], windows: Windows, season: number): number[][] {
  checkCount(season, "season", 1);
  return windows.targetStart.map((start) =>
    Array.from({ length: windows.horizon }, (_, h) => {
      const source = start + h - season * (Math.floor(h / season) + 1);
      if (source < 0)
        throw new TimeSeriesError(
          "season",
          `${season} reaches before the series for the window whose targets start at step ${start}`,
        );
      if (start + h >= series.length)
        throw new TimeSeriesError("series", `has ${series.length} steps, a window's target is step ${start + h}`);
      return series[source]!;
    }),
  );
}

function flatPairs(
  truth: readonly number[] | readonly (readonly number[])[],
  forecast: readonly number[] | readonly (readonly number[])[],
): [number[], number[]] {
  const a = (truth as readonly (number | readonly number[])[]).flat() as number[];
  const b = (forecast as readonly (number | readonly number[])[]).flat() as number[];
  if (a.length === 0) throw new TimeSeriesError("truth", "is empty");
  if (a.length !== b.length) throw new TimeSeriesError("forecast", `has ${b.length} values, truth has ${a.length}`);
  a.forEach((value, i) => {
    if (!Number.isFinite(value)) throw new TimeSeriesError("truth", `value ${i} is not finite (${value})`);
    if (!Number.isFinite(b[i]!)) throw new TimeSeriesError("forecast", `value ${i} is not finite (${b[i]})`);
  });
  return [a, b];
}

/** Mean absolute error `(1/n) Σ |y − ŷ|`, in float64, over all values (rows are flattened). */
export function meanAbsoluteError(
  truth: readonly number[] | readonly (readonly number[])[],
  forecast: readonly number[] | readonly (readonly number[])[],
): number {
  const [a, b] = flatPairs(truth, forecast);
  return a.reduce((sum, value, i) => sum + Math.abs(value - b[i]!), 0) / a.length;
}

/** Root mean squared error `√((1/n) Σ (y − ŷ)²)`, in float64, over all values. */
export function rootMeanSquaredError(
  truth: readonly number[] | readonly (readonly number[])[],
  forecast: readonly number[] | readonly (readonly number[])[],
): number {
  const [a, b] = flatPairs(truth, forecast);
  return Math.sqrt(a.reduce((sum, value, i) => sum + (value - b[i]!) ** 2, 0) / a.length);
}
