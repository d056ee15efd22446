import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  chronologicalSplit,
  meanAbsoluteError,
  naiveLastValue,
  prepareForecastData,
  rootMeanSquaredError,
  seasonalNaive,
  seattleDailySeries,
  SeriesScaler,
  slidingWindows,
  TimeSeriesError,
  windowsIn,
  windowTensors,
} from "../../../src/data/time-series";
import { useChosenBackend } from "../backend-setup";

useChosenBackend();

/** Five steps of two features: step t is [t, 10·t]. */
const FIVE_STEPS = [
  [1, 10],
  [2, 20],
  [3, 30],
  [4, 40],
  [5, 50],
];

function errorOf(run: () => unknown): TimeSeriesError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TimeSeriesError);
    return error as TimeSeriesError;
  }
  throw new Error("expected a TimeSeriesError");
}

describe("slidingWindows (Seed 001 §6.3)", () => {
  it("cuts T − L − H + 1 windows of L steps followed by H targets", () => {
    const next = slidingWindows([1, 2, 3, 4, 5, 6], { window: 3 });
    expect(next.inputs).toEqual([
      [[1], [2], [3]],
      [[2], [3], [4]],
      [[3], [4], [5]],
    ]);
    expect(next.targets).toEqual([[4], [5], [6]]);
    expect(next.targetStart).toEqual([3, 4, 5]);
    const two = slidingWindows([1, 2, 3, 4, 5, 6], { window: 3, horizon: 2 });
    expect(two.targets).toEqual([
      [4, 5],
      [5, 6],
    ]);
    expect(two.targetStart).toEqual([3, 4]);
  });

  it("keeps every feature in the inputs and takes the target feature's values", () => {
    const rows = [
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ];
    const windows = slidingWindows(rows, { window: 2, target: 1 });
    expect(windows.features).toBe(2);
    expect(windows.inputs[0]).toEqual([
      [1, 10],
      [2, 20],
    ]);
    expect(windows.targets).toEqual([[30], [40]]);
  });

  it("names the bad argument: a window longer than the series, a target outside the features, a ragged or non-finite series", () => {
    const long = errorOf(() => slidingWindows([1, 2, 3], { window: 3 }));
    expect(long.subject).toBe("window");
    expect(long.message).toMatch(/window 3 \+ horizon 1 needs at least 4 steps, the series has 3/);
    expect(
      errorOf(() =>
        slidingWindows(
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          { window: 1, target: 2 },
        ),
      ).subject,
    ).toBe("target");
    expect(errorOf(() => slidingWindows([[1, 2], [3]], { window: 1 })).message).toMatch(/step 1 has 1 features/);
    expect(errorOf(() => slidingWindows([1, Number.NaN, 3], { window: 1 })).message).toMatch(/step 1, feature 0/);
    expect(errorOf(() => slidingWindows([1, 2, 3], { window: 0 })).subject).toBe("window");
    expect(errorOf(() => slidingWindows([1, 2, 3], { window: 1, horizon: 1.5 })).subject).toBe("horizon");
  });
});

describe("chronological split and windows by target time (Seed 001 §6.3)", () => {
  it("splits by time into consecutive ranges, test taking the rest", () => {
    expect(chronologicalSplit(10, { train: 0.6, validation: 0.2 })).toEqual({
      train: { start: 0, end: 6 },
      validation: { start: 6, end: 8 },
      test: { start: 8, end: 10 },
    });
    expect(chronologicalSplit(10, { train: 0.8, validation: 0.2 })).toEqual({
      train: { start: 0, end: 8 },
      validation: { start: 8, end: 10 },
    });
    expect(chronologicalSplit(1461, { train: 0.75, validation: 0.125 }).test).toEqual({ start: 1278, end: 1461 });
  });

  it("refuses fractions that overflow or leave a part empty", () => {
    expect(errorOf(() => chronologicalSplit(10, { train: 0.8, validation: 0.3 })).subject).toBe("fractions");
    expect(errorOf(() => chronologicalSplit(10, { train: 0.05, validation: 0.5 })).subject).toBe("fractions.train");
    expect(errorOf(() => chronologicalSplit(10, { train: 0.6, validation: 0.05 })).subject).toBe(
      "fractions.validation",
    );
    expect(errorOf(() => chronologicalSplit(10, { train: -0.1, validation: 0.5 })).subject).toBe("fractions.train");
  });

  it("gives each window to the range its targets fall in and drops windows straddling a boundary", () => {
    const windows = slidingWindows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { window: 3, horizon: 2 });
    const split = chronologicalSplit(10, { train: 0.6, validation: 0.2 });
    // Targets (t, t+1) for t = 3..8; train ends at 6, validation at 8.
    expect(windowsIn(windows, split.train).targetStart).toEqual([3, 4]);
    expect(windowsIn(windows, split.validation).targets).toEqual([[6, 7]]);
    expect(windowsIn(windows, split.validation).inputs).toEqual([[[3], [4], [5]]]);
    expect(windowsIn(windows, split.test!).targetStart).toEqual([8]);
    expect(errorOf(() => windowsIn(windows, { start: 0, end: 3 })).subject).toBe("range");
  });
});

