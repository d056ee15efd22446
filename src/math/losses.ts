/**
 * Losses of Seed 000 §4.1 (MSE, cross-entropy) as TensorFlow.js ops (float32), in the numerically
 * stable forms — from logits through log-sum-exp, from probabilities clipped to [ε, 1 − ε] — each
 * with its gradient written out by hand, and the document's own cross-entropy formula kept as
 * written so the notebook can show where it fails. Every loss is a mean over samples (rows).
 */
import * as tf from "@tensorflow/tfjs";
import { assertSameShape, MathInputError } from "./errors";
import { PROBABILITY_EPSILON } from "./float64";

function sampleCount(t: tf.Tensor): number {
  return t.rank <= 1 ? t.size : t.size / t.shape[t.rank - 1]!;
}

/** Seed 000 §4.1.1 MSE = (1/n) Σ (yᵢ − ŷᵢ)². */
export function mse(y: tf.Tensor, yHat: tf.Tensor): tf.Scalar {
  assertSameShape("mse(y, yHat)", y.shape, yHat.shape);
  return tf.tidy(() => tf.mean(tf.square(y.sub(yHat))) as tf.Scalar);
}

/** Seed 000 §4.1.1: ∂MSE/∂ŷ = 2 (ŷ − y) / n. */
export function mseGrad(y: tf.Tensor, yHat: tf.Tensor): tf.Tensor {
  assertSameShape("mseGrad(y, yHat)", y.shape, yHat.shape);
  return tf.tidy(() => yHat.sub(y).mul(2 / y.size));
}

/** Binary cross-entropy from logits, stable: mean of max(z, 0) − z y + log(1 + e^(−|z|)). (Seed 000 §4.1.2) */
export function binaryCrossEntropyFromLogits(y: tf.Tensor, z: tf.Tensor): tf.Scalar {
  assertSameShape("binaryCrossEntropyFromLogits(y, z)", y.shape, z.shape);
  // log(1 + e^(−|z|)) as softplus(−|z|): tfjs-wasm's log1p returns 0 below ~1e-8, its softplus keeps e^(−|z|).
  return tf.tidy(
    () =>
      tf.mean(
        tf
          .relu(z)
          .sub(z.mul(y))
          .add(tf.softplus(tf.neg(tf.abs(z)))),
      ) as tf.Scalar,
  );
}

/** ∂/∂z of binary cross-entropy from logits: (σ(z) − y) / n. */
export function binaryCrossEntropyFromLogitsGrad(y: tf.Tensor, z: tf.Tensor): tf.Tensor {
  assertSameShape("binaryCrossEntropyFromLogitsGrad(y, z)", y.shape, z.shape);
  return tf.tidy(() => tf.sigmoid(z).sub(y).div(z.size));
}

/** Binary cross-entropy from probabilities clipped to [ε, 1 − ε]: −mean(y log p + (1 − y) log(1 − p)). */
export function binaryCrossEntropy(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  assertSameShape("binaryCrossEntropy(y, p)", y.shape, p.shape);
  return tf.tidy(() => {
    const q = tf.clipByValue(p, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    const one = tf.scalar(1);
    return tf.neg(tf.mean(y.mul(tf.log(q)).add(one.sub(y).mul(tf.log(one.sub(q)))))) as tf.Scalar;
  });
}

/** ∂/∂p of binary cross-entropy from probabilities: (p − y) / (p (1 − p) n) inside the clip range, 0 outside. */
export function binaryCrossEntropyGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
  assertSameShape("binaryCrossEntropyGrad(y, p)", y.shape, p.shape);
  return tf.tidy(() => {
    const inside = tf.logicalAnd(tf.greater(p, PROBABILITY_EPSILON), tf.less(p, 1 - PROBABILITY_EPSILON));
    const grad = p.sub(y).div(p.mul(tf.scalar(1).sub(p)).mul(p.size));
    return tf.where(inside, grad, tf.zerosLike(grad));
  });
}

/** Categorical cross-entropy from logits over the last axis, stable: mean over rows of Σⱼ yⱼ (logsumexp(z) − zⱼ). */
export function categoricalCrossEntropyFromLogits(y: tf.Tensor, z: tf.Tensor): tf.Scalar {
  assertSameShape("categoricalCrossEntropyFromLogits(y, z)", y.shape, z.shape);
  return tf.tidy(() => {
    const lse = tf.logSumExp(z, -1, true);
    return tf.sum(y.mul(lse.sub(z))).div(sampleCount(z)) as tf.Scalar;
  });
}

/** ∂/∂z of categorical cross-entropy from logits: (softmax(z) Σⱼ yⱼ − y) / n — (softmax(z) − y) / n for one-hot y. */
export function categoricalCrossEntropyFromLogitsGrad(y: tf.Tensor, z: tf.Tensor): tf.Tensor {
  assertSameShape("categoricalCrossEntropyFromLogitsGrad(y, z)", y.shape, z.shape);
  return tf.tidy(() => tf.softmax(z).mul(y.sum(-1, true)).sub(y).div(sampleCount(z)));
}

