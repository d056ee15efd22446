/**
 * The functions of Seed 000 §4.1 (losses), §4.3 (activations), §4.4 (the house-price regression's
 * (w, b) gradient) and Seed 001 §4.1 (a dense ReLU layer) as gradient-check cases on seeded random
 * inputs. An activation f is checked through the scalar
 * L(x) = Σ v ⊙ f(x) with a fixed random v, so its Jacobian is exercised by a vector–Jacobian product.
 */
import * as tf from "@tensorflow/tfjs";
import * as act from "./activations";
import * as f64 from "./float64";
import { probabilityStepScale, type GradientCase } from "./gradcheck";
import * as loss from "./losses";
import { seededRandom, type Random } from "../random";
import { linearRegressionGradient } from "./regression";

const ROWS = 4;
const CLASSES = 3;

function draw(count: number, sample: () => number): Float64Array {
  return Float64Array.from({ length: count }, sample);
}

/** Values away from 0 by at least `gap`, so ReLU's kink is not inside a finite-difference step. */
function awayFromZero(random: Random, count: number, gap: number): Float64Array {
  return draw(count, () => (random.uniform() < 0.5 ? -1 : 1) * random.between(gap, 2));
}

function constant(values: Float64Array, shape: readonly number[]): tf.Tensor {
  return tf.tensor(Float32Array.from(values), [...shape], "float32");
}

