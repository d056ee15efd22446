/**
 * Seed 001 §4.2's recurrent network, reproduced and corrected, and the tfjs-layers recurrent
 * forecasters used for §6.3's time-series prediction.
 *
 * The document writes one step as h_t = ReLU(x_t · W + h_{t−1} · W) with a single matrix W.
 * Read literally (row vectors, as x_t · W is written), that one W has to be d_x × d_h for x_t · W
 * and d_h × d_h for h_{t−1} · W, so it only exists when the input width equals the state width
 * (d_x = d_h: a univariate series gets a one-number memory). And since the same W multiplies
 * both, x_t · W + h_{t−1} · W = (x_t + h_{t−1}) · W: the step sees only the *sum* of the new input
 * and the memory — it cannot weigh them differently (in one dimension with positive values,
 * h_t = Σ_k w^{k+1} x_{t−k}: one number is both the input gain and the memory decay). There is no
 * bias, so ReLU(z · W) is positively homogeneous and zero in gives zero out, and ReLU does not
 * bound the state, so a W with a gain above 1 grows it geometrically.
 * The standard (Elman) step keeps the inputs and the memory apart:
 * h_t = f(x_t · W_x + h_{t−1} · W_h + b), with W_x: d_x × d_h, W_h: d_h × d_h, b: d_h, and f = tanh.
 */
import * as tf from "@tensorflow/tfjs";
import { adam } from "../backends";
import { adoptOptimizer } from "../io/optimizer-ownership";
import { LeptonError } from "../errors";

/** A tensor shape that the recurrence cannot take; the message names the argument and both sizes. */
export class RnnShapeError extends LeptonError {}

/** A builder or training option that cannot work (non-integer units, bad learning rate, …). */
export class RnnConfigError extends LeptonError {}

/** The activation of a from-scratch recurrence: ReLU as Seed 001 §4.2 writes, or tanh as Elman / Keras' SimpleRNN. */
export type RecurrentActivation = "relu" | "tanh";

/** Forecasters built so far, so each one's variables get unique names (tfjs registers variables by name). */
let scratchModels = 0;

/** Which recurrence a from-scratch forecaster runs: Seed 001 §4.2 as written, or corrected. */
export type RecurrenceForm = "document" | "corrected";

/** Parameters of the corrected (Elman) recurrence h_t = f(x_t·W_x + h_{t−1}·W_h + b). */
export interface ElmanWeights {
  /** W_x: [d_x, d_h]. */
  readonly wx: tf.Tensor2D;
  /** W_h: [d_h, d_h]. */
  readonly wh: tf.Tensor2D;
  /** b: [d_h]. */
  readonly b: tf.Tensor1D;
}

function activate(z: tf.Tensor2D, activation: RecurrentActivation): tf.Tensor2D {
  return activation === "relu" ? tf.relu(z) : tf.tanh(z);
}

function checkSequence(x: tf.Tensor3D): void {
  if (x.rank !== 3) throw new RnnShapeError(`x must be [batch, time, features], got shape [${x.shape.join(", ")}]`);
  if (x.shape[1] < 1) throw new RnnShapeError("x has no time step");
}

/** Runs `step` over the time axis from h_0 = 0 and stacks the states into [batch, time, d_h]. */
function unroll(
  x: tf.Tensor3D,
  units: number,
  step: (xt: tf.Tensor2D, previous: tf.Tensor2D) => tf.Tensor2D,
): tf.Tensor3D {
  return tf.tidy(() => {
    let state: tf.Tensor2D = tf.zeros([x.shape[0], units]);
    const states: tf.Tensor2D[] = [];
    for (const xt of tf.unstack(x, 1) as tf.Tensor2D[]) {
      state = step(xt, state);
      states.push(state);
    }
    return tf.stack(states, 1) as tf.Tensor3D;
  });
}

/**
 * Seed 001 §4.2 exactly as written: h_t = ReLU(x_t · W + h_{t−1} · W), h_0 = 0, one matrix W for
 * both terms. Returns every state, [batch, time, d]. W must be square with d = the input's
 * feature count — RnnShapeError otherwise, since x_t · W and h_{t−1} · W cannot both be formed.
 */
