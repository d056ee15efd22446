import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { on } from "./on-backend";
import { nativeKernels, useNativeKernels } from "../../../src/backends/native-kernels";
import { probeWasm } from "../../../src/backends/probes";
import { KernelComposer } from "../../../src/backends/wasm-training/compose";
import { filterGradient } from "../../../src/backends/wasm-training/conv2d-backprop-filter";
import { inputGradient } from "../../../src/backends/wasm-training/conv2d-backprop-input";
import { convGeometry, type ConvGeometry } from "../../../src/backends/wasm-training/conv-geometry";
import { WASM_TRAINING_KERNELS } from "../../../src/backends/wasm-training/register";
import { seededRandom } from "../../../src/random";

/** Seeded integers in [lo, hi], so failing shapes can be reproduced. */
function rng(seed: number): (lo: number, hi: number) => number {
  const random = seededRandom(seed);
  return (lo, hi) => lo + random.int(hi - lo + 1);
}

/** Largest |a − b| relative to the reference's scale (float32 tolerance). */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / scale;
}

async function expectSameOnWasmAndCpu(compute: () => tf.Tensor | tf.Tensor[], tolerance = 2e-5): Promise<number> {
  const [wasm, cpu] = [await on("wasm", compute), await on("cpu", compute)];
  let worst = 0;
  wasm.forEach((values, i) => (worst = Math.max(worst, relativeError(values, cpu[i]!))));
  expect(worst).toBeLessThan(tolerance);
  return worst;
}

function randomArray(size: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: size }, () => next(-1000, 1000) / 500);
}

function geometryOf(
  xShape: number[],
  filterShape: number[],
  stride: number,
  dilation: number,
  pad: "valid" | "same",
): ConvGeometry {
  return convGeometry(xShape, filterShape, stride, dilation, pad, undefined, "NHWC");
}

/** Naive filter and input gradients (float64), the definition the kernels must meet for any dilation. */
function referenceGradients(
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
): { dw: Float64Array; dx: Float64Array } {
  const dw = new Float64Array(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels);
  const dx = new Float64Array(g.batch * g.inHeight * g.inWidth * g.inChannels);
  for (let b = 0; b < g.batch; b++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++)
        for (let kh = 0; kh < g.filterHeight; kh++)
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const h = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
            const v = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (h < 0 || h >= g.inHeight || v < 0 || v >= g.inWidth) continue;
            for (let ci = 0; ci < g.inChannels; ci++)
              for (let co = 0; co < g.outChannels; co++) {
                const grad = dy[((b * g.outHeight + oh) * g.outWidth + ow) * g.outChannels + co]!;
                const xi = ((b * g.inHeight + h) * g.inWidth + v) * g.inChannels + ci;
                const wi = ((kh * g.filterWidth + kw) * g.inChannels + ci) * g.outChannels + co;
                dw[wi]! += x[xi]! * grad;
                dx[xi]! += w[wi]! * grad;
              }
          }
  return { dw, dx };
}

beforeAll(async () => {
  const wasm = await probeWasm();
  expect(wasm.available).toBe(true);
});

// Every check runs on the native kernels (where built) and on the XNNPACK compositions they replace.
const PATHS = nativeKernels() === undefined ? ["XNNPACK"] : ["native kernels", "XNNPACK"];

