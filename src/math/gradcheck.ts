/**
 * The gradient checker (Seed 000 §3.2 step 2 and §4.2.1, the gradient that back-propagation must compute). For a scalar
 * function L(x) it compares three gradients and says in which precision each was taken:
 * - the analytic gradient, written out by hand, in float64 (float64.ts) and in float32 (TensorFlow.js ops);
 * - `tf.grad`, TensorFlow.js' automatic differentiation, in float32 (tfjs has no float64 dtype);
 * - central finite differences (L(x + h) − L(x − h)) / 2h, in float64 on the float64 formulas,
 *   and in float32 on the TensorFlow.js function, with h scaled to float32's precision.
 * The relative error of two gradients a, b is ‖a − b‖₂ / max(‖a‖₂, ‖b‖₂) (0 when both are 0).
 */
import * as tf from "@tensorflow/tfjs";
import { MathInputError } from "./errors";

/** A scalar function L(x) of one input, in float64 and in float32, with its analytic gradient in both. */
export interface GradientCase {
  /** What is differentiated, e.g. "sigmoid" or "mse". */
  readonly name: string;
  /** The document section the function comes from, e.g. "Seed 000 §4.3.1". */
  readonly section: string;
  /** The scalar L(x) whose gradient is checked, in words, e.g. "Σ v ⊙ σ(x)". */
  readonly objective: string;
  /** Shape of x. */
  readonly shape: readonly number[];
  /** The point at which the gradient is checked. */
  readonly x: Float64Array;
  /** L(x) in float64. */
  value64(x: Float64Array): number;
  /** ∂L/∂x in float64, analytic. */
  gradient64(x: Float64Array): Float64Array;
  /** L(x) as a TensorFlow.js scalar (float32): what `tf.grad` differentiates. */
  value32(x: tf.Tensor): tf.Scalar;
  /** ∂L/∂x as TensorFlow.js ops (float32), analytic. */
  gradient32(x: tf.Tensor): tf.Tensor;
  /**
   * The scale of a finite-difference step at xᵢ (default max(1, |xᵢ|)). Inputs that are
   * probabilities pass min(p, 1 − p): log p curves on the scale of p, so the step must shrink with it.
   */
  readonly stepScale?: (value: number) => number;
}

/** The default finite-difference step scale, max(1, |x|). (Seed 000 §4.2.1 gradient check) */
export function unitStepScale(value: number): number {
  return Math.max(1, Math.abs(value));
}

/** The finite-difference step scale for a probability p: its distance to the nearer end of (0, 1). */
export function probabilityStepScale(value: number): number {
  return Math.min(value, 1 - value);
}

/** Which two gradients a comparison holds side by side. */
export type ComparisonKind =
  | "analytic vs finite differences"
  | "analytic vs tf.grad"
  | "analytic (float64) vs tf.grad (float32)"
  | "finite differences (float32) vs analytic (float64)";

/** One comparison of two gradients of one function. */
export interface GradientComparison {
  readonly name: string;
  readonly section: string;
  readonly comparison: ComparisonKind;
  /** The precision of each side, e.g. "float64 (JS numbers) / float64 (JS numbers)". */
  readonly precision: string;
  readonly relativeError: number;
  readonly tolerance: number;
  readonly passed: boolean;
}

/** Tolerances of the four comparisons (relative errors). */
export interface GradientTolerances {
  /** Analytic vs central differences, both float64 (default 1e-7; worst seen over 1000 seeds: 9.2e-9, softmax). */
  readonly float64: number;
  /** Analytic vs tf.grad, both float32, and analytic float64 vs tf.grad float32 (default 1e-4). */
  readonly float32: number;
  /**
   * Central differences in float32 vs the float64 analytic gradient (default 5e-3: float32 differences keep about half
   * of float32's 7 digits; worst seen 5.8e-4).
   */
  readonly finiteDifferences32: number;
}

/** Tolerances used unless told otherwise. */
export const DEFAULT_TOLERANCES: GradientTolerances = { float64: 1e-7, float32: 1e-4, finiteDifferences32: 5e-3 };

const FLOAT64 = "float64 (JS numbers)";

/** Relative error ‖a − b‖₂ / max(‖a‖₂, ‖b‖₂) of two gradients (0 when both are zero). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new MathInputError(`relativeError(a, b): lengths differ (${a.length} vs ${b.length})`);
  let diff = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    normA += a[i]! ** 2;
    normB += b[i]! ** 2;
  }
  const scale = Math.sqrt(Math.max(normA, normB));
  if (scale === 0) return 0;
  return Math.sqrt(diff) / scale;
}

/** Central differences of f at x in float64: ∂f/∂xᵢ ≈ (f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / 2hᵢ, hᵢ = h · scale(xᵢ). */
export function centralDifferences64(
  f: (x: Float64Array) => number,
  x: Float64Array,
  scale: (value: number) => number = unitStepScale,
  h = 1e-6,
): Float64Array {
  const grad = new Float64Array(x.length);
  const probe = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const step = h * scale(x[i]!);
    probe[i] = x[i]! + step;
    const up = f(probe);
    probe[i] = x[i]! - step;
    const down = f(probe);
    probe[i] = x[i]!;
    grad[i] = (up - down) / (2 * step);
  }
  return grad;
}

