/**
 * The losses and activations of Seed 000 §4.1 and §4.3 (and Seed 001 §4.1's dense ReLU layer) in
 * plain float64 JavaScript numbers, each next to its analytic gradient written out by hand. These
 * are the reference the gradient checker (gradcheck.ts) differentiates numerically in float64,
 * which TensorFlow.js (float32 only) cannot do. Matrices are row-major Float64Arrays with an
 * explicit number of columns; every loss is averaged over the rows (samples).
 */
import { assertSameLength, MathInputError } from "./errors";

type Values = ArrayLike<number>;

/** Clip bound of the probability forms (Keras' epsilon): log(p) is taken of p clipped to [ε, 1 − ε]. */
export const PROBABILITY_EPSILON = 1e-7;

function rowsOf(where: string, size: number, columns: number): number {
  if (!Number.isInteger(columns) || columns < 1 || size % columns !== 0) {
    throw new MathInputError(`${where}: ${size} values do not form rows of ${columns} columns`);
  }
  return size / columns;
}

function clipProbability(p: number): number {
  return Math.min(Math.max(p, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON);
}

/** Seed 000 §4.1.1 MSE = (1/n) Σ (yᵢ − ŷᵢ)². */
export function mse(y: Values, yHat: Values): number {
  assertSameLength("mse(y, yHat)", y, yHat);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (y[i] - yHat[i]) ** 2;
  return sum / y.length;
}

/** Seed 000 §4.1.1: ∂MSE/∂ŷᵢ = 2 (ŷᵢ − yᵢ) / n. */
export function mseGrad(y: Values, yHat: Values): Float64Array {
  assertSameLength("mseGrad(y, yHat)", y, yHat);
  return Float64Array.from(yHat, (p, i) => (2 * (p - y[i])) / y.length);
}

/** Seed 000 §4.3.1 σ(x) = 1 / (1 + e^(−x)), evaluated without overflow for large |x|. */
export function sigmoid(x: Values): Float64Array {
  return Float64Array.from(x, sigmoidScalar);
}

function sigmoidScalar(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** Seed 000 §4.3.1: σ′(x) = σ(x) (1 − σ(x)). */
export function sigmoidGrad(x: Values): Float64Array {
  return Float64Array.from(x, (v) => {
    const s = sigmoidScalar(v);
    return s * (1 - s);
  });
}

/** Seed 000 §4.3.2 ReLU(x) = max(0, x). */
export function relu(x: Values): Float64Array {
  return Float64Array.from(x, (v) => Math.max(0, v));
}

/** Seed 000 §4.3.2: ReLU′(x) = 1 for x > 0, else 0 (the subgradient 0 at x = 0, as TensorFlow takes it). */
export function reluGrad(x: Values): Float64Array {
  return Float64Array.from(x, (v) => (v > 0 ? 1 : 0));
}

/** tanh(x), the activation of Seed 001 §4.2's RNN cells in practice. */
export function tanh(x: Values): Float64Array {
  return Float64Array.from(x, Math.tanh);
}

/** tanh′(x) = 1 − tanh²(x). */
export function tanhGrad(x: Values): Float64Array {
  return Float64Array.from(x, (v) => 1 - Math.tanh(v) ** 2);
}

/** softmax of each row: e^(zⱼ − max z) / Σₖ e^(zₖ − max z) (Seed 000 §4.1.2's predicted distribution). */
export function softmax(z: Values, columns: number): Float64Array {
  const rows = rowsOf("softmax(z, columns)", z.length, columns);
  const out = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    const start = r * columns;
    let max = -Infinity;
    for (let j = 0; j < columns; j++) max = Math.max(max, z[start + j]);
    let sum = 0;
    for (let j = 0; j < columns; j++) sum += out[start + j] = Math.exp(z[start + j] - max);
    for (let j = 0; j < columns; j++) out[start + j] /= sum;
  }
  return out;
}

/**
 * The softmax Jacobian applied to an upstream gradient v, row by row: (diag(s) − s sᵀ) v = s ⊙ (v − ⟨s, v⟩).
 * That is ∂/∂z of Σ v ⊙ softmax(z).
 *
 */
export function softmaxVjp(z: Values, v: Values, columns: number): Float64Array {
  assertSameLength("softmaxVjp(z, v)", z, v);
  const s = softmax(z, columns);
  const out = new Float64Array(z.length);
  for (let r = 0; r < z.length / columns; r++) {
    const start = r * columns;
    let dot = 0;
    for (let j = 0; j < columns; j++) dot += s[start + j] * v[start + j];
    for (let j = 0; j < columns; j++) out[start + j] = s[start + j] * (v[start + j] - dot);
  }
  return out;
}

function logSumExp(z: Values, start: number, columns: number): number {
  let max = -Infinity;
  for (let j = 0; j < columns; j++) max = Math.max(max, z[start + j]);
  let sum = 0;
  for (let j = 0; j < columns; j++) sum += Math.exp(z[start + j] - max);
  return max + Math.log(sum);
}

/** Binary cross-entropy from logits z, stable: mean of max(z, 0) − z y + log(1 + e^(−|z|)). */
export function binaryCrossEntropyFromLogits(y: Values, z: Values): number {
  assertSameLength("binaryCrossEntropyFromLogits(y, z)", y, z);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += Math.max(z[i], 0) - z[i] * y[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
  return sum / y.length;
}

/** ∂/∂zᵢ of binary cross-entropy from logits: (σ(zᵢ) − yᵢ) / n. */
export function binaryCrossEntropyFromLogitsGrad(y: Values, z: Values): Float64Array {
  assertSameLength("binaryCrossEntropyFromLogitsGrad(y, z)", y, z);
  return Float64Array.from(z, (v, i) => (sigmoidScalar(v) - y[i]) / y.length);
}

/** Binary cross-entropy from probabilities p clipped to [ε, 1 − ε]: −mean(y log p + (1 − y) log(1 − p)). */
export function binaryCrossEntropy(y: Values, p: Values): number {
  assertSameLength("binaryCrossEntropy(y, p)", y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = clipProbability(p[i]);
    sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
  }
  return sum / y.length;
}

/** ∂/∂pᵢ of binary cross-entropy: (pᵢ − yᵢ) / (pᵢ (1 − pᵢ) n) inside the clip range, 0 outside. */
export function binaryCrossEntropyGrad(y: Values, p: Values): Float64Array {
  assertSameLength("binaryCrossEntropyGrad(y, p)", y, p);
  return Float64Array.from(p, (q, i) =>
    q <= PROBABILITY_EPSILON || q >= 1 - PROBABILITY_EPSILON ? 0 : (q - y[i]) / (q * (1 - q) * y.length),
  );
}

/**
 * Categorical cross-entropy from logits (rows of `columns` classes), stable: mean over rows of Σⱼ yⱼ (logsumexp(z) −
 * zⱼ).
 */
export function categoricalCrossEntropyFromLogits(y: Values, z: Values, columns: number): number {
  assertSameLength("categoricalCrossEntropyFromLogits(y, z)", y, z);
  const rows = rowsOf("categoricalCrossEntropyFromLogits(y, z, columns)", z.length, columns);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * columns;
    const lse = logSumExp(z, start, columns);
    for (let j = 0; j < columns; j++) sum += y[start + j] * (lse - z[start + j]);
  }
  return sum / rows;
}

/** ∂/∂z of categorical cross-entropy from logits: (softmax(z) Σⱼ yⱼ − y) / n — (softmax(z) − y) / n for one-hot y. */
export function categoricalCrossEntropyFromLogitsGrad(y: Values, z: Values, columns: number): Float64Array {
  assertSameLength("categoricalCrossEntropyFromLogitsGrad(y, z)", y, z);
  const rows = rowsOf("categoricalCrossEntropyFromLogitsGrad(y, z, columns)", z.length, columns);
  const s = softmax(z, columns);
  const out = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    const start = r * columns;
    let mass = 0;
    for (let j = 0; j < columns; j++) mass += y[start + j];
    for (let j = 0; j < columns; j++) out[start + j] = (s[start + j] * mass - y[start + j]) / rows;
  }
  return out;
}

