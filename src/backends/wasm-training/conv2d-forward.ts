/**
 * Forward convolutions (Conv2D, FusedConv2D with a bias and relu) on the native kernels where they are loaded; every
 * other call, and every call without them, goes to the XNNPACK kernel given.
 */
import type * as tf from "@tensorflow/tfjs";
import { convGeometry } from "./conv-geometry";
import { nativeConv2d } from "./native-paths";

interface ForwardAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: "NHWC" | "NCHW";
  activation?: string;
}

/** Wraps `xnnpack` (a Conv2D or FusedConv2D kernel) so that the native kernels run the calls they cover. */
export function nativeFirstConvKernel(xnnpack: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as {
      x?: tf.TensorInfo;
      filter?: tf.TensorInfo;
      bias?: tf.TensorInfo;
      preluActivationWeights?: tf.TensorInfo;
    };
    const attrs = args.attrs as unknown as ForwardAttrs;
    if (x === undefined || filter === undefined || preluActivationWeights !== undefined || attrs.dataFormat === "NCHW")
      return xnnpack(args);
    const geometry = convGeometry(
      x.shape,
      filter.shape,
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
      "NHWC",
    );
    return nativeConv2d(args.backend, x, filter, geometry, bias, attrs.activation ?? "linear") ?? xnnpack(args);
  };
}
