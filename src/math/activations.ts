/**
 * Activations of Seed 000 §4.3 (sigmoid, ReLU) and Seed 001 §4.1–4.3 (ReLU in the CNN, RNN and GAN
 * formulas), plus tanh and softmax, as TensorFlow.js ops (float32), each with its derivative
 * written out by hand so that it can be checked against `tf.grad` (gradcheck.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { assertSameShape } from "./errors";

/** Seed 000 §4.3.1 σ(x) = 1 / (1 + e^(−x)). */
export function sigmoid(x: tf.Tensor): tf.Tensor {
  return tf.sigmoid(x);
}

/** Seed 000 §4.3.1: σ′(x) = σ(x) (1 − σ(x)). */
export function sigmoidGrad(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const s = tf.sigmoid(x);
    return s.mul(tf.scalar(1).sub(s));
  });
}

/** Seed 000 §4.3.2 ReLU(x) = max(0, x); Seed 001 §4.1 "输出 = ReLU(W · I + b)". */
export function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

/** Seed 000 §4.3.2: ReLU′(x) = 1 for x > 0, else 0. */
export function reluGrad(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.greater(x, 0).cast("float32"));
}

/** tanh(x) (Seed 001 §4.2: the usual RNN activation). */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.tanh(x);
}

/** tanh′(x) = 1 − tanh²(x). */
export function tanhGrad(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.scalar(1).sub(tf.square(tf.tanh(x))));
}

/** softmax over the last axis (the predicted distribution of Seed 000 §4.1.2). */
export function softmax(z: tf.Tensor): tf.Tensor {
  return tf.softmax(z);
}

/**
 * The softmax Jacobian applied to an upstream gradient v over the last axis:
 * (diag(s) − s sᵀ) v = s ⊙ (v − ⟨s, v⟩), i.e. ∂/∂z of Σ v ⊙ softmax(z).
 *
 */
export function softmaxVjp(z: tf.Tensor, v: tf.Tensor): tf.Tensor {
  assertSameShape("softmaxVjp(z, v)", z.shape, v.shape);
  return tf.tidy(() => {
    const s = tf.softmax(z);
    const dot = s.mul(v).sum(-1, true);
    return s.mul(v.sub(dot));
  });
}