/** Categorical cross-entropy from probabilities (rows of `columns` classes): −mean over rows of Σⱼ yⱼ log clip(pⱼ). */
export function categoricalCrossEntropy(y: Values, p: Values, columns: number): number {
  assertSameLength("categoricalCrossEntropy(y, p)", y, p);
  const rows = rowsOf("categoricalCrossEntropy(y, p, columns)", p.length, columns);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum -= y[i] * Math.log(clipProbability(p[i]));
  return sum / rows;
}

/** ∂/∂pⱼ of categorical cross-entropy from probabilities: −yⱼ / (pⱼ n) inside the clip range, 0 outside. */
export function categoricalCrossEntropyGrad(y: Values, p: Values, columns: number): Float64Array {
  assertSameLength("categoricalCrossEntropyGrad(y, p)", y, p);
  const rows = rowsOf("categoricalCrossEntropyGrad(y, p, columns)", p.length, columns);
  return Float64Array.from(p, (q, i) =>
    q <= PROBABILITY_EPSILON || q >= 1 - PROBABILITY_EPSILON ? 0 : -y[i] / (q * rows),
  );
}

/** Labels as one-hot rows: the bridge from the sparse to the categorical forms; rejects labels outside [0, columns). */
export function oneHot(labels: Values, columns: number): Float64Array {
  const out = new Float64Array(labels.length * columns);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= columns) {
      throw new MathInputError(
        `oneHot(labels, ${columns}): label ${label} at index ${i} is not an integer in [0, ${columns})`,
      );
    }
    out[i * columns + label] = 1;
  }
  return out;
}

