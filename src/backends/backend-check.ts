/**
 * A backend checked against tfjs's reference cpu backend, kernel by kernel, forward and backward:
 * the operations the workbook's CNN, RNN and GAN train with. Used by the test suite (webgpu on a
 * software Vulkan driver, on every commit) and by `npm run bench -- gpu` on a real GPU.
 */
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../random";

/** One comparison: the worst error relative to the largest reference magnitude, within `tolerance`. */
export interface BackendCheck {
  readonly name: string;
  readonly relativeError: number;
  readonly tolerance: number;
  readonly ok: boolean;
}

// GPU reductions sum in a different order than the cpu backend; a recurrent or optimiser chain
// compounds that over its steps.
const TOLERANCE = 1e-3;

function values(size: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: size }, () => random.uniform() - 0.5);
}

async function valuesOn(backend: string, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(compute);
  const read = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data()))); // never dataSync on webgpu in Node
  tf.dispose(outs);
  return read;
}

async function compare(
  backend: string,
  name: string,
  compute: () => tf.Tensor[],
  tolerance = TOLERANCE,
): Promise<BackendCheck> {
  const [actual, expected] = [await valuesOn(backend, compute), await valuesOn("cpu", compute)];
  let worst = 0;
  actual.forEach((got, i) => {
    const want = expected[i]!;
    let scale = 1e-3;
    let diff = 0;
    for (let j = 0; j < want.length; j++) {
      scale = Math.max(scale, Math.abs(want[j]!));
      diff = Math.max(diff, Math.abs(got[j]! - want[j]!));
    }
    worst = Math.max(worst, got.length === want.length ? diff / scale : Number.POSITIVE_INFINITY);
  });
  return { name, relativeError: worst, tolerance, ok: worst < tolerance };
}

/** Dropout draws its own mask per backend: check the share dropped and the scaling of what is kept. */
async function dropoutCheck(backend: string): Promise<BackendCheck> {
  const rate = 0.5;
  const [kept] = await valuesOn(backend, () => [tf.dropout(tf.ones([64, 64]), rate, undefined, 7)]);
  const dropped = kept!.filter((v) => v === 0).length / kept!.length;
  const scaled = kept!.filter((v) => v !== 0);
  const scaleError = Math.max(0, ...scaled.map((v) => Math.abs(v - 1 / (1 - rate))));
  const error = Math.max(Math.abs(dropped - rate), scaleError);
  return {
    name: "dropout 0.5: share dropped, scale of the kept",
    relativeError: error,
    tolerance: 0.05,
    ok: error < 0.05,
  };
}

