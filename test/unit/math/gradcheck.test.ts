import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config";
import {
  checkGradient,
  f64,
  gradientCases,
  gradientReportMarkdown,
  relativeError,
  sigmoid,
  worstByComparison,
  type GradientCase,
} from "../../../src/math";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const SEEDS = [...new Set([loadConfig().seed, 1, 2, 3])];

describe("gradient checks on random inputs", () => {
  for (const seed of SEEDS) {
    it(`every function passes all four comparisons (seed ${seed})`, () => {
      const before = tf.memory().numTensors;
      const cases = gradientCases(seed);
      expect(cases.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          "mse",
          "sigmoid",
          "relu",
          "tanh",
          "softmax",
          "binary cross-entropy (logits)",
          "sparse categorical cross-entropy (probabilities)",
        ]),
      );
      for (const gradientCase of cases) {
        for (const row of checkGradient(gradientCase)) {
          expect(row.relativeError, `${row.name}: ${row.comparison} (${row.precision})`).toBeLessThanOrEqual(
            row.tolerance,
          );
          expect(row.passed).toBe(true);
        }
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("states each comparison's precision and holds float64 tighter than float32", () => {
    const rows = checkGradient(gradientCases(5)[0]!);
    const byKind = Object.fromEntries(rows.map((r) => [r.comparison, r]));
    expect(byKind["analytic vs finite differences"]!.precision).toBe("float64 (JS numbers) / float64 (JS numbers)");
    expect(byKind["analytic vs tf.grad"]!.precision).toBe("float32 (tfjs cpu) / float32 (tfjs cpu)");
    expect(byKind["analytic vs finite differences"]!.tolerance).toBeLessThanOrEqual(1e-7);
    expect(byKind["analytic vs tf.grad"]!.tolerance).toBe(1e-4);
  });

  it("fails a wrong analytic gradient (σ′ written as σ)", () => {
    const x = Float64Array.of(-1.5, -0.2, 0.3, 2);
    const wrong: GradientCase = {
      name: "sigmoid with a wrong derivative",
      section: "Seed 000 §4.3.1",
      objective: "Σ σ(x)",
      shape: [4],
      x,
      value64: (v) => f64.sigmoid(v).reduce((a, b) => a + b, 0),
      gradient64: (v) => f64.sigmoid(v),
      value32: (t) => tf.tidy(() => tf.sum(sigmoid(t)) as tf.Scalar),
      gradient32: (t) => sigmoid(t),
    };
    const rows = checkGradient(wrong);
    expect(rows.every((r) => !r.passed)).toBe(true);
    expect(rows[0]!.relativeError).toBeGreaterThan(0.5);
  });
});

describe("relativeError", () => {
  it("is ‖a − b‖ / max(‖a‖, ‖b‖), 0 for two zero vectors", () => {
    expect(relativeError([3, 4], [3, 4])).toBe(0);
    expect(relativeError([0, 0], [0, 0])).toBe(0);
    expect(relativeError([3, 4], [0, 0])).toBeCloseTo(1, 12);
    expect(relativeError([1, 0], [1.001, 0])).toBeCloseTo(0.001 / 1.001, 12);
  });

  it("names mismatched lengths", () => {
    expect(() => relativeError([1], [1, 2])).toThrow(/relativeError\(a, b\): lengths differ \(1 vs 2\)/);
  });
});

describe("reporting", () => {
  it("keeps the worst error per comparison and renders every function in one markdown table", () => {
    const rows = [1, 2].flatMap((seed) => gradientCases(seed).flatMap((c) => checkGradient(c)));
    const worst = worstByComparison(rows);
    expect(worst).toHaveLength(4);
    for (const w of worst) {
      expect(rows.filter((r) => r.comparison === w.comparison).every((r) => r.relativeError <= w.relativeError)).toBe(
        true,
      );
    }
    const markdownTable = gradientReportMarkdown(
      checkGradient(gradientCases(1)[8]!).concat(checkGradient(gradientCases(1)[0]!)),
    );
    const lines = markdownTable.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain("*float64 (JS numbers) / float64 (JS numbers)*");
    expect(lines[2]).toMatch(/^\| relu \| Seed 000 §4\.3\.2 \| \d\.\d\de-\d+ ✓ \|/);
    expect(lines[3]).toMatch(/^\| mse \|/);
  });
});
