import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  binaryCrossEntropy,
  binaryCrossEntropyFromLogits,
  categoricalCrossEntropy,
  categoricalCrossEntropyFromLogits,
  documentCrossEntropy,
  f64,
  MathInputError,
  mse,
  naiveBinaryCrossEntropyFromLogits,
  relu,
  sigmoid,
  softmax,
  sparseCategoricalCrossEntropy,
  sparseCategoricalCrossEntropyFromLogits,
  tanh,
} from "../../../src/math";
import { useCpuBackend } from "../backend-setup";

useCpuBackend();

const read = (t: tf.Tensor): number[] => {
  const values = Array.from(t.dataSync());
  t.dispose();
  return values;
};

describe("losses agree with their float64 forms and with known values", () => {
  it("MSE, binary and categorical cross-entropy", () => {
    const before = tf.memory().numTensors;
    const y = [1, 0, 1, 0];
    const z = [2, -1, 0.5, 3];
    const p = f64.sigmoid(z);
    const Y = [0, 1, 0, 1, 0, 0];
    const Z = [1, 2, 3, -1, 0, 4];
    const P = f64.softmax(Z, 3);
    tf.tidy(() => {
      const t = (v: ArrayLike<number>, shape: number[]) => tf.tensor(Array.from(v), shape);
      expect(mse(t([1, 2, 3], [3]), t([1, 2, 5], [3])).dataSync()[0]).toBeCloseTo(4 / 3, 6);
      expect(binaryCrossEntropyFromLogits(t([0], [1]), t([0], [1])).dataSync()[0]).toBeCloseTo(Math.LN2, 6);
      expect(binaryCrossEntropyFromLogits(t(y, [4]), t(z, [4])).dataSync()[0]).toBeCloseTo(
        f64.binaryCrossEntropyFromLogits(y, z),
        6,
      );
      expect(binaryCrossEntropy(t(y, [4]), t(p, [4])).dataSync()[0]).toBeCloseTo(
        f64.binaryCrossEntropyFromLogits(y, z),
        5,
      );
      expect(categoricalCrossEntropyFromLogits(t(Y, [2, 3]), t(Z, [2, 3])).dataSync()[0]).toBeCloseTo(
        f64.categoricalCrossEntropyFromLogits(Y, Z, 3),
        5,
      );
      expect(categoricalCrossEntropy(t(Y, [2, 3]), t(P, [2, 3])).dataSync()[0]).toBeCloseTo(
        f64.categoricalCrossEntropyFromLogits(Y, Z, 3),
        5,
      );
      expect(sparseCategoricalCrossEntropyFromLogits([1, 0], t(Z, [2, 3])).dataSync()[0]).toBeCloseTo(
        f64.categoricalCrossEntropyFromLogits(Y, Z, 3),
        5,
      );
      expect(sparseCategoricalCrossEntropy([1, 0], t(P, [2, 3])).dataSync()[0]).toBeCloseTo(
        f64.sparseCategoricalCrossEntropy([1, 0], P, 3),
        5,
      );
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("activations: values match float64, softmax rows sum to 1 even for huge logits", () => {
    const x = [-30, -2, -0.5, 0, 0.5, 2, 30];
    const close = (a: number[], b: ArrayLike<number>) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
    close(read(sigmoid(tf.tensor1d(x))), f64.sigmoid(x));
    close(read(relu(tf.tensor1d(x))), f64.relu(x));
    close(read(tanh(tf.tensor1d(x))), f64.tanh(x));
    const s = read(softmax(tf.tensor2d([[0, 1000, -1000]])));
    expect(s.every(Number.isFinite)).toBe(true);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(f64.softmax([0, 1000, -1000], 3)[1]).toBe(1);
  });
});

describe("the stable cross-entropy is finite where the naive one is not", () => {
  it("Seed 000 §4.1.2 as written: log 0 gives Infinity (true class at p = 0) and NaN (0 · log 0)", () => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d([[0, 120]]);
    const p = softmax(logits); // float32: [e^-120 → 0, 1]
    const first = tf.tensor2d([[1, 0]]);
    const second = tf.tensor2d([[0, 1]]);
    const docTrueClassZero = read(documentCrossEntropy(first, p))[0]!;
    const docOtherClassZero = read(documentCrossEntropy(second, p))[0]!;
    expect(docTrueClassZero).toBe(Infinity);
    expect(docOtherClassZero).toBeNaN();
    const stable = read(categoricalCrossEntropyFromLogits(first, logits))[0]!;
    expect(stable).toBeCloseTo(120, 3);
    const clipped = read(categoricalCrossEntropy(first, p))[0]!;
    expect(clipped).toBeCloseTo(-Math.log(1e-7), 1);
    tf.dispose([logits, p, first, second]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("binary: σ(z) rounds to 1 in float32 for z = 20, so the naive form is Infinity or NaN", () => {
    const z = tf.tensor1d([20]);
    expect(read(naiveBinaryCrossEntropyFromLogits(tf.tensor1d([0]), z))[0]).toBe(Infinity);
    expect(read(naiveBinaryCrossEntropyFromLogits(tf.tensor1d([1]), z))[0]).toBeNaN();
    expect(read(binaryCrossEntropyFromLogits(tf.tensor1d([0]), z))[0]).toBeCloseTo(20, 4);
    expect(read(binaryCrossEntropyFromLogits(tf.tensor1d([1]), z))[0]).toBeCloseTo(Math.log1p(Math.exp(-20)), 9);
    z.dispose();
  });

  it("keeps the tiny loss of a confident right answer on wasm too (log1p there returns 0 below ~1e-8)", async () => {
    await import("@tensorflow/tfjs-backend-wasm");
    await tf.setBackend("wasm");
    try {
      const loss = tf.tidy(() => binaryCrossEntropyFromLogits(tf.tensor1d([1]), tf.tensor1d([20])).dataSync()[0]!);
      expect(loss / Math.log1p(Math.exp(-20))).toBeCloseTo(1, 5);
    } finally {
      await tf.setBackend("cpu");
    }
  });
});

describe("bad input names the function and the index or shape", () => {
  it("labels and shapes", () => {
    const z = tf.zeros([2, 3]);
    expect(() => sparseCategoricalCrossEntropyFromLogits([0, 3], z)).toThrow(MathInputError);
    expect(() => sparseCategoricalCrossEntropyFromLogits([0, 3], z)).toThrow(
      /label 3 at index 1 is not an integer in \[0, 3\)/,
    );
    expect(() => sparseCategoricalCrossEntropyFromLogits([0], z)).toThrow(/1 labels for 2 rows/);
    expect(() => mse(tf.zeros([3]), z)).toThrow(/mse\(y, yHat\): shapes differ \(\[3\] vs \[2, 3\]\)/);
    expect(() => f64.softmax([1, 2, 3], 2)).toThrow(/3 values do not form rows of 2 columns/);
    expect(() => f64.mse([], [])).toThrow(/no values/);
    z.dispose();
  });
});