export function documentRecurrence(
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  activation: RecurrentActivation = "relu",
): tf.Tensor3D {
  checkSequence(x);
  const features = x.shape[2];
  const [rows, units] = w.shape;
  if (rows !== features) {
    throw new RnnShapeError(`W is ${rows}×${units}: x_t · W needs ${features} rows, one per input feature`);
  }
  if (units !== rows) {
    throw new RnnShapeError(
      `W is ${rows}×${units}: h_{t−1} · W needs W to be ${units}×${units}, so with one W the state size must equal the input's ${features} feature(s)`,
    );
  }
  return unroll(x, units, (xt, previous) => activate(tf.add(tf.matMul(xt, w), tf.matMul(previous, w)), activation));
}

/**
 * Seed 001 §4.2 corrected (Elman's recurrence, Keras' SimpleRNN): h_t = f(x_t · W_x + h_{t−1} · W_h + b),
 * h_0 = 0, separate input and recurrent weights and a bias. Returns every state, [batch, time, d_h].
 */
export function elmanRecurrence(
  x: tf.Tensor3D,
  weights: ElmanWeights,
  activation: RecurrentActivation = "tanh",
): tf.Tensor3D {
  checkSequence(x);
  const { wx, wh, b } = weights;
  const units = wh.shape[0];
  if (wx.shape[0] !== x.shape[2])
    throw new RnnShapeError(`W_x is ${wx.shape.join("×")}: it needs ${x.shape[2]} rows, one per input feature`);
  if (wx.shape[1] !== units || wh.shape[1] !== units) {
    throw new RnnShapeError(
      `W_x is ${wx.shape.join("×")} and W_h is ${wh.shape.join("×")}: both need ${units} columns and W_h must be square`,
    );
  }
  if (b.shape[0] !== units) throw new RnnShapeError(`b has ${b.shape[0]} entries, the state has ${units}`);
  return unroll(x, units, (xt, previous) =>
    activate(tf.add(tf.add(tf.matMul(xt, wx), tf.matMul(previous, wh)), b), activation),
  );
}

/** Throws RnnConfigError unless `value` is a positive integer; `what` names it. */
export function checkRnnSize(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RnnConfigError(`${what} must be a positive integer, got ${value}`);
}

function checkLearningRate(value: number, what: string): void {
  if (!(Number.isFinite(value) && value > 0))
    throw new RnnConfigError(`${what}: learningRate must be a positive number, got ${value}`);
}

/** Options of {@link ScratchRnnForecaster}. */
export interface ScratchRnnOptions {
  /** "document": h_t = ReLU(x_t·W + h_{t−1}·W); "corrected": h_t = f(x_t·W_x + h_{t−1}·W_h + b). */
  readonly form: RecurrenceForm;
  /** d_x, input features per time step. */
  readonly features: number;
  /** d_h, the state size. The document form only accepts d_h = d_x (its default); the corrected form defaults to 16. */
  readonly units?: number;
  /** Values predicted from the last state; default 1. */
  readonly horizon?: number;
  /** Default: ReLU for the document form (as written), tanh for the corrected form. */
  readonly activation?: RecurrentActivation;
  /** Adam learning rate; default 0.01. */
  readonly learningRate?: number;
  /** Seed of the Glorot-uniform initial weights. */
  readonly seed?: number;
}

/** A scalar's value, freeing the scalar. */
function readSync(scalar: tf.Scalar): number {
  try {
    return scalar.dataSync()[0]!;
  } finally {
    scalar.dispose();
  }
}

/**
 * A forecaster written from scratch with tf.variable weights: a recurrence (Seed 001 §4.2 as
 * written, or corrected) over the window, then a linear read-out of the last state,
 * ŷ = h_T · V + c, trained on the mean squared error by Adam through `optimizer.minimize`.
 * The read-out is not in the document (it stops at h_t); both forms get the same one.
 */
export class ScratchRnnForecaster {
  readonly form: RecurrenceForm;
  readonly features: number;
  readonly units: number;
  readonly horizon: number;
  readonly activation: RecurrentActivation;
  /** Recurrence weights (W, or W_x, W_h, b), then the read-out V and c. */
  readonly variables: readonly tf.Variable[];
  private readonly optimizer: tf.Optimizer;