/** Categorical cross-entropy from probabilities over the last axis: −mean over rows of Σⱼ yⱼ log clip(pⱼ). */
export function categoricalCrossEntropy(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  assertSameShape("categoricalCrossEntropy(y, p)", y.shape, p.shape);
  return tf.tidy(() => {
    const q = tf.clipByValue(p, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    return tf.neg(tf.sum(y.mul(tf.log(q)))).div(sampleCount(p)) as tf.Scalar;
  });
}

/** ∂/∂p of categorical cross-entropy from probabilities: −y / (p n) inside the clip range, 0 outside. */
export function categoricalCrossEntropyGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
  assertSameShape("categoricalCrossEntropyGrad(y, p)", y.shape, p.shape);
  return tf.tidy(() => {
    const inside = tf.logicalAnd(tf.greater(p, PROBABILITY_EPSILON), tf.less(p, 1 - PROBABILITY_EPSILON));
    const grad = tf.neg(y).div(p.mul(sampleCount(p)));
    return tf.where(inside, grad, tf.zerosLike(grad));
  });
}

/** Integer labels as one-hot rows of `classes` columns (float32); rejects labels outside [0, classes) by index. */
export function oneHotLabels(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  const checked = Int32Array.from({ length: labels.length }, (_, i) => {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new MathInputError(
        `oneHotLabels(labels, ${classes}): label ${label} at index ${i} is not an integer in [0, ${classes})`,
      );
    }
    return label;
  });
  return tf.tidy(() => tf.oneHot(tf.tensor1d(checked, "int32"), classes).cast("float32") as tf.Tensor2D);
}

function sparseTargets(where: string, labels: ArrayLike<number>, z: tf.Tensor): tf.Tensor2D {
  if (z.rank !== 2) throw new MathInputError(`${where}: want [rows, classes], got shape [${z.shape.join(", ")}]`);
  if (labels.length !== z.shape[0])
    throw new MathInputError(`${where}: ${labels.length} labels for ${z.shape[0]} rows`);
  return oneHotLabels(labels, z.shape[1]!);
}

/** Sparse categorical cross-entropy from logits [rows, classes] and integer labels: mean of logsumexp(z) − z_label. */
export function sparseCategoricalCrossEntropyFromLogits(labels: ArrayLike<number>, z: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    categoricalCrossEntropyFromLogits(
      sparseTargets("sparseCategoricalCrossEntropyFromLogits(labels, z)", labels, z),
      z,
    ),
  );
}

/** ∂/∂z of sparse categorical cross-entropy from logits: (softmax(z) − onehot(label)) / n. */
export function sparseCategoricalCrossEntropyFromLogitsGrad(labels: ArrayLike<number>, z: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    categoricalCrossEntropyFromLogitsGrad(
      sparseTargets("sparseCategoricalCrossEntropyFromLogitsGrad(labels, z)", labels, z),
      z,
    ),
  );
}

/**
 * Sparse categorical cross-entropy from probabilities [rows, classes] and integer labels: −mean of log clip(p_label).
 */
export function sparseCategoricalCrossEntropy(labels: ArrayLike<number>, p: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    categoricalCrossEntropy(sparseTargets("sparseCategoricalCrossEntropy(labels, p)", labels, p), p),
  );
}

/** ∂/∂p of sparse categorical cross-entropy from probabilities: −1 / (p_label n) at the label, 0 elsewhere. */
export function sparseCategoricalCrossEntropyGrad(labels: ArrayLike<number>, p: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    categoricalCrossEntropyGrad(sparseTargets("sparseCategoricalCrossEntropyGrad(labels, p)", labels, p), p),
  );
}

/**
 * Seed 000 §4.1.2's cross-entropy exactly as written, −Σᵢ yᵢ log ŷᵢ: summed, not averaged, and with
 * no guard, so ŷᵢ = 0 gives −log 0 = ∞ where yᵢ = 1 and 0 · (−∞) = NaN where yᵢ = 0.
 * Kept to show that failure next to the stable forms above.
 */
export function documentCrossEntropy(y: tf.Tensor, yHat: tf.Tensor): tf.Scalar {
  assertSameShape("documentCrossEntropy(y, yHat)", y.shape, yHat.shape);
  return tf.tidy(() => tf.neg(tf.sum(y.mul(tf.log(yHat)))) as tf.Scalar);
}

/**
 * Binary cross-entropy computed the naive way from logits: p = σ(z) first, then
 * −mean(y log p + (1 − y) log(1 − p)) with no clipping. In float32 σ(z) rounds to exactly 1 for
 * z ≳ 17, so log(1 − p) = −∞: the failure the stable `binaryCrossEntropyFromLogits` avoids.
 *
 */
export function naiveBinaryCrossEntropyFromLogits(y: tf.Tensor, z: tf.Tensor): tf.Scalar {
  assertSameShape("naiveBinaryCrossEntropyFromLogits(y, z)", y.shape, z.shape);
  return tf.tidy(() => {
    const p = tf.sigmoid(z);
    const one = tf.scalar(1);
    return tf.neg(tf.mean(y.mul(tf.log(p)).add(one.sub(y).mul(tf.log(one.sub(p)))))) as tf.Scalar;
  });
}
