/**
 * Conv2DBackpropFilter for the wasm backend (Seed 000 §5.2.2 / Seed 001 §4.1: training the
 * documents' CNNs), which tfjs-backend-wasm lacks. The filter gradient
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s + kh·d − pad, ow·s + kw·d − pad, ci] · dy[b,oh,ow,co]
 * has two formulations on XNNPACK, both through FusedConv2D (the kernel tfjs-backend-wasm hands its
 * thread pool):
 * - as a convolution: x transposed to [ci, h, w, b] convolved with dy transposed to [oh, ow, b, co]
 *   as the filter, stride and dilation swapped ({@link filterGradientAsConvolution});
 * - as one matrix product patches[(kh,kw,ci), (b,oh,ow)] · dy[(b,oh,ow), co] (im2col), run as a 1×1
 *   convolution ({@link filterGradientAsProduct}).
 * Timed on the CNNs' shapes (bench/RESULTS.md), the product wins only where a patch is short
 * (a first layer's 3×3×1): there the convolution's output has kh·kw·ci pixels, too few to keep
 * XNNPACK's tiles full; elsewhere the convolution runs at least as fast and needs no patch copy.
 */
import * as tf from "@tensorflow/tfjs";
import { compose, type ComposingBackend, type KernelComposer } from "./compose";
import { convGeometry, type ConvGeometry } from "./conv-geometry";

/** Most patch values built at once (64 MiB of float32): bounds the extra memory of one gradient. */
export const PATCH_LIMIT = 16 * 2 ** 20;

/** Patch rows (kh·kw·ci) up to which {@link filterGradient} takes the product. */
export const SHORT_PATCH = 16;

/** a·b for row-major a [m, k] and b [k, n], as a 1×1 convolution of a [1, 1, m, k] by b [1, 1, k, n]. */
export function matMulAsConv(k: KernelComposer, a: tf.TensorInfo, b: tf.TensorInfo, m: number, inner: number, n: number): tf.TensorInfo {
  const image = k.run("Reshape", { x: a }, { shape: [1, 1, m, inner] });
  const filter = k.run("Reshape", { x: b }, { shape: [1, 1, inner, n] });
  const product = k.run("FusedConv2D", { x: image, filter }, { strides: [1, 1], pad: "valid", dilations: [1, 1], dataFormat: "NHWC", activation: "linear" });
  return k.run("Reshape", { x: product }, { shape: [m, n] });
}

/** The patches of a [ci, batch, paddedH, paddedW] image: [kh·kw·ci, batch·oh·ow], rows in dW's (kh, kw, ci) order. */
function patches(k: KernelComposer, image: tf.TensorInfo, batch: number, g: ConvGeometry): tf.TensorInfo {
  const stridedRows = g.strideHeight !== 1 || g.strideWidth !== 1;
  const shifted: tf.TensorInfo[] = [];
  for (let kh = 0; kh < g.filterHeight; kh++) {
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const begin = [0, 0, kh * g.dilationHeight, kw * g.dilationWidth];
      const size = [g.inChannels, batch, (g.outHeight - 1) * g.strideHeight + 1, (g.outWidth - 1) * g.strideWidth + 1];
      shifted.push(stridedRows
        ? k.run("StridedSlice", { x: image }, {
          begin, end: begin.map((b, i) => b + size[i]!), strides: [1, 1, g.strideHeight, g.strideWidth],
          beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
        })
        : k.run("Slice", { x: image }, { begin, size }));
    }
  }
  const stacked = shifted.length === 1 ? shifted[0]! : k.run("Concat", shifted as unknown as tf.NamedTensorInfoMap, { axis: 0 });
  return k.run("Reshape", { x: stacked }, { shape: [g.filterHeight * g.filterWidth * g.inChannels, batch * g.outHeight * g.outWidth] });
}

/**
 * The filter gradient of conv2d(x, W) for upstream gradient dy, on the composer's backend, for any
 * stride, dilation and padding (NHWC), by the faster formulation for its shape. Returns [kh, kw, ci, co].
 */