/**
 * Central differences of a TensorFlow.js scalar function in float32. The step is scaled to float32
 * (h = ε₃₂^(1/3) · scale(xᵢ) ≈ 4.9e-3 · scale(xᵢ), balancing truncation against rounding) and
 * the division uses the float32 distance actually stepped, not the intended 2h.
 *
 */
export function centralDifferences32(
  f: (x: tf.Tensor) => tf.Scalar,
  x: Float64Array,
  shape: readonly number[],
  scale: (value: number) => number = unitStepScale,
  h = Math.cbrt(2 ** -23),
): Float64Array {
  const base = Float32Array.from(x);
  const grad = new Float64Array(x.length);
  const evaluate = (values: Float32Array): number =>
    tf.tidy(() => f(tf.tensor(values, [...shape], "float32")).dataSync()[0]!);
  for (let i = 0; i < x.length; i++) {
    const probe = Float32Array.from(base);
    const step = h * scale(base[i]!);
    probe[i] = base[i]! + step;
    const upAt = probe[i]!;
    const up = evaluate(probe);
    probe[i] = base[i]! - step;
    const downAt = probe[i]!;
    const down = evaluate(probe);
    grad[i] = (up - down) / (upAt - downAt);
  }
  return grad;
}

/** Checks one function's gradient four ways and reports each comparison's precision and relative error. */
export function checkGradient(
  gradientCase: GradientCase,
  tolerances: GradientTolerances = DEFAULT_TOLERANCES,
): GradientComparison[] {
  const { name, section, shape, x, stepScale = unitStepScale } = gradientCase;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== x.length)
    throw new MathInputError(
      `checkGradient(${name}): x has ${x.length} values, shape [${shape.join(", ")}] wants ${size}`,
    );
  const float32 = `float32 (tfjs ${tf.getBackend()})`;
  const analytic64 = gradientCase.gradient64(x);
  const differences64 = centralDifferences64((v) => gradientCase.value64(v), x, stepScale);
  const [analytic32, autodiff32] = tf.tidy(() => {
    const input = tf.tensor(Float32Array.from(x), [...shape], "float32");
    return [
      gradientCase.gradient32(input).dataSync(),
      tf
        .grad((t: tf.Tensor) => gradientCase.value32(t))(input)
        .dataSync(),
    ];
  });
  const differences32 = centralDifferences32((t) => gradientCase.value32(t), x, shape, stepScale);
  const row = (
    comparison: ComparisonKind,
    precision: string,
    a: ArrayLike<number>,
    b: ArrayLike<number>,
    tolerance: number,
  ): GradientComparison => {
    const error = relativeError(a, b);
    return { name, section, comparison, precision, relativeError: error, tolerance, passed: error <= tolerance };
  };
  return [
    row("analytic vs finite differences", `${FLOAT64} / ${FLOAT64}`, analytic64, differences64, tolerances.float64),
    row("analytic vs tf.grad", `${float32} / ${float32}`, analytic32!, autodiff32!, tolerances.float32),
    row(
      "analytic (float64) vs tf.grad (float32)",
      `${FLOAT64} / ${float32}`,
      analytic64,
      autodiff32!,
      tolerances.float32,
    ),
    row(
      "finite differences (float32) vs analytic (float64)",
      `${float32} / ${FLOAT64}`,
      differences32,
      analytic64,
      tolerances.finiteDifferences32,
    ),
  ];
}

/** The worst (largest) relative error of each comparison over many checks, with the function it came from. */
export function worstByComparison(rows: readonly GradientComparison[]): GradientComparison[] {
  const worst = new Map<ComparisonKind, GradientComparison>();
  for (const row of rows) {
    const current = worst.get(row.comparison);
    if (current === undefined || row.relativeError > current.relativeError) worst.set(row.comparison, row);
  }
  return [...worst.values()];
}

/**
 * The checks as a markdown table: one row per function, one column per
 * comparison headed by its precision; each cell is the relative error, ✓ within tolerance, ✗ not.
 */
export function gradientReportMarkdown(rows: readonly GradientComparison[]): string {
  const kinds = [...new Map(rows.map((r) => [r.comparison, r])).values()];
  const names = [...new Set(rows.map((r) => `${r.name}|${r.section}`))];
  const header = `| function | section | ${kinds.map((k) => `${k.comparison}<br>*${k.precision}*, tol ${k.tolerance.toExponential(0)}`).join(" | ")} |`;
  const lines = names.map((key) => {
    const [name, section] = key.split("|");
    const cells = kinds.map((kind) => {
      const row = rows.find((r) => r.name === name && r.section === section && r.comparison === kind.comparison);
      return row === undefined ? "" : `${row.relativeError.toExponential(2)} ${row.passed ? "✓" : "✗"}`;
    });
    return `| ${name} | ${section} | ${cells.join(" | ")} |`;
  });
  return [header, `|---|---|${kinds.map(() => "---:").join("|")}|`, ...lines].join("\n");
}