describe("SeriesScaler and prepareForecastData: scaling fitted on the training range only", () => {
  it("standardises with the fitted range's mean and population std, and inverts", () => {
    const scaler = SeriesScaler.fit([1, 2, 3, 4, 100, 200], { start: 0, end: 4 });
    expect(scaler.mean[0]).toBeCloseTo(2.5, 12);
    expect(scaler.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    const scaled = scaler.transform([1, 4, 100]).map((row) => row[0]!);
    expect(scaled[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 12);
    expect(scaled[2]).toBeCloseTo(97.5 / Math.sqrt(1.25), 12);
    const back = scaler.inverse(scaled);
    [1, 4, 100].forEach((value, i) => expect(back[i]).toBeCloseTo(value, 10));
    expect(() => SeriesScaler.fit([5, 5, 5, 1], { start: 0, end: 3 })).toThrow(/feature 0 is constant/);
    expect(errorOf(() => SeriesScaler.fit([1, 2, 3], { start: 0, end: 5 })).subject).toBe("range");
  });

  it("does not let validation or test values change the scaler or the training windows", () => {
    const base = Array.from({ length: 40 }, (_, t) => Math.sin(t / 3) * 5 + t / 10);
    const changedFuture = base.map((value, t) => (t >= 28 ? value * 10 + 100 : value));
    const options = { window: 4, fractions: { train: 0.7, validation: 0.15 } };
    const a = prepareForecastData(base, options);
    const b = prepareForecastData(changedFuture, options);
    expect(a.split.train).toEqual({ start: 0, end: 28 });
    expect(a.scaler.fittedOn).toEqual(a.split.train);
    expect(b.scaler.mean).toEqual(a.scaler.mean);
    expect(b.scaler.std).toEqual(a.scaler.std);
    expect(b.train).toEqual(a.train);
    expect(Math.max(...a.train.targetStart)).toBe(27);
    expect(Math.min(...a.validation.targetStart)).toBe(28);
    const trainMean = base.slice(0, 28).reduce((s, v) => s + v, 0) / 28;
    expect(a.scaler.mean[0]).toBeCloseTo(trainMean, 12);
    expect(a.test).toBeDefined();
  });

  it("turns windows into [n, L, F] and [n, H] tensors", () => {
    const windows = slidingWindows(FIVE_STEPS, { window: 2, horizon: 2 });
    const before = tf.memory().numTensors;
    const { x, y } = windowTensors(windows);
    expect(x.shape).toEqual([2, 2, 2]);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(x.dataSync())).toEqual([1, 10, 2, 20, 2, 20, 3, 30]);
    expect(Array.from(y.dataSync())).toEqual([3, 4, 4, 5]);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("baselines and error metrics (Seed 001 §6.3)", () => {
  it("naive last value repeats the target's last observed value over the horizon", () => {
    const windows = slidingWindows(FIVE_STEPS, { window: 2, horizon: 2, target: 1 });
    expect(naiveLastValue(windows)).toEqual([
      [20, 20],
      [30, 30],
    ]);
  });

  it("seasonal naive takes the value one season before each target step, never a future one", () => {
    const series = [1, 2, 3, 4, 5, 6, 7, 8];
    const windows = slidingWindows(series, { window: 3, horizon: 3 });
    // Window 0 predicts steps 3, 4, 5 from steps ≤ 2. Season 2: step 3 ← step 1 (value 2), step 4 ← step 2 (3), step 5
    // ← step 1 (5 − 2·2, value 2).
    expect(seasonalNaive(series, windows, 2)[0]).toEqual([2, 3, 2]);
    expect(seasonalNaive(series, windows, 3)[0]).toEqual([1, 2, 3]);
    expect(errorOf(() => seasonalNaive(series, windows, 4)).subject).toBe("season");
  });

  it("MAE and RMSE match hand-computed values and name mismatched arguments", () => {
    // Errors 1, 0, 2, 0: MAE 3/4, RMSE √(5/4).
    expect(meanAbsoluteError([1, 2, 3, 4], [2, 2, 1, 4])).toBeCloseTo(0.75, 12);
    expect(rootMeanSquaredError([1, 2, 3, 4], [2, 2, 1, 4])).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(
      rootMeanSquaredError(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [2, 2],
          [1, 4],
        ],
      ),
    ).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(errorOf(() => meanAbsoluteError([1, 2], [1])).subject).toBe("forecast");
    expect(errorOf(() => rootMeanSquaredError([], [])).subject).toBe("truth");
    expect(errorOf(() => meanAbsoluteError([1, 2], [1, Number.POSITIVE_INFINITY])).message).toMatch(
      /value 1 is not finite/,
    );
  });
});

describe("seattleDailySeries (vega-datasets seattle-weather.csv)", () => {
  it("gives 1461 consecutive days 2012-01-01 … 2015-12-31 per column", () => {
    const [maxima, minima] = seattleDailySeries(["temp_max", "temp_min"]);
    expect(maxima!.values).toHaveLength(1461);
    expect(maxima!.dates[0]).toBe("2012-01-01");
    expect(maxima!.dates.at(-1)).toBe("2015-12-31");
    expect(maxima!.values[0]).toBeCloseTo(12.8, 6);
    expect(minima!.values[0]).toBeCloseTo(5.0, 6);
    expect(errorOf(() => seattleDailySeries([])).subject).toBe("columns");
  });
});
