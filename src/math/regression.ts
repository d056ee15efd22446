/**
 * Seed 000 §4.4's house-price example: the linear model ŷ = w x + b fitted to MSE three ways —
 * gradient descent with the analytic gradient (§4.4.2, with the 1/n of §4.4.1's MSE, or as the
 * document writes it, without), the same descent with TensorFlow.js autodiff, and the closed form
 * (normal equations) — plus the loss surface over (w, b) and the step size beyond which descent diverges.
 */
import * as tf from "@tensorflow/tfjs";
import { assertSameLength, MathInputError } from "./errors";
import * as f64 from "./float64";

/** A fitted line ŷ = w x + b. */
export interface Line {
  readonly w: number;
  readonly b: number;
}

/**
 * How ∂MSE/∂(w, b) is scaled: "mean" is the true gradient of §4.4.1's MSE, −(2/n) Σ (yᵢ − ŷᵢ)(xᵢ, 1);
 * "document" is Seed 000 §4.2.1/§4.4.2 as written, −2 Σ (yᵢ − ŷᵢ)(xᵢ, 1): n times larger.
 */
export type GradientConvention = "mean" | "document";

/** Seed 000 §4.4.2 ∂MSE/∂w and ∂MSE/∂b at (w, b), in float64, under either convention. */
export function linearRegressionGradient(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: number,
  b: number,
  convention: GradientConvention,
): { dw: number; db: number } {
  assertSameLength("linearRegressionGradient(x, y)", x, y);
  let dw = 0;
  let db = 0;
  for (let i = 0; i < x.length; i++) {
    const residual = y[i]! - (w * x[i]! + b);
    dw += residual * x[i]!;
    db += residual;
  }
  const scale = convention === "mean" ? -2 / x.length : -2;
  return { dw: scale * dw, db: scale * db };
}

/** Seed 000 §4.4.1 MSE of the line (w, b) on (x, y), in float64. */
export function lineMse(x: ArrayLike<number>, y: ArrayLike<number>, line: Line): number {
  assertSameLength("lineMse(x, y)", x, y);
  return f64.mse(
    y,
    Float64Array.from(x, (v) => line.w * v + line.b),
  );
}

/**
 * The closed form of Seed 000 §4.4 (normal equations XᵀX θ = Xᵀy with X = [x, 1]), in float64:
 * [Σx² Σx; Σx n] [w; b] = [Σxy; Σy]. Throws MathInputError when all x are equal (no unique line).
 */
export function normalEquations(x: ArrayLike<number>, y: ArrayLike<number>): Line {
  assertSameLength("normalEquations(x, y)", x, y);
  const n = x.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  // Centred sums: the same solution as Cramer's rule on the raw sums, without its cancellation.
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  if (sxx === 0) throw new MathInputError(`normalEquations(x, y): all ${n} x values equal ${mx}, so XᵀX is singular`);
  const w = sxy / sxx;
  return { w, b: my - w * mx };
}

/**
 * R² = 1 − MSE / Var(y): the share of y's variance the line explains (Seed 000 §5.2.3 evaluation, for a regression).
 */
export function rSquared(x: ArrayLike<number>, y: ArrayLike<number>, line: Line): number {
  assertSameLength("rSquared(x, y)", x, y);
  const my = Array.from(y).reduce((a, v) => a + v, 0) / y.length;
  const variance = Array.from(y).reduce((a, v) => a + (v - my) ** 2, 0) / y.length;
  if (variance === 0) throw new MathInputError(`rSquared(x, y): all ${y.length} y values equal ${my}`);
  return 1 - lineMse(x, y, line) / variance;
}

/** Standard errors of the least-squares w and b (σ̂² = RSS / (n − 2)), the tolerance for "recovers the known line". */
export function lineStandardErrors(x: ArrayLike<number>, y: ArrayLike<number>, line: Line): { w: number; b: number } {
  assertSameLength("lineStandardErrors(x, y)", x, y);
  const n = x.length;
  if (n < 3) throw new MathInputError(`lineStandardErrors(x, y): need at least 3 points, got ${n}`);
  const mx = Array.from(x).reduce((a, v) => a + v, 0) / n;
  let sxx = 0;
  for (let i = 0; i < n; i++) sxx += (x[i]! - mx) ** 2;
  const sigma2 = (lineMse(x, y, line) * n) / (n - 2);
  return { w: Math.sqrt(sigma2 / sxx), b: Math.sqrt(sigma2 * (1 / n + (mx * mx) / sxx)) };
}

/**
 * The eigenvalues of the Hessian of the loss in (w, b) — 2/n [Σx² Σx; Σx n] for "mean", n times
 * that for "document" — and the largest step that still converges, lr < 2 / λ_max (Seed 000 §4.2.2).
 */
export function descentStability(
  x: ArrayLike<number>,
  convention: GradientConvention,
): { eigenvalues: [number, number]; maxStableLr: number } {
  const n = x.length;
  if (n === 0) throw new MathInputError("descentStability(x): no values");
  let sx = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sxx += x[i]! ** 2;
  }
  const scale = convention === "mean" ? 2 / n : 2;
  const [a, c, d] = [scale * sxx, scale * sx, scale * n];
  const half = (a + d) / 2;
  const root = Math.sqrt(((a - d) / 2) ** 2 + c * c);
  return { eigenvalues: [half + root, half - root], maxStableLr: 2 / (half + root) };
}

