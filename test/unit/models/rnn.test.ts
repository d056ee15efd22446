import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "../../../src/backends";
import {
  documentRecurrence,
  elmanRecurrence,
  RECURRENT_LAYER_KINDS,
  recurrentForecaster,
  RnnConfigError,
  RnnShapeError,
  ScratchRnnForecaster,
} from "../../../src/models";
import { fitScratchRnn } from "../../../src/training";

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend({ quiet: true });
});

function close(actual: tf.Tensor, expected: number[][][], tolerance = 1e-6): void {
  expect(actual.shape).toEqual([expected.length, expected[0]!.length, expected[0]![0]!.length]);
  const values = Array.from(actual.dataSync());
  expected.flat(2).forEach((value, i) => expect(Math.abs(values[i]! - value)).toBeLessThan(tolerance));
}

// One sequence, two steps, two features: x_1 = [1, 0], x_2 = [0, 1].
const X = [
  [
    [1, 0],
    [0, 1],
  ],
];
const W = [
  [0.5, -1],
  [1, 0.5],
];

describe("Seed 001 §4.2 recurrence: as written and corrected, on a hand-computed two-step example", () => {
  it("as written: h_t = ReLU(x_t·W + h_{t−1}·W)", () => {
    // h_1 = ReLU([1,0]·W) = ReLU([0.5, −1]) = [0.5, 0]
    // h_2 = ReLU([0,1]·W + [0.5,0]·W) = ReLU([1, 0.5] + [0.25, −0.5]) = [1.25, 0]
    tf.tidy(() =>
      close(documentRecurrence(tf.tensor3d(X), tf.tensor2d(W)), [
        [
          [0.5, 0],
          [1.25, 0],
        ],
      ]),
    );
  });

  it("as written it only sees the sum x_t + h_{t−1}: x_t·W + h_{t−1}·W = (x_t + h_{t−1})·W", () => {
    tf.tidy(() => {
      const h1 = tf.tensor2d([[0.5, 0]]);
      const x2 = tf.tensor2d([[0, 1]]);
      const separate = tf.add(tf.matMul(x2, tf.tensor2d(W)), tf.matMul(h1, tf.tensor2d(W)));
      const summed = tf.matMul(tf.add(x2, h1), tf.tensor2d(W));
      expect(Array.from(separate.dataSync())).toEqual(Array.from(summed.dataSync()));
    });
  });

  it("corrected: h_t = f(x_t·W_x + h_{t−1}·W_h + b), ReLU and tanh", () => {
    tf.tidy(() => {
      const weights = {
        wx: tf.tensor2d(W),
        wh: tf.tensor2d([
          [0, 1],
          [1, 0],
        ]),
        b: tf.tensor1d([0.1, 0.2]),
      };
      // h_1 = ReLU([0.5, −1] + [0.1, 0.2]) = [0.6, 0]
      // h_2 = ReLU([1, 0.5] + [0.6, 0]·[[0,1],[1,0]] + [0.1, 0.2]) = ReLU([1, 0.5] + [0, 0.6] + [0.1, 0.2]) = [1.1,
      // 1.3]
      close(elmanRecurrence(tf.tensor3d(X), weights, "relu"), [
        [
          [0.6, 0],
          [1.1, 1.3],
        ],
      ]);
      // tanh: h_1 = tanh([0.6, −0.8]); h_2 = tanh([1.1, 0.7] + h_1·W_h) = tanh([1.1 + h_1[1], 0.7 + h_1[0]])
      const h1 = [Math.tanh(0.6), Math.tanh(-0.8)];
      close(elmanRecurrence(tf.tensor3d(X), weights), [[h1, [Math.tanh(1.1 + h1[1]!), Math.tanh(0.7 + h1[0]!)]]]);
    });
  });

  it("the corrected form with W_h = W_x and b = 0 and ReLU is the document's", () => {
    tf.tidy(() => {
      const x = tf.randomNormal([3, 5, 2], 0, 1, "float32", 7) as tf.Tensor3D;
      const w = tf.randomNormal([2, 2], 0, 0.8, "float32", 8) as tf.Tensor2D;
      const document = documentRecurrence(x, w);
      const corrected = elmanRecurrence(x, { wx: w, wh: w, b: tf.zeros([2]) }, "relu");
      expect(tf.max(tf.abs(tf.sub(document, corrected))).dataSync()[0]).toBeLessThan(1e-6);
    });
  });

  it("as written, one W forces state size = input features; the corrected form takes any state size", () => {
    tf.tidy(() => {
      const x = tf.ones([1, 3, 1]) as tf.Tensor3D;
      expect(() => documentRecurrence(x, tf.ones([1, 16]) as tf.Tensor2D)).toThrow(RnnShapeError);
      expect(() => documentRecurrence(x, tf.ones([1, 16]) as tf.Tensor2D)).toThrow(
        /state size must equal the input's 1 feature/,
      );
      expect(() => documentRecurrence(x, tf.ones([2, 2]) as tf.Tensor2D)).toThrow(/needs 1 rows/);
      const states = elmanRecurrence(x, {
        wx: tf.ones([1, 16]) as tf.Tensor2D,
        wh: tf.zeros([16, 16]) as tf.Tensor2D,
        b: tf.zeros([16]) as tf.Tensor1D,
      });
      expect(states.shape).toEqual([1, 3, 16]);
      expect(() =>
        elmanRecurrence(x, {
          wx: tf.ones([1, 4]) as tf.Tensor2D,
          wh: tf.zeros([4, 4]) as tf.Tensor2D,
          b: tf.zeros([3]) as tf.Tensor1D,
        }),
      ).toThrow(/b has 3 entries/);
    });
    expect(() => new ScratchRnnForecaster({ form: "document", features: 1, units: 16 })).toThrow(
      /units \(16\) must equal features \(1\)/,
    );
    expect(() => new ScratchRnnForecaster({ form: "corrected", features: 1, units: 0 })).toThrow(RnnConfigError);
    expect(() => new ScratchRnnForecaster({ form: "corrected", features: 1, learningRate: -1 })).toThrow(
      /learningRate/,
    );
  });
});

