/**
 * Conv2DBackpropFilter for the wasm backend (training the
 * documents' CNNs), which tfjs-backend-wasm lacks. The filter gradient
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s + kh·d − pad, ow·s + kw·d − pad, ci] · dy[b,oh,ow,co]
 * is itself a convolution: x transposed to [ci, h, w, b] (batch ↔ channels) convolved with dy
 * transposed to [oh, ow, b, co] as the filter, stride d and dilation s swapped. It runs on the
 * backend's XNNPACK Conv2D, with two transposes around it. (im2col patches · dy as one XNNPACK
 * product timed slower on the CNNs' shapes, 1×–2×: XNNPACK repacks the fresh dy at every call.)
 */
import * as tf from "@tensorflow/tfjs";
import { compose, type ComposingBackend, type KernelComposer } from "./compose";
import { convGeometry, type ConvGeometry } from "./conv-geometry";
import { nativeFilterGradient } from "./native-paths";

/**
 * The filter gradient of conv2d(x, W) for upstream gradient dy, on the composer's backend,
 * for any stride, dilation and padding (NHWC). Returns a [kh, kw, ci, co] tensor info.
 */
export function filterGradient(k: KernelComposer, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  // Rows (columns) of the padded input the forward windows touch, counted from the first padded row.
  const usedHeight = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
  const usedWidth = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1;
  const keepHeight = Math.min(g.inHeight, usedHeight - g.padTop);
  const keepWidth = Math.min(g.inWidth, usedWidth - g.padLeft);
  const cropped =
    keepHeight < g.inHeight || keepWidth < g.inWidth
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
  const swapped = k.run(
    "Conv2D",
    { x: xT, filter: dyT },
    {
      strides: [g.dilationHeight, g.dilationWidth],
      dilations: [g.strideHeight, g.strideWidth],
      pad,
      dataFormat: "NHWC",
    },
  );
  return k.run("Transpose", { x: swapped }, { perm: [1, 2, 0, 3] });
}

/** tfjs' Conv2DBackpropFilter kernel function for `backendName`: the native kernel where loaded, else {@link filterGradient}. */
export function conv2dBackpropFilterKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const geometry = convGeometry(x!.shape, filterShape, strides, 1, pad, dimRoundingMode, dataFormat);
    const native = nativeFilterGradient(backend, x!, dy!, geometry);
    if (native !== undefined) return native;
    return compose(backend as unknown as ComposingBackend, backendName, (k) => filterGradient(k, x!, dy!, geometry));
  };
}