  constructor(options: ScratchRnnOptions) {
    checkRnnSize(options.features, "ScratchRnnForecaster: features");
    this.form = options.form;
    this.features = options.features;
    this.units = options.units ?? (options.form === "document" ? options.features : 16);
    checkRnnSize(this.units, "ScratchRnnForecaster: units");
    if (options.form === "document" && this.units !== this.features) {
      throw new RnnShapeError(
        `the document's h_t = ReLU(x_t·W + h_{t−1}·W) uses one W for both products, so units (${this.units}) must equal features (${this.features})`,
      );
    }
    this.horizon = options.horizon ?? 1;
    checkRnnSize(this.horizon, "ScratchRnnForecaster: horizon");
    this.activation = options.activation ?? (options.form === "document" ? "relu" : "tanh");
    const learningRate = options.learningRate ?? 0.01;
    checkLearningRate(learningRate, "ScratchRnnForecaster");
    const seed = options.seed;
    const fromInitial = (initial: tf.Tensor, name: string) => {
      const variable = tf.variable(initial, true, name);
      initial.dispose();
      return variable;
    };
    const glorot = (shape: [number, number], offset: number, name: string) =>
      fromInitial(tf.initializers.glorotUniform(seed === undefined ? {} : { seed: seed + offset }).apply(shape), name);
    const unique = `scratch_${this.form}_rnn_${++scratchModels}`;
    const recurrence =
      this.form === "document"
        ? [glorot([this.units, this.units], 0, `${unique}_W`)]
        : [
            glorot([this.features, this.units], 0, `${unique}_Wx`),
            glorot([this.units, this.units], 1, `${unique}_Wh`),
            fromInitial(tf.zeros([this.units]), `${unique}_b`),
          ];
    this.variables = [
      ...recurrence,
      glorot([this.units, this.horizon], 2, `${unique}_V`),
      fromInitial(tf.zeros([this.horizon]), `${unique}_c`),
    ];
    this.optimizer = adam(learningRate);
  }

  /** Every state of the recurrence, [batch, time, units]. */
  states(x: tf.Tensor3D): tf.Tensor3D {
    this.checkInput(x);
    const [first, second, third] = this.variables;
    return this.form === "document"
      ? documentRecurrence(x, first as tf.Tensor2D, this.activation)
      : elmanRecurrence(
          x,
          { wx: first as tf.Tensor2D, wh: second as tf.Tensor2D, b: third as tf.Tensor1D },
          this.activation,
        );
  }

  /** The forecast ŷ = h_T · V + c for windows x [batch, time, features]: [batch, horizon]. (Seed 001 §6.3) */
  predict(x: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const states = this.states(x);
      const last = states
        .slice([0, states.shape[1] - 1, 0], [-1, 1, -1])
        .reshape([states.shape[0], this.units]) as tf.Tensor2D;
      const v = this.variables[this.variables.length - 2] as tf.Tensor2D;
      const c = this.variables[this.variables.length - 1] as tf.Tensor1D;
      return tf.add(tf.matMul(last, v), c) as tf.Tensor2D;
    });
  }

  /** Mean squared error of the forecast on (x, y), as a number. */
  loss(x: tf.Tensor3D, y: tf.Tensor2D): number {
    return readSync(this.lossTensor(x, y));
  }

  /**
   * One Adam step on the mean squared error of (x, y) (gradients by tf autodiff through the unrolled steps); returns
   * the loss before the step. (Seed 001 §3.1 step 2)
   */
  trainStep(x: tf.Tensor3D, y: tf.Tensor2D): number {
    return readSync(this.minimizeStep(x, y));
  }

  /** Frees the weights and Adam's moments. */
  dispose(): void {
    this.optimizer.dispose();
    tf.dispose([...this.variables]);
  }

  /** The mean squared error of the forecast on (x, y), as a scalar tensor. */
  lossTensor(x: tf.Tensor3D, y: tf.Tensor2D): tf.Scalar {
    this.checkTargets(x, y);
    return tf.tidy(() => tf.losses.meanSquaredError(y, this.predict(x)) as tf.Scalar);
  }

  /** One Adam step on the mean squared error of (x, y); returns the loss before the step as a scalar tensor. */
  minimizeStep(x: tf.Tensor3D, y: tf.Tensor2D): tf.Scalar {
    this.checkTargets(x, y);
    return this.optimizer.minimize(() => tf.losses.meanSquaredError(y, this.predict(x)) as tf.Scalar, true, [
      ...this.variables,
    ])!;
  }

  private checkInput(x: tf.Tensor3D): void {
    if (x.rank !== 3 || x.shape[2] !== this.features) {
      throw new RnnShapeError(`x must be [batch, time, ${this.features}], got [${x.shape.join(", ")}]`);
    }
  }

  /** Throws RnnShapeError unless x is [batch, time, features] and y [batch, horizon]. */
  checkTargets(x: tf.Tensor3D, y: tf.Tensor2D): void {
    this.checkInput(x);
    if (y.rank !== 2 || y.shape[0] !== x.shape[0] || y.shape[1] !== this.horizon) {
      throw new RnnShapeError(
        `y must be [${x.shape[0]}, ${this.horizon}] for x [${x.shape.join(", ")}], got [${y.shape.join(", ")}]`,
      );
    }
  }
}