describe.each(PATHS)("wasm training kernels on %s", (path) => {
  beforeAll(() => useNativeKernels(path === "native kernels"));
  afterAll(() => useNativeKernels(true));

  it("are all registered on wasm, so the probe says wasm trains", async () => {
    for (const kernel of WASM_TRAINING_KERNELS) expect(tf.getKernel(kernel, "wasm"), kernel).toBeDefined();
    expect((await probeWasm()).trains).toBe(true);
  });

  it("Conv2DBackpropFilter and Conv2DBackpropInput match cpu on random shapes, strides 1–2, valid/same", async () => {
    const next = rng(7);
    let worst = 0;
    for (let trial = 0; trial < 12; trial++) {
      const stride = 1 + (trial % 2);
      const pad = trial % 4 < 2 ? "valid" : "same";
      const [kh, kw] = [next(1, 4), next(1, 4)];
      const xShape: [number, number, number, number] = [next(1, 3), next(kh + 1, 11), next(kw + 1, 11), next(1, 4)];
      const wShape: [number, number, number, number] = [kh, kw, xShape[3], next(1, 5)];
      const xv = randomArray(tf.util.sizeFromShape(xShape), trial);
      const wv = randomArray(tf.util.sizeFromShape(wShape), trial + 100);
      const gradients = () => {
        const loss = (x: tf.Tensor, w: tf.Tensor) =>
          tf
            .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad)
            .square()
            .sum();
        return tf.grads(loss)([tf.tensor4d(xv, xShape), tf.tensor4d(wv, wShape)]);
      };
      worst = Math.max(worst, await expectSameOnWasmAndCpu(gradients));
    }
    expect(worst).toBeLessThan(2e-5);
  });

  it("forward Conv2D and FusedConv2D with pad 'same' match cpu (tfjs-wasm's SAME flag gives zeros for 1×k filters at stride 2)", async () => {
    const next = rng(13);
    for (let trial = 0; trial < 10; trial++) {
      const stride = 1 + (trial % 2);
      const dilation = stride === 1 && trial % 4 === 0 ? 2 : 1;
      const pad = trial % 3 === 0 ? "valid" : "same";
      const [kh, kw] = trial < 2 ? [1, 2 + trial] : [next(1, 4), next(1, 4)];
      const xShape: [number, number, number, number] = [next(1, 2), 2 * next(2, 5), next(4, 9), next(1, 3)];
      const wShape: [number, number, number, number] = [kh, kw, xShape[3], next(1, 4)];
      const xv = randomArray(tf.util.sizeFromShape(xShape), trial + 400);
      const wv = randomArray(tf.util.sizeFromShape(wShape), trial + 500);
      await expectSameOnWasmAndCpu(() => {
        const [x, w] = [tf.tensor4d(xv, xShape), tf.tensor4d(wv, wShape)];
        const bias = tf.linspace(-1, 1, wShape[3]);
        return [
          tf.conv2d(x, w, stride, pad, "NHWC", dilation),
          tf.fused.conv2d({ x, filter: w, strides: stride, pad, dilations: dilation, bias, activation: "relu" }),
        ];
      });
    }
  });

  it("the filter and input gradients meet the definition for dilations 1–2 and strides 1–2", async () => {
    await tf.setBackend("wasm");
    const next = rng(11);
    for (let trial = 0; trial < 8; trial++) {
      const dilation = 1 + (trial % 2);
      const stride = dilation === 2 ? 1 : 1 + ((trial >> 1) % 2);
      const pad = trial % 4 < 2 ? "valid" : "same";
      const [kh, kw] = [next(1, 3), next(1, 3)];
      const xShape = [next(1, 2), next(2 * kh + 1, 10), next(2 * kw + 1, 10), next(1, 3)];
      const wShape = [kh, kw, xShape[3]!, next(1, 4)];
      const g = geometryOf(xShape, wShape, stride, dilation, pad);
      const xv = randomArray(tf.util.sizeFromShape(xShape), trial + 1);
      const wv = randomArray(tf.util.sizeFromShape(wShape), trial + 200);
      const dyv = randomArray(g.batch * g.outHeight * g.outWidth * g.outChannels, trial + 300);
      const reference = referenceGradients(xv, wv, dyv, g);
      const x = tf.tensor(xv, xShape);
      const w = tf.tensor(wv, wShape);
      const dy = tf.tensor(dyv, [g.batch, g.outHeight, g.outWidth, g.outChannels]);
      const composer = new KernelComposer(tf.backend(), "wasm");
      const dw = tf.engine().makeTensorFromTensorInfo(composer.release(filterGradient(composer, x, dy, g)));
      expect(dw.shape).toEqual(wShape);
      expect(relativeError(Float32Array.from(await dw.data()), Float32Array.from(reference.dw))).toBeLessThan(2e-5);
      dw.dispose();
      if (stride === 1) {
        const dx = tf.engine().makeTensorFromTensorInfo(composer.release(inputGradient(composer, dy, w, g)));
        expect(dx.shape).toEqual(xShape);
        expect(relativeError(Float32Array.from(await dx.data()), Float32Array.from(reference.dx))).toBeLessThan(2e-5);
        dx.dispose();
      }
      tf.dispose([x, w, dy]);
    }
  });

  it("MaxPoolGrad matches cpu, ties included (relu zeros, repeated integers), sizes 2–3, strides 1–2, valid/same", async () => {
    const next = rng(3);
    for (let trial = 0; trial < 10; trial++) {
      const size = next(2, 3);
      const stride = 1 + (trial % 2);
      const pad = trial % 4 < 2 ? "valid" : "same";
      const shape: [number, number, number, number] = [next(1, 3), next(size, 9), next(size, 9), next(1, 4)];
      const values = randomArray(tf.util.sizeFromShape(shape), trial + 50).map((v) =>
        trial % 3 === 0 ? Math.round(v * 2) : v,
      );
      const gradient = () => {
        const x = tf.relu(tf.tensor4d(values, shape));
        const dy = tf
          .maxPool(x, size, stride, pad)
          .mul(
            tf
              .range(1, 1 + tf.util.sizeFromShape(tf.maxPool(x, size, stride, pad).shape))
              .reshape(tf.maxPool(x, size, stride, pad).shape),
          );
        return tf.grad((input: tf.Tensor) =>
          tf
            .maxPool(input as tf.Tensor4D, size, stride, pad)
            .mul(dy)
            .sum(),
        )(x);
      };
      await expectSameOnWasmAndCpu(gradient, 1e-6);
    }
  });

  it("MaxPoolGrad's 2×2 stride-2 path (the CNNs' pools) matches cpu: even and odd sides, valid and same, ties, −∞", async () => {
    for (const [trial, pad] of [
      [0, "valid"],
      [1, "same"],
      [2, "valid"],
      [3, "same"],
    ] as const) {
      const shape: [number, number, number, number] = [2, 6 + trial, 7 - (trial % 2), 3];
      const values = randomArray(tf.util.sizeFromShape(shape), trial + 70).map((v, i) =>
        i % 11 === 0 ? -Infinity : trial < 2 ? Math.round(v) : v,
      );
      const gradient = () => {
        const raw = tf.tensor4d(values, shape);
        const x = tf.where(raw.equal(-Infinity), raw, tf.relu(raw));
        const pooled = tf.maxPool(x as tf.Tensor4D, 2, 2, pad);
        const dy = tf.range(1, 1 + pooled.size).reshape(pooled.shape);
        const dx = tf.grad((input: tf.Tensor) =>
          tf
            .maxPool(input as tf.Tensor4D, 2, 2, pad)
            .mul(dy)
            .sum(),
        )(x);
        return [dx, dx.notEqual(0).sum().cast("float32")];
      };
      const [, routed] = await on("wasm", gradient);
      expect(routed![0]).toBeGreaterThan(20); // most windows route a gradient: the check compares real values
      await expectSameOnWasmAndCpu(gradient, 1e-6);
    }
  });

  it("BatchMatMul with transposed operands matches cpu (2-D and batched), gradients included", async () => {
    const next = rng(5);
    for (let trial = 0; trial < 8; trial++) {
      const [m, k, n] = [next(1, 40), next(1, 40), next(1, 40)];
      const batch = trial < 4 ? [] : [next(1, 3)];
      const transposeA = trial % 2 === 1;
      const transposeB = (trial >> 1) % 2 === 1;
      const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...batch, ...(transposeB ? [n, k] : [k, n])];
      const av = randomArray(tf.util.sizeFromShape(aShape), trial + 7);
      const bv = randomArray(tf.util.sizeFromShape(bShape), trial + 70);
      await expectSameOnWasmAndCpu(() => {
        const [a, b] = [tf.tensor(av, aShape), tf.tensor(bv, bShape)];
        const product = tf.matMul(a, b, transposeA, transposeB);
        const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.matMul(x, y, transposeA, transposeB).square().sum(),
        )([a, b]);
        return [product, da!, db!];
      });
    }
  });

  it("BatchMatMul picks the swapped layout for a small left and a big transposed right operand, same answer", async () => {
    const { layoutCost } = await import("../../../src/backends/wasm-training/batch-mat-mul");
    expect(layoutCost(2 * 30, 40 * 30, 2 * 40, false, true, true)).toBeLessThan(
      layoutCost(2 * 30, 40 * 30, 2 * 40, false, true, false),
    );
    const [av, bv] = [randomArray(2 * 30, 1), randomArray(40 * 30, 2)];
    await expectSameOnWasmAndCpu(() => tf.matMul(tf.tensor2d(av, [2, 30]), tf.tensor2d(bv, [40, 30]), false, true));
    await expectSameOnWasmAndCpu(() => tf.matMul(tf.tensor2d(bv, [30, 40]), tf.tensor2d(av, [30, 2]), true, false));
  });

  it("Sum over leading axes (bias gradients) matches cpu; other reductions still work", async () => {
    const values = randomArray(3 * 5 * 4 * 6, 21);
    await expectSameOnWasmAndCpu(() => {
      const x = tf.tensor4d(values, [3, 5, 4, 6]);
      return [
        x.sum([0, 1, 2]),
        x.sum(0),
        x.sum([1, 0], true),
        x.sum([-4, -3]),
        x.sum([1, 2]),
        x.sum(3),
        x.sum(),
        x.toInt().sum(0),
      ];
    }, 1e-6);
  });

  it("UnsortedSegmentSum matches cpu, with repeated and out-of-range ids", async () => {
    const ids = [0, 3, 3, 1, -1, 7, 0, 2];
    const values = randomArray(ids.length * 6, 9);
    await expectSameOnWasmAndCpu(() => [
      tf.unsortedSegmentSum(tf.tensor2d(values, [ids.length, 6]), tf.tensor1d(ids, "int32"), 5),
      tf.unsortedSegmentSum(tf.tensor1d(values.slice(0, ids.length)), tf.tensor1d(ids, "int32"), 8),
      tf.grad((table: tf.Tensor) =>
        tf
          .gather(table, tf.tensor1d([1, 1, 4, 0], "int32"))
          .square()
          .sum(),
      )(tf.tensor2d(values.slice(0, 30), [5, 6])),
    ]);
  });

  it("leaves no tensor behind in any of its kernels", async () => {
    await tf.setBackend("wasm");
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"), 2, 2, "valid").sum(),
    )([x, w]);
    tf.dispose(grads);
    // The CNNs' first layers: one input channel.
    const firstLayer = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid").sum(),
    );
    tf.dispose(tf.tidy(() => firstLayer([x.slice([0, 0, 0, 0], [2, 8, 8, 1]), w.slice([0, 0, 0, 0], [3, 3, 1, 4])])));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    tf.dispose([x, w]);
  });
});