/** Every check of `backend` against cpu, in a fixed order. */
export async function checkBackendAgainstCpu(backend: string): Promise<BackendCheck[]> {
  const checks: BackendCheck[] = [];
  let seed = 1;
  const sized = (shape: number[]) => values(tf.util.sizeFromShape(shape), seed++);
  for (const stride of [1, 2]) {
    for (const pad of ["valid", "same"] as const) {
      const xShape: [number, number, number, number] = [3, 11, 10, 4];
      const wShape: [number, number, number, number] = [3, 3, 4, 5];
      const [xv, wv] = [sized(xShape), sized(wShape)];
      checks.push(
        await compare(backend, `conv2d + gradients, stride ${stride}, ${pad}`, () => {
          const [x, w] = [tf.tensor4d(xv, xShape), tf.tensor4d(wv, wShape)];
          const loss = (a: tf.Tensor, b: tf.Tensor) =>
            tf
              .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
              .square()
              .sum();
          return [tf.conv2d(x, w, stride, pad), ...tf.grads(loss)([x, w])];
        }),
      );
    }
  }
  const tShape: [number, number, number, number] = [2, 7, 7, 6];
  const tfShape: [number, number, number, number] = [4, 4, 3, 6]; // [h, w, out, in]
  const [tv, tw] = [sized(tShape), sized(tfShape)];
  checks.push(
    await compare(backend, "conv2dTranspose stride 2 (the GAN's upsampling) + gradients", () => {
      const [x, w] = [tf.tensor4d(tv, tShape), tf.tensor4d(tw, tfShape)];
      const up = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 14, 14, 3], 2, "same");
      return [up(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => up(a, b).square().sum())([x, w])];
    }),
  );
  const pv = sized([2, 12, 12, 6]);
  for (const [name, pool] of [
    ["maxPool", tf.maxPool],
    ["avgPool", tf.avgPool],
  ] as const) {
    checks.push(
      await compare(backend, `${name} 2×2 + gradient`, () => {
        const x = tf.tensor4d(pv, [2, 12, 12, 6]);
        const pooled = (a: tf.Tensor) => pool(a as tf.Tensor4D, 2, 2, "valid");
        return [pooled(x), tf.grad((a: tf.Tensor) => pooled(a).square().sum())(x)];
      }),
    );
  }
  const [av, bv] = [sized([64, 300]), sized([300, 50])];
  checks.push(
    await compare(backend, "matMul + gradients (transposed products)", () => {
      const [a, b] = [tf.tensor2d(av, [64, 300]), tf.tensor2d(bv, [300, 50])];
      return [tf.matMul(a, b), ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q).square().sum())([a, b])];
    }),
  );
  const [bnx, bng, bnb] = [sized([8, 5, 5, 6]), sized([6]), sized([6])];
  checks.push(
    await compare(backend, "batch normalisation (batch statistics) + gradients", () => {
      const [x, gamma, beta] = [tf.tensor4d(bnx, [8, 5, 5, 6]), tf.tensor1d(bng).add(1), tf.tensor1d(bnb)];
      const norm = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.batchNorm(a, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3);
      };
      return [
        norm(x, gamma, beta),
        ...tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => norm(a, g, b).square().sum())([x, gamma, beta]),
      ];
    }),
  );
  checks.push(await dropoutCheck(backend));
  const [lx, lk] = [sized([4, 10, 3]), sized([3 + 8, 4 * 8])];
  checks.push(
    await compare(backend, "LSTM cell over 10 steps + gradients", () => {
      const [xs, kernel] = [tf.tensor3d(lx, [4, 10, 3]), tf.tensor2d(lk, [11, 32])];
      const run = (input: tf.Tensor, k: tf.Tensor) => {
        let [c, h] = [tf.zeros([4, 8]) as tf.Tensor2D, tf.zeros([4, 8]) as tf.Tensor2D];
        for (let t = 0; t < 10; t++) {
          const step = input.slice([0, t, 0], [4, 1, 3]).reshape([4, 3]) as tf.Tensor2D;
          [c, h] = tf.basicLSTMCell(tf.scalar(1), k as tf.Tensor2D, tf.zeros([32]), step, c, h);
        }
        return h;
      };
      return [run(xs, kernel), ...tf.grads((a: tf.Tensor, k: tf.Tensor) => run(a, k).square().sum())([xs, kernel])];
    }),
  );
  const gx = sized([4, 10, 3]);
  checks.push(
    await compare(backend, "GRU layer over 10 steps + input gradient", () => {
      const gru = tf.layers.gru({
        units: 8,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: 5 }),
      });
      const xs = tf.tensor3d(gx, [4, 10, 3]);
      const out = gru.apply(xs) as tf.Tensor;
      const grad = tf.grad((a: tf.Tensor) => (gru.apply(a) as tf.Tensor).square().sum())(xs);
      const weights = gru.getWeights().map((w) => w.clone());
      gru.dispose();
      return [out, grad, ...weights];
    }),
  );
  const [adamStart, adamTarget] = [sized([40]), sized([40])];
  checks.push(
    await compare(backend, "Adam: three updates of one variable", () => {
      const variable = tf.variable(tf.tensor1d(adamStart));
      const target = tf.tensor1d(adamTarget);
      const adam = tf.train.adam(0.01);
      for (let step = 0; step < 3; step++) adam.minimize(() => variable.sub(target).square().sum() as tf.Scalar);
      const result = variable.clone();
      adam.dispose();
      variable.dispose();
      return [result];
    }),
  );
  const iv = sized([8, 28, 28]);
  checks.push(
    await compare(backend, "Fashion-MNIST CNN: one step's gradients", () => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({
            filters: 8,
            kernelSize: 3,
            activation: "relu",
            inputShape: [28, 28, 1],
            kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({
            filters: 16,
            kernelSize: 3,
            activation: "relu",
            kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
          }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({
            units: 10,
            activation: "softmax",
            kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
          }),
        ],
      });
      const x = tf.tensor4d(iv, [8, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10);
      const { grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar,
      );
      const out = Object.keys(grads)
        .sort()
        .map((k) => grads[k]!);
      model.dispose();
      return out;
    }),
  );
  return checks;
}
