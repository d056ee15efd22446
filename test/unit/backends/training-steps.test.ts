import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { probeWasm } from "../../../src/backends/probes";

/**
 * The documents' three model families (CNN, RNN, GAN) take training steps on wasm with the same
 * gradients as on cpu: one set of weights, gradients computed on each backend, compared.
 */
function seq(layers: tf.layers.Layer[]): tf.Sequential {
  const model = tf.sequential();
  for (const layer of layers) model.add(layer);
  return model;
}

const L = tf.layers;
const init = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });

async function gradientsOn(
  backend: "wasm" | "cpu",
  model: tf.LayersModel,
  x: tf.Tensor,
  loss: (yHat: tf.Tensor) => tf.Scalar,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const { value, grads } = tf.variableGrads(() => loss(model.apply(x, { training: false }) as tf.Tensor));
  const names = Object.keys(grads).sort();
  const values = await Promise.all(names.map(async (name) => Float32Array.from(await grads[name]!.data())));
  tf.dispose([value, ...Object.values(grads)]);
  return values;
}

async function expectSameGradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  loss: (yHat: tf.Tensor) => tf.Scalar,
): Promise<void> {
  const wasm = await gradientsOn("wasm", model, x, loss);
  const before = tf.memory().numTensors;
  const again = await gradientsOn("wasm", model, x, loss);
  expect(tf.memory().numTensors).toBe(before);
  const cpu = await gradientsOn("cpu", model, x, loss);
  expect(wasm.length).toBe(cpu.length);
  wasm.forEach((values, i) => {
    const reference = cpu[i]!;
    const scale = Math.max(1e-3, ...Array.from(reference, Math.abs));
    const worst = Math.max(...Array.from(values, (v, j) => Math.abs(v - reference[j]!)));
    expect(worst / scale).toBeLessThan(1e-4);
    expect(again[i]).toEqual(values);
  });
}

async function trainsWithoutLeak(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: string): Promise<void> {
  await tf.setBackend("wasm");
  model.compile({ optimizer: tf.train.adam(0.01), loss });
  await model.trainOnBatch(x, y);
  const before = tf.memory().numTensors;
  const result = await model.trainOnBatch(x, y);
  expect(tf.memory().numTensors).toBe(before);
  expect(Number.isFinite(Array.isArray(result) ? result[0]! : result)).toBe(true);
}

/** A model's gradients against cpu, then a training step without a leak; frees the model and its data after. */
async function checkModel(
  model: tf.LayersModel,
  [x, y]: [tf.Tensor, tf.Tensor],
  loss: (y: tf.Tensor, yHat: tf.Tensor) => tf.Tensor,
  kerasLoss: string,
): Promise<void> {
  await expectSameGradients(model, x, (yHat) => loss(y, yHat) as tf.Scalar);
  await trainsWithoutLeak(model, x, y, kerasLoss);
  tf.dispose([x, y]);
  model.dispose();
}

beforeAll(async () => {
  expect((await probeWasm()).trains).toBe(true);
});

describe("training on wasm", () => {
  it("CNN (Seed 001 §4.1): conv, 'same' and 'valid', max-pool, dense — gradients match cpu", async () => {
    await tf.setBackend("wasm");
    const model = seq([
      L.conv2d({ filters: 4, kernelSize: 3, activation: "relu", inputShape: [12, 12, 2], ...init(1) }),
      L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 6, kernelSize: 3, padding: "same", activation: "relu", ...init(2) }),
      L.maxPooling2d({ poolSize: 2 }),
      L.flatten(),
      L.dense({ units: 3, activation: "softmax", ...init(3) }),
    ]);
    const x = tf.randomUniform([4, 12, 12, 2], 0, 1, "float32", 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), 3);
    await checkModel(model, [x, y], tf.losses.softmaxCrossEntropy, "categoricalCrossentropy");
  });

  it("RNN (Seed 001 §4.2): embedding, SimpleRNN and LSTM — gradients match cpu", async () => {
    await tf.setBackend("wasm");
    const model = seq([
      L.embedding({
        inputDim: 20,
        outputDim: 4,
        inputLength: 6,
        embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 6 }),
      }),
      L.simpleRNN({
        units: 5,
        returnSequences: true,
        ...init(7),
        recurrentInitializer: tf.initializers.glorotUniform({ seed: 8 }),
      }),
      L.lstm({ units: 3, ...init(9), recurrentInitializer: tf.initializers.glorotUniform({ seed: 10 }) }),
      L.dense({ units: 1, ...init(11) }),
    ]);
    const x = tf.tensor2d(
      [
        [1, 2, 3, 4, 5, 6],
        [6, 6, 0, 19, 2, 2],
        [3, 1, 4, 1, 5, 9],
      ],
      [3, 6],
      "int32",
    );
    const y = tf.tensor2d([[0.5], [-1], [2]]);
    await checkModel(model, [x, y], tf.losses.meanSquaredError, "meanSquaredError");
  });

  it("GAN (Seed 001 §4.3): transposed convs (stride 1 and 2), batch norm, leaky ReLU, strided conv discriminator", async () => {
    await tf.setBackend("wasm");
    const generator = seq([
      L.dense({ units: 4 * 4 * 6, inputShape: [5], useBias: false, ...init(12) }),
      L.batchNormalization(),
      L.leakyReLU({ alpha: 0.2 }),
      L.reshape({ targetShape: [4, 4, 6] }),
      L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 1, padding: "same", ...init(13) }),
      L.leakyReLU({ alpha: 0.2 }),
      L.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: "same", activation: "tanh", ...init(14) }),
    ]);
    const discriminator = seq([
      L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same", inputShape: [8, 8, 1], ...init(15) }),
      L.leakyReLU({ alpha: 0.2 }),
      L.flatten(),
      L.dense({ units: 1, activation: "sigmoid", ...init(16) }),
    ]);
    const gan = seq([generator, discriminator]);
    const z = tf.randomNormal([4, 5], 0, 1, "float32", 17);
    const real = tf.ones([4, 1]);
    await expectSameGradients(
      gan,
      z,
      (yHat) => tf.losses.sigmoidCrossEntropy(real, tf.log(tf.div(yHat, tf.sub(1, yHat)))) as tf.Scalar,
    );
    await trainsWithoutLeak(
      discriminator,
      tf.randomNormal([4, 8, 8, 1], 0, 1, "float32", 18),
      real,
      "binaryCrossentropy",
    );
    await trainsWithoutLeak(gan, z, real, "binaryCrossentropy");
    tf.dispose([z, real]);
    gan.dispose();
  });
});