export function filterGradient(k: KernelComposer, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  return g.filterHeight * g.filterWidth * g.inChannels <= SHORT_PATCH ? filterGradientAsProduct(k, x, dy, g) : filterGradientAsConvolution(k, x, dy, g);
}

/** {@link filterGradient} as a convolution of x (batch ↔ channels) with dy as the filter. */
export function filterGradientAsConvolution(k: KernelComposer, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  // Rows (columns) of the padded input the forward windows touch, counted from the first padded row.
  const usedHeight = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
  const usedWidth = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1;
  const keepHeight = Math.min(g.inHeight, usedHeight - g.padTop);
  const keepWidth = Math.min(g.inWidth, usedWidth - g.padLeft);
  const cropped = keepHeight < g.inHeight || keepWidth < g.inWidth
    ? k.run("Slice", { x }, { begin: [0, 0, 0, 0], size: [g.batch, keepHeight, keepWidth, g.inChannels] })
    : x;
  const xT = k.run("Transpose", { x: cropped }, { perm: [3, 1, 2, 0] });
  const dyT = k.run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] });
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [g.padTop, usedHeight - g.padTop - keepHeight],
    [g.padLeft, usedWidth - g.padLeft - keepWidth],
    [0, 0],
  ];
  const swapped = k.run("Conv2D", { x: xT, filter: dyT }, {
    strides: [g.dilationHeight, g.dilationWidth],
    dilations: [g.strideHeight, g.strideWidth],
    pad,
    dataFormat: "NHWC",
  });
  return k.run("Transpose", { x: swapped }, { perm: [1, 2, 0, 3] });
}

/**
 * {@link filterGradient} as patches · dy: the patches are kh·kw shifted slices of x transposed to
 * [ci, b, h, w], dy the product's small packed operand. Batches whose patches exceed `patchLimit`
 * values are split and the partial products added.
 */
export function filterGradientAsProduct(k: KernelComposer, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, patchLimit = PATCH_LIMIT): tf.TensorInfo {
  const rows = g.filterHeight * g.filterWidth * g.inChannels;
  const perImage = rows * g.outHeight * g.outWidth;
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(patchLimit / perImage)));
  const padded = g.padTop + g.padBottom + g.padLeft + g.padRight > 0;
  let total: tf.TensorInfo | undefined;
  for (let start = 0; start < g.batch; start += chunk) {
    const count = Math.min(chunk, g.batch - start);
    const whole = count === g.batch;
    const xPart = whole ? x : k.run("Slice", { x }, { begin: [start, 0, 0, 0], size: [count, g.inHeight, g.inWidth, g.inChannels] });
    const dyPart = whole ? dy : k.run("Slice", { x: dy }, { begin: [start, 0, 0, 0], size: [count, g.outHeight, g.outWidth, g.outChannels] });
    let image = k.run("Transpose", { x: xPart }, { perm: [3, 0, 1, 2] });
    if (padded) {
      image = k.run("PadV2", { x: image }, { paddings: [[0, 0], [0, 0], [g.padTop, g.padBottom], [g.padLeft, g.padRight]], constantValue: 0 });
    }
    const columns = count * g.outHeight * g.outWidth;
    const product = matMulAsConv(k, patches(k, image, count, g), dyPart, rows, columns, g.outChannels);
    total = total === undefined ? product : k.run("Add", { a: total, b: product });
  }
  return k.run("Reshape", { x: total! }, { shape: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels] });
}

/** tfjs' Conv2DBackpropFilter kernel function for `backendName`, built on {@link filterGradient}. */
export function conv2dBackpropFilterKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const geometry = convGeometry(x!.shape, filterShape, strides, 1, pad, dimRoundingMode, dataFormat);
    return compose(backend as unknown as ComposingBackend, backendName, (k) => filterGradient(k, x!, dy!, geometry));
  };
}