/** The tfjs-layers recurrent cells compared in §6.3's forecasting. */
export type RecurrentLayerKind = "simpleRNN" | "lstm" | "gru";

/** The three cells, in the order the workbook compares them. */
export const RECURRENT_LAYER_KINDS: readonly RecurrentLayerKind[] = ["simpleRNN", "lstm", "gru"];

/** Options of {@link recurrentForecaster}. */
export interface RecurrentForecasterOptions {
  readonly kind: RecurrentLayerKind;
  /** L, time steps per input window. */
  readonly window: number;
  /** F, features per time step. */
  readonly features: number;
  /** Units of the recurrent layer; default 32. */
  readonly units?: number;
  /** Values predicted per window (dense outputs); default 1. */
  readonly horizon?: number;
  /** Adam learning rate; default 0.005. */
  readonly learningRate?: number;
  /** Seed of the initialisers (Glorot-uniform kernels, orthogonal recurrent kernels, as Keras). */
  readonly seed?: number;
}

/**
 * Seed 001 §6.3 time-series prediction with tfjs-layers: input [window, features] → SimpleRNN,
 * LSTM or GRU (last state only) → Dense(horizon), compiled with Adam on the mean squared error.
 */
export function recurrentForecaster(options: RecurrentForecasterOptions): tf.Sequential {
  const units = options.units ?? 32;
  const horizon = options.horizon ?? 1;
  const learningRate = options.learningRate ?? 0.005;
  if (!RECURRENT_LAYER_KINDS.includes(options.kind))
    throw new RnnConfigError(
      `recurrentForecaster: kind must be one of ${RECURRENT_LAYER_KINDS.join(", ")}, got ${String(options.kind)}`,
    );
  checkRnnSize(options.window, "recurrentForecaster: window");
  checkRnnSize(options.features, "recurrentForecaster: features");
  checkRnnSize(units, "recurrentForecaster: units");
  checkRnnSize(horizon, "recurrentForecaster: horizon");
  checkLearningRate(learningRate, "recurrentForecaster");
  const seed = options.seed;
  const seeded =
    seed === undefined
      ? {}
      : {
          kernelInitializer: tf.initializers.glorotUniform({ seed }),
          recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
        };
  const layer = { units, inputShape: [options.window, options.features], ...seeded };
  const recurrent =
    options.kind === "lstm"
      ? tf.layers.lstm(layer)
      : options.kind === "gru"
        ? tf.layers.gru(layer)
        : tf.layers.simpleRNN(layer);
  const model = tf.sequential({ name: `${options.kind}_forecaster` });
  model.add(recurrent);
  model.add(
    tf.layers.dense({
      units: horizon,
      ...(seed === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    }),
  );
  model.compile({ optimizer: adam(learningRate), loss: "meanSquaredError" });
  return adoptOptimizer(model);
}