/** x standardised to mean 0 and standard deviation 1 (Seed 000 §3.1 normalisation), and the way back to x's units. */
export interface Standardizer {
  readonly mean: number;
  readonly std: number;
  /** (x − mean) / std. */
  apply(x: ArrayLike<number>): Float64Array;
  /** A line fitted on standardised x, in the units of the original x. */
  toOriginal(line: Line): Line;
}

/** Learns the mean and (population) standard deviation of x. */
export function standardizer(x: ArrayLike<number>): Standardizer {
  const n = x.length;
  if (n === 0) throw new MathInputError("standardizer(x): no values");
  const mean = Array.from(x).reduce((a, v) => a + v, 0) / n;
  const std = Math.sqrt(Array.from(x).reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  if (std === 0) throw new MathInputError(`standardizer(x): all ${n} values equal ${mean}`);
  return {
    mean,
    std,
    apply: (values) => Float64Array.from(values, (v) => (v - mean) / std),
    toOriginal: ({ w, b }) => ({ w: w / std, b: b - (w * mean) / std }),
  };
}

/** How gradient descent gets its gradient: the hand-written formula (either convention) or `tf.grads`. */
export type GradientSource = "analytic" | "document" | "autodiff";

/** Options of {@link gradientDescent}. */
export interface DescentOptions {
  /** Learning rate α. */
  readonly lr: number;
  readonly numEpochs: number;
  readonly gradient: GradientSource;
  /** Starting point (default w = 0, b = 0). */
  readonly start?: Line;
}

/** The outcome of {@link gradientDescent}: the last line, the loss and (w, b) before each step and after the last. */
export interface DescentResult extends Line {
  readonly losses: number[];
  readonly path: Line[];
  /** True when the loss stopped being finite (descent stops there). */
  readonly diverged: boolean;
  readonly epochsRun: number;
}

/**
 * Seed 000 §4.4.3: w ← w − α ∂MSE/∂w, b ← b − α ∂MSE/∂b, on TensorFlow.js (float32). The gradient is
 * the analytic one (with 1/n), the document's (without it), or TensorFlow.js autodiff of the MSE.
 * Every epoch reads the loss back for the loss curve; descent stops early once the loss is not finite.
 */
export function gradientDescent(x: ArrayLike<number>, y: ArrayLike<number>, options: DescentOptions): DescentResult {
  assertSameLength("gradientDescent(x, y)", x, y);
  const { lr, numEpochs, gradient } = options;
  if (!(lr > 0) || !Number.isInteger(numEpochs) || numEpochs < 0) {
    throw new MathInputError(
      `gradientDescent: lr must be > 0 and numEpochs a non-negative integer, got lr=${lr}, numEpochs=${numEpochs}`,
    );
  }
  const xs = tf.tensor1d(Float32Array.from(x));
  const ys = tf.tensor1d(Float32Array.from(y));
  const n = x.length;
  const lossOf = (w: tf.Scalar, b: tf.Scalar): tf.Scalar => tf.mean(tf.square(ys.sub(xs.mul(w).add(b)))) as tf.Scalar;
  const autodiff = tf.grads((w: tf.Tensor, b: tf.Tensor) => lossOf(w as tf.Scalar, b as tf.Scalar));
  const step = (line: Line): { loss: number; dw: number; db: number } => {
    const stacked = tf.tidy(() => {
      const w = tf.scalar(line.w);
      const b = tf.scalar(line.b);
      if (gradient === "autodiff") {
        const [dw, db] = autodiff([w, b]);
        return tf.stack([lossOf(w, b), dw!, db!]);
      }
      const residual = ys.sub(xs.mul(w).add(b));
      const scale = gradient === "analytic" ? -2 / n : -2;
      return tf.stack([tf.mean(tf.square(residual)), residual.mul(xs).sum().mul(scale), residual.sum().mul(scale)]);
    });
    const values = stacked.dataSync();
    stacked.dispose();
    return { loss: values[0]!, dw: values[1]!, db: values[2]! };
  };
  try {
    let line: Line = options.start ?? { w: 0, b: 0 };
    const losses: number[] = [];
    const path: Line[] = [];
    for (let epoch = 0; epoch <= numEpochs; epoch++) {
      const { loss, dw, db } = step(line);
      losses.push(loss);
      path.push(line);
      if (!Number.isFinite(loss)) return { ...line, losses, path, diverged: true, epochsRun: epoch };
      if (epoch === numEpochs) break;
      line = { w: line.w - lr * dw, b: line.b - lr * db };
    }
    return { ...line, losses, path, diverged: false, epochsRun: numEpochs };
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

/** The MSE over a grid: z[i][j] = MSE at (w = wValues[j], b = bValues[i]) — plotly's surface layout (Seed 000 §4.2). */
export function lossSurface(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  wValues: ArrayLike<number>,
  bValues: ArrayLike<number>,
): Float64Array[] {
  return Array.from(bValues, (b) => Float64Array.from(wValues, (w) => lineMse(x, y, { w, b })));
}

/** `count` evenly spaced values from `start` to `stop` inclusive (the axes of a loss surface). */
export function linspace(start: number, stop: number, count: number): Float64Array {
  if (!Number.isInteger(count) || count < 2)
    throw new MathInputError(`linspace: count must be an integer ≥ 2, got ${count}`);
  return Float64Array.from({ length: count }, (_, i) => start + ((stop - start) * i) / (count - 1));
}
