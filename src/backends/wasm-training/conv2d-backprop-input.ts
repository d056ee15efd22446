/**
 * Conv2DBackpropInput for the wasm backend on XNNPACK (the gradient that
 * flows back through each CNN layer). tfjs-backend-wasm's own kernel is a scalar
 * loop; for stride 1 the input gradient is a "full" convolution of dy with the filter rotated by
 * 180° and its in/out channels swapped, which XNNPACK's Conv2D runs fast. Other strides keep the
 * backend's own kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { compose, type ComposingBackend, type KernelComposer } from "./compose";
import { convGeometry, type ConvGeometry } from "./conv-geometry";
import { nativeInputGradient } from "./native-paths";

/** Whether {@link inputGradient} handles this geometry (stride 1; any dilation). */
export function inputGradientIsConvolution(g: ConvGeometry): boolean {
  const { top, bottom, left, right } = fullPadding(g);
  return g.strideHeight === 1 && g.strideWidth === 1 && Math.min(top, bottom, left, right) >= 0;
}

/** Padding of dy that turns the stride-1 input gradient into a convolution with output [h, w]. */
function fullPadding(g: ConvGeometry): { top: number; bottom: number; left: number; right: number } {
  return {
    top: (g.filterHeight - 1) * g.dilationHeight - g.padTop,
    bottom: g.inHeight - g.outHeight + g.padTop,
    left: (g.filterWidth - 1) * g.dilationWidth - g.padLeft,
    right: g.inWidth - g.outWidth + g.padLeft,
  };
}

/**
 * The input gradient of a stride-1 conv2d(x, W) for upstream gradient dy, as one convolution:
 * dx = conv(pad(dy), rot180(W) with ci ↔ co). Returns an [n, h, w, ci] tensor info.
 */
export function inputGradient(
  k: KernelComposer,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  const { top, bottom, left, right } = fullPadding(g);
  const rotated = k.run("Reverse", { x: filter }, { dims: [0, 1] });
  const swapped = k.run("Transpose", { x: rotated }, { perm: [0, 1, 3, 2] });
  return k.run(
    "Conv2D",
    { x: dy, filter: swapped },
    {
      strides: [1, 1],
      dilations: [g.dilationHeight, g.dilationWidth],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: "NHWC",
    },
  );
}

/**
 * tfjs' Conv2DBackpropInput kernel function for `backendName`: the native kernel where loaded, else
 * {@link inputGradient} for stride 1, else `fallback` (the backend's own kernel).
 */
export function conv2dBackpropInputKernel(backendName: string, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as tf.Conv2DBackpropInputInputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat === "NCHW") return fallback(args);
    const geometry = convGeometry(inputShape, filter!.shape, strides, 1, pad, dimRoundingMode, dataFormat);
    const native = nativeInputGradient(args.backend, dy!, filter!, geometry);
    if (native !== undefined) return native;
    if (!inputGradientIsConvolution(geometry)) return fallback(args);
    return compose(args.backend as unknown as ComposingBackend, backendName, (k) =>
      inputGradient(k, dy!, filter!, geometry),
    );
  };
}
