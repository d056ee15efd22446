import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  descentStability,
  gradientDescent,
  lineStandardErrors,
  linearRegressionGradient,
  linspace,
  lossSurface,
  MathInputError,
  normalEquations,
  rSquared,
  standardizer,
  syntheticHousePrices,
} from "../../../src/math";
import { useCpuBackend } from "../backend-setup";

useCpuBackend();

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

describe("the house-price regression (Seed 000 §4.4) recovers a known line three ways", () => {
  const houses = syntheticHousePrices({ n: 300, seed: 11, truth: { w: 2.5, b: 30 }, noise: 15 });
  const scaler = standardizer(houses.area);
  const X = scaler.apply(houses.area);

  it("normal equations land within 4 standard errors of the truth", () => {
    const closed = normalEquations(houses.area, houses.price);
    const se = lineStandardErrors(houses.area, houses.price, closed);
    expect(Math.abs(closed.w - houses.truth.w)).toBeLessThan(4 * se.w);
    expect(Math.abs(closed.b - houses.truth.b)).toBeLessThan(4 * se.b);
  });

  it("analytic-gradient descent, autodiff descent and the closed form agree", () => {
    const before = tf.memory().numTensors;
    const closed = normalEquations(houses.area, houses.price);
    for (const gradient of ["analytic", "autodiff"] as const) {
      const fit = gradientDescent(X, houses.price, { lr: 0.1, numEpochs: 150, gradient });
      const line = scaler.toOriginal(fit);
      expect(fit.diverged).toBe(false);
      expect(fit.losses).toHaveLength(151);
      expect(fit.path).toHaveLength(151);
      expect(fit.losses.at(-1)!).toBeLessThan(fit.losses[0]!);
      expect(relative(line.w, closed.w), gradient).toBeLessThan(1e-4);
      expect(relative(line.b, closed.b), gradient).toBeLessThan(1e-4);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the loss surface is lowest at the closed-form line", () => {
    const closed = normalEquations(X, houses.price);
    const ws = linspace(closed.w - 50, closed.w + 50, 21);
    const bs = linspace(closed.b - 50, closed.b + 50, 21);
    const z = lossSurface(X, houses.price, ws, bs);
    let best = { i: -1, j: -1, loss: Infinity };
    z.forEach((row, i) => row.forEach((loss, j) => (loss < best.loss ? (best = { i, j, loss }) : undefined)));
    expect(best).toMatchObject({ i: 10, j: 10 });
  });
});

describe("Seed 000 §4.2.1 / §4.4.2 without the 1/n: the step grows with n", () => {
  it("the document's gradient is n times the gradient of MSE", () => {
    const { area, price } = syntheticHousePrices({ n: 50, seed: 3 });
    const mean = linearRegressionGradient(area, price, 1, 2, "mean");
    const doc = linearRegressionGradient(area, price, 1, 2, "document");
    expect(doc.dw / mean.dw).toBeCloseTo(50, 9);
    expect(doc.db / mean.db).toBeCloseTo(50, 9);
  });

  it("a learning rate that converges for 100 points diverges for 10,000", () => {
    const run = (n: number) => {
      const houses = syntheticHousePrices({ n, seed: 5 });
      const X = standardizer(houses.area).apply(houses.area);
      return {
        fit: gradientDescent(X, houses.price, { lr: 0.004, numEpochs: 60, gradient: "document" }),
        limit: descentStability(X, "document").maxStableLr,
      };
    };
    const small = run(100);
    const large = run(10_000);
    expect(small.limit).toBeCloseTo(1 / 100, 9);
    expect(large.limit).toBeCloseTo(1 / 10_000, 9);
    expect(small.fit.diverged).toBe(false);
    expect(small.fit.losses.at(-1)!).toBeLessThan(small.fit.losses[0]! / 100);
    expect(large.fit.diverged).toBe(true);
    expect(large.fit.epochsRun).toBeLessThan(60);
  });

  it("with the 1/n, lr < 2/λ_max = 1 converges on standardised x and lr above it diverges", () => {
    const houses = syntheticHousePrices({ n: 200, seed: 8 });
    const X = standardizer(houses.area).apply(houses.area);
    expect(descentStability(X, "mean").maxStableLr).toBeCloseTo(1, 9);
    const ok = gradientDescent(X, houses.price, { lr: 0.9, numEpochs: 200, gradient: "analytic" });
    const bad = gradientDescent(X, houses.price, { lr: 1.5, numEpochs: 200, gradient: "analytic" });
    expect(ok.diverged).toBe(false);
    expect(bad.diverged).toBe(true);
  });
});

describe("bad input is named", () => {
  it("throws MathInputError with the function and the values", () => {
    expect(() => normalEquations([2, 2, 2], [1, 2, 3])).toThrow(/normalEquations\(x, y\): all 3 x values equal 2/);
    expect(() => gradientDescent([1, 2], [1], { lr: 0.1, numEpochs: 1, gradient: "analytic" })).toThrow(MathInputError);
    expect(() => gradientDescent([1, 2], [1, 2], { lr: -1, numEpochs: 1, gradient: "analytic" })).toThrow(
      /lr must be > 0/,
    );
    expect(() => standardizer([4, 4])).toThrow(/all 2 values equal 4/);
    expect(() => syntheticHousePrices({ n: 0, seed: 1 })).toThrow(/n must be a positive integer/);
  });
});

describe("rSquared", () => {
  it("is 1 on an exact line and 0 for the mean line", () => {
    expect(rSquared([1, 2, 3], [3, 5, 7], { w: 2, b: 1 })).toBeCloseTo(1, 12);
    expect(rSquared([1, 2, 3], [3, 5, 7], { w: 0, b: 5 })).toBeCloseTo(0, 12);
  });
});