/** A tiny forecasting problem: 24 windows of 4 steps, one feature; target = 0.6·last + 0.3·previous. */
function tinyProblem(): { x: tf.Tensor3D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomNormal([24, 4, 1], 0, 1, "float32", 11) as tf.Tensor3D;
    const last = x.slice([0, 3, 0], [-1, 1, 1]).reshape([24, 1]);
    const previous = x.slice([0, 2, 0], [-1, 1, 1]).reshape([24, 1]);
    return { x, y: tf.add(tf.mul(last, 0.6), tf.mul(previous, 0.3)) as tf.Tensor2D };
  });
}

describe("from-scratch forecasters train with tf.variable weights and optimizer.minimize", () => {
  for (const form of ["document", "corrected"] as const) {
    it(`${form}: training steps lower the loss, leak no tensor, and dispose frees everything`, async () => {
      const { x, y } = tinyProblem();
      const start = tf.memory().numTensors;
      const model = new ScratchRnnForecaster({
        form,
        features: 1,
        units: form === "document" ? 1 : 4,
        seed: 3,
        learningRate: 0.05,
      });
      const first = model.loss(x, y);
      model.trainStep(x, y); // creates Adam's moments
      const before = tf.memory().numTensors;
      for (let step = 0; step < 30; step++) model.trainStep(x, y);
      tf.dispose(model.predict(x));
      expect(tf.memory().numTensors).toBe(before);
      const last = model.loss(x, y);
      expect(Number.isFinite(last)).toBe(true);
      expect(last).toBeLessThan(first);
      const { history } = await fitScratchRnn(model, x, y, {
        epochs: 2,
        batchSize: 8,
        seed: 1,
        validationData: [x, y],
      });
      expect(history.loss).toHaveLength(2);
      expect(history.val_loss).toHaveLength(2);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      expect(tf.memory().numTensors).toBe(start);
      tf.dispose([x, y]);
    });
  }

  it("refuses windows and targets of the wrong shape", () => {
    const model = new ScratchRnnForecaster({ form: "corrected", features: 2, units: 3 });
    tf.tidy(() => {
      expect(() => model.predict(tf.zeros([2, 4, 1]) as tf.Tensor3D)).toThrow(/x must be \[batch, time, 2\]/);
      expect(() => model.trainStep(tf.zeros([2, 4, 2]) as tf.Tensor3D, tf.zeros([3, 1]) as tf.Tensor2D)).toThrow(
        /y must be \[2, 1\]/,
      );
    });
    model.dispose();
  });

  it("the same seed gives the same initial weights", () => {
    const a = new ScratchRnnForecaster({ form: "corrected", features: 1, seed: 5 });
    const b = new ScratchRnnForecaster({ form: "corrected", features: 1, seed: 5 });
    a.variables.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(b.variables[i]!.dataSync())));
    a.dispose();
    b.dispose();
  });
});

describe("tfjs-layers forecasters: SimpleRNN, LSTM, GRU → Dense (Seed 001 §6.3)", () => {
  it("build [window, features] → [horizon] with Keras' parameter counts", () => {
    const units = 5;
    const f = 2;
    const perGate = f * units + units * units + units;
    const expected = { simpleRNN: perGate, lstm: 4 * perGate, gru: 3 * perGate };
    for (const kind of RECURRENT_LAYER_KINDS) {
      const model = recurrentForecaster({ kind, window: 7, features: f, units, horizon: 3, seed: 1 });
      expect(model.inputs[0]!.shape).toEqual([null, 7, f]);
      expect(model.outputs[0]!.shape).toEqual([null, 3]);
      expect(model.countParams()).toBe(expected[kind] + units * 3 + 3);
      model.dispose();
    }
    expect(() => recurrentForecaster({ kind: "gru", window: 0, features: 1 })).toThrow(/window/);
    expect(() => recurrentForecaster({ kind: "lstm", window: 3, features: 1, units: 2.5 })).toThrow(RnnConfigError);
  });

  for (const kind of RECURRENT_LAYER_KINDS) {
    it(`${kind}: training steps lower the loss on the chosen backend, leak no tensor, and seeds repeat weights`, async () => {
      const { x, y } = tinyProblem();
      const model = recurrentForecaster({ kind, window: 4, features: 1, units: 6, seed: 2, learningRate: 0.02 });
      const twin = recurrentForecaster({ kind, window: 4, features: 1, units: 6, seed: 2 });
      const weights = model.getWeights();
      twin.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(weights[i]!.dataSync())));
      twin.dispose();
      const first = (await model.trainOnBatch(x, y)) as number;
      const before = tf.memory().numTensors;
      let last = first;
      for (let step = 0; step < 30; step++) last = (await model.trainOnBatch(x, y)) as number;
      tf.dispose(model.predict(x));
      expect(tf.memory().numTensors).toBe(before);
      expect(Number.isFinite(last)).toBe(true);
      expect(last).toBeLessThan(first);
      expect(tf.getBackend()).toBe(backend.name);
      model.dispose();
      tf.dispose([x, y]);
    });
  }
});