function weighted(
  v: Float64Array,
  shape: readonly number[],
  f: (x: tf.Tensor) => tf.Tensor,
): (x: tf.Tensor) => tf.Scalar {
  return (x) => tf.tidy(() => tf.sum(f(x).mul(constant(v, shape))) as tf.Scalar);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * A loss as a case: its value and gradient in float64 and as tfjs ops (float32), at `where.x` (section default:
 * §4.1.2).
 */
function lossCase(
  where: { name: string; section?: string; objective: string; shape: readonly number[]; x: Float64Array },
  [value64, gradient64]: [(x: Float64Array) => number, (x: Float64Array) => Float64Array],
  [value32, gradient32]: [(x: tf.Tensor) => tf.Scalar, (x: tf.Tensor) => tf.Tensor],
  stepScale?: (value: number) => number,
): GradientCase {
  return {
    ...where,
    section: where.section ?? "Seed 000 §4.1.2",
    value64,
    gradient64,
    value32: (x) => tf.tidy(() => value32(x)),
    gradient32: (x) => tf.tidy(() => gradient32(x)),
    ...(stepScale === undefined ? {} : { stepScale }),
  };
}

function activationCase(
  name: string,
  section: string,
  x: Float64Array,
  v: Float64Array,
  value64: (x: Float64Array) => Float64Array,
  derivative64: (x: Float64Array) => Float64Array,
  value32: (x: tf.Tensor) => tf.Tensor,
  derivative32: (x: tf.Tensor) => tf.Tensor,
): GradientCase {
  const shape = [x.length];
  return {
    name,
    section,
    objective: `Σ v ⊙ ${name}(x)`,
    shape,
    x,
    value64: (input) => dot(v, value64(input)),
    gradient64: (input) => Float64Array.from(derivative64(input), (d, i) => d * v[i]!),
    value32: weighted(v, shape, value32),
    gradient32: (input) => tf.tidy(() => derivative32(input).mul(constant(v, shape))),
  };
}

/**
 * Every function of notebook 03 as a gradient-check case, on random inputs drawn from `seed`:
 * MSE, the three cross-entropies from logits and from probabilities, sigmoid, ReLU, tanh, softmax,
 * the house-price MSE as a function of (w, b), and Seed 001 §4.1's dense layer ReLU(x W + b) in W.
 */
export function gradientCases(seed: number): GradientCase[] {
  const random = seededRandom(seed);
  const normal = () => random.normal();
  const matrix = [ROWS, CLASSES];
  const n = ROWS * CLASSES;
  const cases: GradientCase[] = [];

  const y = draw(8, normal);
  const vector = [8];
  cases.push(
    lossCase(
      { name: "mse", section: "Seed 000 §4.1.1", objective: "MSE(y, ŷ) in ŷ", shape: vector, x: draw(8, normal) },
      [(yHat) => f64.mse(y, yHat), (yHat) => f64.mseGrad(y, yHat)],
      [(yHat) => loss.mse(constant(y, vector), yHat), (yHat) => loss.mseGrad(constant(y, vector), yHat)],
    ),
  );

  const bits = draw(8, () => (random.uniform() < 0.5 ? 0 : 1));
  const bitsTensor = () => constant(bits, vector);
  cases.push(
    lossCase(
      {
        name: "binary cross-entropy (logits)",
        objective: "BCE(y, z) in the logits z",
        shape: vector,
        x: draw(8, () => 3 * random.normal()),
      },
      [(z) => f64.binaryCrossEntropyFromLogits(bits, z), (z) => f64.binaryCrossEntropyFromLogitsGrad(bits, z)],
      [
        (z) => loss.binaryCrossEntropyFromLogits(bitsTensor(), z),
        (z) => loss.binaryCrossEntropyFromLogitsGrad(bitsTensor(), z),
      ],
    ),
  );
  const between = draw(8, () => random.between(0.05, 0.95));
  cases.push(
    lossCase(
      {
        name: "binary cross-entropy (probabilities)",
        objective: "BCE(y, p) in the probabilities p",
        shape: vector,
        x: between,
      },
      [(p) => f64.binaryCrossEntropy(bits, p), (p) => f64.binaryCrossEntropyGrad(bits, p)],
      [(p) => loss.binaryCrossEntropy(bitsTensor(), p), (p) => loss.binaryCrossEntropyGrad(bitsTensor(), p)],
      probabilityStepScale,
    ),
  );

  const labels = Array.from({ length: ROWS }, () => random.int(CLASSES));
  const targets = f64.oneHot(labels, CLASSES);
  const targetsTensor = () => constant(targets, matrix);
  const logits = draw(n, () => 2 * random.normal());
  const probabilities = f64.softmax(draw(n, normal), CLASSES);
  // The four categorical losses: one-hot targets Y or labels, on logits Z or probabilities P.
  for (const sparse of [false, true]) {
    for (const fromLogits of [true, false]) {
      const key = `${sparse ? "sparseC" : "c"}ategoricalCrossEntropy${fromLogits ? "FromLogits" : ""}` as const;
      const value64 = f64[key] as (t: ArrayLike<number>, x: Float64Array, classes: number) => number;
      const gradient64 = f64[`${key}Grad`] as (t: ArrayLike<number>, x: Float64Array, classes: number) => Float64Array;
      const value32 = loss[key] as (t: tf.Tensor | readonly number[], x: tf.Tensor) => tf.Scalar;
      const gradient32 = loss[`${key}Grad`] as (t: tf.Tensor | readonly number[], x: tf.Tensor) => tf.Tensor;
      const target64 = sparse ? labels : targets;
      const target32 = () => (sparse ? labels : targetsTensor());
      const where = {
        name: `${sparse ? "sparse " : ""}categorical cross-entropy (${fromLogits ? "logits" : "probabilities"})`,
        objective: `${sparse ? "SCCE(labels" : "CCE(Y"}, ${fromLogits ? "Z) in the logits Z" : "P) in the probabilities P"}`,
        shape: matrix,
        x: fromLogits ? logits : probabilities,
      };
      cases.push(
        lossCase(
          where,
          [(x) => value64(target64, x, CLASSES), (x) => gradient64(target64, x, CLASSES)],
          [(x) => value32(target32(), x), (x) => gradient32(target32(), x)],
          fromLogits ? undefined : probabilityStepScale,
        ),
      );
    }
  }

  const v = draw(8, normal);
  const x = draw(8, () => 2 * random.normal());
  cases.push(
    activationCase("sigmoid", "Seed 000 §4.3.1", x, v, f64.sigmoid, f64.sigmoidGrad, act.sigmoid, act.sigmoidGrad),
  );
  cases.push(
    activationCase(
      "relu",
      "Seed 000 §4.3.2",
      awayFromZero(random, 8, 0.1),
      v,
      f64.relu,
      f64.reluGrad,
      act.relu,
      act.reluGrad,
    ),
  );
  cases.push(activationCase("tanh", "Seed 001 §4.2", x, v, f64.tanh, f64.tanhGrad, act.tanh, act.tanhGrad));

  const upstream = draw(n, normal);
  cases.push({
    name: "softmax",
    section: "Seed 000 §4.1.2",
    objective: "Σ V ⊙ softmax(Z) in Z",
    shape: matrix,
    x: logits,
    value64: (z) => dot(upstream, f64.softmax(z, CLASSES)),
    gradient64: (z) => f64.softmaxVjp(z, upstream, CLASSES),
    value32: weighted(upstream, matrix, act.softmax),
    gradient32: (z) => tf.tidy(() => act.softmaxVjp(z, constant(upstream, matrix))),
  });

  cases.push(houseCase(random));
  cases.push(denseCase(random));
  return cases;
}

function houseCase(random: Random): GradientCase {
  const count = 16;
  const area = draw(count, () => random.normal());
  const price = Float64Array.from(area, (a) => 1.5 * a + 0.5 + 0.3 * random.normal());
  const mseAt = (w: number, b: number) =>
    f64.mse(
      price,
      Float64Array.from(area, (a) => w * a + b),
    );
  return {
    name: "house-price MSE in (w, b)",
    section: "Seed 000 §4.4.2",
    objective: "(1/n) Σ (yᵢ − (w xᵢ + b))² in (w, b)",
    shape: [2],
    x: Float64Array.of(random.normal(), random.normal()),
    value64: (p) => mseAt(p[0]!, p[1]!),
    gradient64: (p) => {
      const g = linearRegressionGradient(area, price, p[0]!, p[1]!, "mean");
      return Float64Array.of(g.dw, g.db);
    },
    value32: (p) =>
      tf.tidy(() => {
        const [w, b] = tf.split(p, 2);
        return loss.mse(constant(price, [count]), constant(area, [count]).mul(w!).add(b!));
      }),
    gradient32: (p) =>
      tf.tidy(() => {
        const [w, b] = tf.split(p, 2);
        const residual = constant(price, [count]).sub(constant(area, [count]).mul(w!).add(b!));
        const dw = residual
          .mul(constant(area, [count]))
          .sum()
          .mul(-2 / count);
        const db = residual.sum().mul(-2 / count);
        return tf.stack([dw, db]);
      }),
  };
}

function denseCase(random: Random): GradientCase {
  const shape = { rows: 3, inputs: 4, units: 2 };
  const x = draw(shape.rows * shape.inputs, () => random.normal());
  const b = draw(shape.units, () => 0.1 * random.normal());
  const v = draw(shape.rows * shape.units, () => random.normal());
  let w = draw(shape.inputs * shape.units, () => random.normal());
  // Redraw W until no pre-activation lies within 0.1 of ReLU's kink (a finite-difference step must not cross it).
  while (f64.densePreActivation(x, w, b, shape).some((z) => Math.abs(z) < 0.1))
    w = draw(w.length, () => random.normal());
  const forward32 = (weights: tf.Tensor) =>
    tf.relu(tf.matMul(constant(x, [shape.rows, shape.inputs]), weights).add(constant(b, [shape.units])));
  return {
    name: "dense ReLU layer, ∂/∂W",
    section: "Seed 001 §4.1",
    objective: "Σ V ⊙ ReLU(x W + b) in W",
    shape: [shape.inputs, shape.units],
    x: w,
    value64: (weights) => dot(v, f64.relu(f64.densePreActivation(x, weights, b, shape))),
    gradient64: (weights) => f64.denseReluWeightGrad(x, weights, b, v, shape),
    value32: weighted(v, [shape.rows, shape.units], forward32),
    gradient32: (weights) =>
      tf.tidy(() => {
        const input = constant(x, [shape.rows, shape.inputs]);
        const gate = act.reluGrad(tf.matMul(input, weights).add(constant(b, [shape.units])));
        return tf.matMul(input, gate.mul(constant(v, [shape.rows, shape.units])), true, false);
      }),
  };
}