function assertLabelsMatchRows(where: string, labels: Values, size: number, columns: number): void {
  const rows = rowsOf(where, size, columns);
  if (labels.length !== rows) throw new MathInputError(`${where}: ${labels.length} labels for ${rows} rows`);
}

/**
 * `dense` (a function of one-hot targets) taken at integer labels, refusing a label count that is not the row count.
 */
function sparse<R>(
  name: string,
  dense: (y: Values, v: Values, columns: number) => R,
): (labels: Values, v: Values, columns: number) => R {
  return (labels, v, columns) => {
    assertLabelsMatchRows(
      `${name}(labels, ${name.includes("Logits") ? "z" : "p"}, columns)`,
      labels,
      v.length,
      columns,
    );
    return dense(oneHot(labels, columns), v, columns);
  };
}

/** Sparse categorical cross-entropy from logits (integer labels): mean of logsumexp(z) − z_label. */
export const sparseCategoricalCrossEntropyFromLogits = sparse(
  "sparseCategoricalCrossEntropyFromLogits",
  categoricalCrossEntropyFromLogits,
);

/** ∂/∂z of sparse categorical cross-entropy from logits: (softmax(z) − onehot(label)) / n. */
export const sparseCategoricalCrossEntropyFromLogitsGrad = sparse(
  "sparseCategoricalCrossEntropyFromLogitsGrad",
  categoricalCrossEntropyFromLogitsGrad,
);

/** Sparse categorical cross-entropy from probabilities (integer labels): −mean of log clip(p_label). */
export const sparseCategoricalCrossEntropy = sparse("sparseCategoricalCrossEntropy", categoricalCrossEntropy);

/** ∂/∂p of sparse categorical cross-entropy from probabilities: −1 / (p_label n) at the label, 0 elsewhere. */
export const sparseCategoricalCrossEntropyGrad = sparse(
  "sparseCategoricalCrossEntropyGrad",
  categoricalCrossEntropyGrad,
);

/** Shapes of Seed 001 §4.1's dense layer ReLU(x W + b): x is [rows, inputs], W is [inputs, units], b is [units]. */
export interface DenseShape {
  readonly rows: number;
  readonly inputs: number;
  readonly units: number;
}

/** Seed 001 §4.1 "输出 = ReLU(W · I + b)": the pre-activation x W + b, row-major [rows, units]. */
export function densePreActivation(x: Values, w: Values, b: Values, shape: DenseShape): Float64Array {
  const { rows, inputs, units } = shape;
  if (x.length !== rows * inputs || w.length !== inputs * units || b.length !== units) {
    throw new MathInputError(
      `densePreActivation: x has ${x.length} values (want ${rows}×${inputs}), W ${w.length} (want ${inputs}×${units}), b ${b.length} (want ${units})`,
    );
  }
  const z = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < units; u++) {
      let sum = b[u];
      for (let k = 0; k < inputs; k++) sum += x[r * inputs + k] * w[k * units + u];
      z[r * units + u] = sum;
    }
  }
  return z;
}

/** Seed 001 §4.1: ∂/∂W of Σ v ⊙ ReLU(x W + b) = xᵀ (v ⊙ 1[x W + b > 0]), row-major [inputs, units]. */
export function denseReluWeightGrad(x: Values, w: Values, b: Values, v: Values, shape: DenseShape): Float64Array {
  const { rows, inputs, units } = shape;
  const gate = reluGrad(densePreActivation(x, w, b, shape));
  if (v.length !== gate.length)
    throw new MathInputError(`denseReluWeightGrad: upstream v has ${v.length} values, want ${gate.length}`);
  const grad = new Float64Array(inputs * units);
  for (let k = 0; k < inputs; k++) {
    for (let u = 0; u < units; u++) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += x[r * inputs + k] * v[r * units + u] * gate[r * units + u];
      grad[k * units + u] = sum;
    }
  }
  return grad;
}
